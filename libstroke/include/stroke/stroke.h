// Umbrella header: everything a program embedding libstroke needs. C++17 is
// enough to include it (the library itself is built as C++20):
//
//   #include "stroke/stroke.h"
//   auto model = stroke::Model::Load("models/stroke.bundle.json");
//   if (!model.ok()) return 1;
//   std::vector<double> features(model->num_features());
//   stroke::CheckResult check = model->Prepare(*stroke::ParseRecordJson(json_text), features);
//   if (check.ok()) std::printf("%.4f\n", model->PredictFeatures(features).probability);
//
// tests/cxx17_consumer.cc compiles this with -std=c++17 -pedantic -Werror.
#ifndef STROKE_STROKE_H_
#define STROKE_STROKE_H_

#include "stroke/cpus.h"
#include "stroke/ensemble.h"
#include "stroke/explain.h"
#include "stroke/features.h"
#include "stroke/golden_check.h"
#include "stroke/load_options.h"
#include "stroke/model.h"
#include "stroke/record.h"
#include "stroke/record_input.h"
#include "stroke/schema.h"
#include "stroke/scoring.h"
#include "stroke/span.h"
#include "stroke/status.h"

#endif  // STROKE_STROKE_H_
