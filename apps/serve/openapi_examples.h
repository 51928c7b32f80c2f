// Request examples for the OpenAPI document, made from the bundle's golden
// rows (records whose answers the training library computed): what "Try it
// out" in /docs sends, so each must be answered 200 (tests/openapi_test.cc
// posts every one).
#ifndef STROKE_APPS_SERVE_OPENAPI_EXAMPLES_H_
#define STROKE_APPS_SERVE_OPENAPI_EXAMPLES_H_

#include <string>

#include "model_json.h"

namespace stroke::apps {

// Each member is null ("" for csv) when the bundle has no golden row
// without a missing value.
struct ApiExamples {
  Json record;        // the first such golden row, as a JSON object in schema order
  Json batch;         // the first two, as an array
  std::string csv;    // the same two as text/csv: a header row, then one line each
  Json oip_infer;     // an Open Inference Protocol v2 request: one [1]-shaped tensor per field
  Json kserve_v1;     // {"instances": batch}
  Json mlflow;        // {"dataframe_split": {"columns", "data"}} of the batch
};

ApiExamples MakeApiExamples(const Model& model);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_OPENAPI_EXAMPLES_H_
