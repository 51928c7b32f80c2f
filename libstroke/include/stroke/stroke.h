// Umbrella header: everything a program embedding libstroke needs.
#ifndef STROKE_STROKE_H_
#define STROKE_STROKE_H_

#include "stroke/ensemble.h"
#include "stroke/explain.h"
#include "stroke/features.h"
#include "stroke/load_options.h"
#include "stroke/model.h"
#include "stroke/record.h"
#include "stroke/schema.h"
#include "stroke/status.h"

#endif  // STROKE_STROKE_H_
