// JSON text -> stroke::Record for the commonest request body (one flat
// object): libstroke's parser (its flat fast path, else the full SAX parser)
// against simdjson's On-Demand API and nlohmann::json building the same
// Record. The measurement behind the decision in docs/architecture.md
// ("Hand-written code kept or replaced") to keep the flat path; figures in
// docs/benchmarks.md. Not a test: nothing asserts a time.
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <string>

#include "stroke/record.h"

namespace {

const std::string kPatient =
    R"({"gender": "Male", "age": 67, "hypertension": false, "heart_disease": true, "ever_married": "Yes", )"
    R"("work_type": "Private", "Residence_type": "Urban", "avg_glucose_level": 228.69, "bmi": 36.6, )"
    R"("smoking_status": "formerly smoked"})";

void BM_Libstroke(benchmark::State& state) {
  for (auto _ : state) {
    auto record = stroke::ParseRecordJson(kPatient);
    benchmark::DoNotOptimize(record);
  }
}
BENCHMARK(BM_Libstroke);

// The same Record from simdjson's On-Demand parser (happy path only: the
// duplicate-key, range and UTF-8 checks libstroke does are left out, so this
// is a lower bound on what a simdjson reader would cost).
void BM_SimdjsonOnDemand(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(kPatient);
  for (auto _ : state) {
    stroke::Record record;
    simdjson::ondemand::document doc = parser.iterate(padded);
    for (auto field : doc.get_object()) {
      std::string name(field.unescaped_key().value());
      auto value = field.value();
      switch (value.type().value()) {
        case simdjson::ondemand::json_type::number: {
          const bool integer = value.is_integer().value();
          record.Set(std::move(name), stroke::Value::Number(value.get_double().value(), integer));
          break;
        }
        case simdjson::ondemand::json_type::string:
          record.Set(std::move(name), stroke::Value::String(std::string(value.get_string().value())));
          break;
        case simdjson::ondemand::json_type::boolean:
          record.Set(std::move(name), stroke::Value::Bool(value.get_bool().value()));
          break;
        default:
          record.Set(std::move(name), stroke::Value::Null());
      }
    }
    benchmark::DoNotOptimize(record);
  }
}
BENCHMARK(BM_SimdjsonOnDemand);

void BM_NlohmannDom(benchmark::State& state) {
  for (auto _ : state) {
    stroke::Record record;
    const nlohmann::json json = nlohmann::json::parse(kPatient);
    for (const auto& [name, value] : json.items()) {
      if (value.is_number()) {
        record.Set(name, stroke::Value::Number(value.get<double>(), value.is_number_integer()));
      } else if (value.is_string()) {
        record.Set(name, stroke::Value::String(value.get<std::string>()));
      } else if (value.is_boolean()) {
        record.Set(name, stroke::Value::Bool(value.get<bool>()));
      } else {
        record.Set(name, stroke::Value::Null());
      }
    }
    benchmark::DoNotOptimize(record);
  }
}
BENCHMARK(BM_NlohmannDom);

}  // namespace

BENCHMARK_MAIN();
