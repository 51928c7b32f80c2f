// Instruction counts of stroke-serve's record routes without a socket: calls
// Routes::Predict (or Prediction, PredictProba, Explain) N times on one body
// with the audit log on, or a standard protocol's function (OipInfer,
// KServeV1Predict, MlflowInvocations) on the same patient, so that callgrind
// totals of two runs (N and 2N) differ by exactly N requests. `log_store`:
// memory (default) or a Redis URL, as --log-store (the request thread's
// share: --toggle-collect='*Append*').
//
//   route_instructions (predict|prediction|proba|explain|oip|kserve|mlflow) N [batch_rows] [audit_file] [log_store]
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "kserve_v1.h"
#include "mlflow_scoring.h"
#include "oip_v2.h"
#include "redis_log_store.h"
#include "routes.h"
#include "stroke/model.h"

int main(int argc, char** argv) {
  using namespace stroke::apps;
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: route_instructions (predict|prediction|proba|explain|oip|kserve|mlflow) N [batch_rows] "
                 "[audit_file] [log_store]\n");
    return 2;
  }
  const std::string what = argv[1];
  const long calls = std::atol(argv[2]);
  const long rows = argc > 3 ? std::atol(argv[3]) : 0;  // 0: one object
  const std::string audit = argc > 4 ? argv[4] : "/dev/null";
  auto store = ParseLogStore(argc > 5 ? argv[5] : "memory");
  if (!store.ok()) {
    std::fprintf(stderr, "route_instructions: %s\n", store.status().message().c_str());
    return 2;
  }
  auto model = stroke::Model::Load(std::string(STROKE_MODELS_DIR) + "/stroke.bundle.json");
  if (!model.ok()) return 1;
  const std::string patient =
      R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true, "ever_married": "Yes", )"
      R"("work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6, )"
      R"("smoking_status": "formerly smoked"})";
  std::string body = rows == 0 ? patient : "[";
  for (long i = 0; i < rows; ++i) body += (i ? "," : "") + patient;
  if (rows > 0) body += "]";
  Metrics metrics("bench", model->info().name, model->info().version);
  EventLog log(1000);
  if (!audit.empty() && !log.OpenAudit(audit, false).ok()) return 1;
  if (store->has_value()) {
    RedisLogStoreOptions redis;
    redis.address = **store;
    log.SetStore(std::make_unique<RedisLogStore>(std::move(redis)));
  }
  Routes routes(*model, RouteSettings{}, &metrics, &log);
  RequestInfo who{"req-1", "user", "/" + what, "127.0.0.1"};
  size_t bytes = 0;
  const std::string oip =
      R"({"inputs": [{"name": "gender", "shape": [1], "datatype": "BYTES", "data": ["Male"]}, )"
      R"({"name": "age", "shape": [1], "datatype": "FP64", "data": [67]}, )"
      R"({"name": "hypertension", "shape": [1], "datatype": "BOOL", "data": [false]}, )"
      R"({"name": "heart_disease", "shape": [1], "datatype": "BOOL", "data": [true]}, )"
      R"({"name": "ever_married", "shape": [1], "datatype": "BYTES", "data": ["Yes"]}, )"
      R"({"name": "work_type", "shape": [1], "datatype": "BYTES", "data": ["Private"]}, )"
      R"({"name": "Residence_type", "shape": [1], "datatype": "BYTES", "data": ["Urban"]}, )"
      R"({"name": "avg_glucose_level", "shape": [1], "datatype": "FP64", "data": [228.69]}, )"
      R"({"name": "bmi", "shape": [1], "datatype": "FP64", "data": [36.6]}, )"
      R"({"name": "smoking_status", "shape": [1], "datatype": "BYTES", "data": ["formerly smoked"]}]})";
  const std::string instances = R"({"instances": [)" + patient + "]}";
  const std::string records = R"({"dataframe_records": [)" + patient + "]}";
  for (long i = 0; i < calls; ++i) {
    if (what == "oip" || what == "kserve" || what == "mlflow") {
      const ProtocolReply answer = what == "oip"      ? OipInfer(*model, "stroke", "1", oip, ProtocolOptions{})
                                   : what == "kserve" ? KServeV1Predict(*model, instances, KServeV1Options{})
                                                      : MlflowInvocations(*model, records, "application/json",
                                                                          MlflowOptions{});
      if (answer.reply.status != 200) return 3;
      bytes += answer.reply.body.size();
      continue;
    }
    Reply reply = what == "predict"      ? routes.Predict(who, body, "application/json")
                  : what == "prediction" ? routes.Prediction(who, body, "application/json")
                  : what == "proba"      ? routes.PredictProba(who, body, "application/json")
                                         : routes.Explain(who, body, "application/json", "");
    if (reply.status != 200) return 3;
    bytes += reply.body.size();
  }
  std::printf("%s x %ld: %zu bytes\n", what.c_str(), calls, bytes);
  return 0;
}
