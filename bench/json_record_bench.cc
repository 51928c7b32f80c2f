// JSON text -> stroke::Record for the commonest request body (one flat
// object): libstroke's ParseRecordJson (its simdjson fast path,
// src/flat_record_json.cc, else the full nlohmann reader) against simdjson
// alone (DOM on a text already padded, so the difference is what libstroke
// adds: the copy into its padded buffer, the thread's parser, StatusOr; and
// On-Demand) and nlohmann::json, each building the same Record; and the
// Record built without parsing. Figures and the decision in
// docs/benchmarks.md and docs/architecture.md ("The field's libraries").
// Not a test: nothing asserts a time.
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

// The Record from simdjson's DOM parser on a text already padded, with the
// duplicate-key check libstroke makes: libstroke's fast path without the
// copy into its padded buffer.
void BM_SimdjsonDomPadded(benchmark::State& state) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(kPatient);
  for (auto _ : state) {
    stroke::Record record;
    simdjson::dom::object object;
    if (parser.parse(padded).get(object) != simdjson::SUCCESS) state.SkipWithError("not an object");
    for (simdjson::dom::key_value_pair field : object) {
      if (record.Find(field.key) != nullptr) state.SkipWithError("duplicate key");
      stroke::Value value;
      switch (field.value.type()) {
        case simdjson::dom::element_type::INT64:
          value = stroke::Value::Number(static_cast<double>(int64_t(field.value)), true);
          break;
        case simdjson::dom::element_type::DOUBLE: value = stroke::Value::Number(double(field.value)); break;
        case simdjson::dom::element_type::STRING:
          value = stroke::Value::String(std::string(std::string_view(field.value)));
          break;
        case simdjson::dom::element_type::BOOL: value = stroke::Value::Bool(bool(field.value)); break;
        default: value = stroke::Value::Null();
      }
      record.Set(std::string(field.key), std::move(value));
    }
    benchmark::DoNotOptimize(record);
  }
}
BENCHMARK(BM_SimdjsonDomPadded);

// The same Record from simdjson's On-Demand parser (happy path only: the
// duplicate-key check is left out). Without -march flags On-Demand runs
// simdjson's portable fallback kernel; the DOM parser picks AVX2/AVX-512 at
// run time.
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

// The same Record built by hand, without parsing: the floor under every
// parser above.
void BM_RecordAlone(benchmark::State& state) {
  for (auto _ : state) {
    stroke::Record record;
    record.Set("gender", stroke::Value::String("Male"));
    record.Set("age", stroke::Value::Number(67, true));
    record.Set("hypertension", stroke::Value::Bool(false));
    record.Set("heart_disease", stroke::Value::Bool(true));
    record.Set("ever_married", stroke::Value::String("Yes"));
    record.Set("work_type", stroke::Value::String("Private"));
    record.Set("Residence_type", stroke::Value::String("Urban"));
    record.Set("avg_glucose_level", stroke::Value::Number(228.69));
    record.Set("bmi", stroke::Value::Number(36.6));
    record.Set("smoking_status", stroke::Value::String("formerly smoked"));
    benchmark::DoNotOptimize(record);
  }
}
BENCHMARK(BM_RecordAlone);

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
