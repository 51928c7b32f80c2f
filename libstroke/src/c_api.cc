// The C API, part one: errors, version, loading, model facts
// (stroke/c_api.h; predictions are in c_api_predict.cc).
#include <algorithm>
#include <filesystem>

#include "c_api_internal.h"

namespace stroke::c_api {
namespace {

struct ThreadErrors {
  std::string last;
  bool out_of_memory = false;                        // `last` could not be stored
  std::vector<std::pair<size_t, std::string>> rows;  // failed rows, ascending
};

ThreadErrors& Errors() noexcept {
  thread_local ThreadErrors errors;
  return errors;
}

int CodeOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return STROKE_OK;
    case StatusCode::kInvalidInput:
      return STROKE_ERROR_INVALID_INPUT;
    case StatusCode::kCorruptBundle:
      return STROKE_ERROR_BUNDLE;
    case StatusCode::kNotFound:
    case StatusCode::kIoError:
      return STROKE_ERROR_IO;
    case StatusCode::kInternal:
      return STROKE_ERROR_INTERNAL;
  }
  return STROKE_ERROR_INTERNAL;
}

int Loaded(StatusOr<Model> loaded, StrokeModel** out) {
  if (!loaded.ok()) {
    // Whatever the loader calls it, a bundle that is read but refused is a bundle error.
    const int code = CodeOf(loaded.status().code());
    return Fail(code == STROKE_ERROR_INVALID_INPUT ? STROKE_ERROR_BUNDLE : code, {loaded.status().message()});
  }
  *out = new StrokeModel{std::move(*loaded)};
  return STROKE_OK;
}

template <typename T>
int Get(const StrokeModel* model, T* out, const char* function, T (*value)(const Model&)) {
  return Guarded([&] {
    if (model == nullptr) return NullArgument(function, "model");
    if (out == nullptr) return NullArgument(function, "out");
    *out = value(model->model);
    return STROKE_OK;
  });
}

int GetName(const StrokeModel* model, size_t index, const char** out, const char* function,
            const std::vector<std::string>& (*names)(const Model&)) {
  return Guarded([&] {
    if (model == nullptr) return NullArgument(function, "model");
    if (out == nullptr) return NullArgument(function, "out");
    const std::vector<std::string>& all = names(model->model);
    if (index >= all.size()) return IndexOutOfRange(function, index, all.size());
    *out = all[index].c_str();
    return STROKE_OK;
  });
}

}  // namespace

void ResetErrors() noexcept {
  ThreadErrors& errors = Errors();
  errors.last.clear();
  errors.out_of_memory = false;
  errors.rows.clear();
}

int Fail(int code, std::initializer_list<std::string_view> parts) noexcept {
  ThreadErrors& errors = Errors();
  try {
    errors.last.clear();
    for (std::string_view part : parts) errors.last.append(part);
  } catch (...) {
    errors.out_of_memory = true;
  }
  return code;
}

int FailWith(const Status& status) noexcept {
  return Fail(CodeOf(status.code()), {status.message()});
}

void AddRowError(size_t row, std::string message) {
  Errors().rows.emplace_back(row, std::move(message));
}

int NullArgument(const char* function, const char* name) noexcept {
  return Fail(STROKE_ERROR_INVALID_ARGUMENT, {function, ": ", name, " is NULL"});
}

int IndexOutOfRange(const char* function, size_t index, size_t size) {
  return Fail(STROKE_ERROR_INVALID_ARGUMENT, {function, ": index ", std::to_string(index),
                                              " out of range [0, ", std::to_string(size), ")"});
}

int BufferTooSmall(const char* function, const char* name, size_t needed, size_t given) {
  return Fail(STROKE_ERROR_INVALID_ARGUMENT,
              {function, ": ", name, " holds ", std::to_string(given), " doubles, ",
               std::to_string(needed), " are needed"});
}

size_t NumOutputs(const Model& model) {
  return model.task() == Task::kRegression ? 1 : static_cast<size_t>(model.num_classes());
}

size_t NumRawOutputs(const Model& model) {
  return static_cast<size_t>(model.ensemble().num_outputs());
}

}  // namespace stroke::c_api

using stroke::Model;
using stroke::c_api::Fail;
using stroke::c_api::Guarded;
using stroke::c_api::NullArgument;

extern "C" {

const char* StrokeGetLastError(void) {
  const stroke::c_api::ThreadErrors& errors = stroke::c_api::Errors();
  return errors.out_of_memory ? "out of memory" : errors.last.c_str();
}

const char* StrokeGetLastRowError(size_t row) {
  const auto& rows = stroke::c_api::Errors().rows;
  const auto found = std::lower_bound(
      rows.begin(), rows.end(), row, [](const auto& failed, size_t r) { return failed.first < r; });
  return found != rows.end() && found->first == row ? found->second.c_str() : nullptr;
}

const char* StrokeVersion(void) { return STROKE_VERSION_STRING; }

int StrokeModelLoad(const char* path, StrokeModel** out) {
  return Guarded([&] {
    if (out == nullptr) return NullArgument("StrokeModelLoad", "out");
    *out = nullptr;
    if (path == nullptr) return NullArgument("StrokeModelLoad", "path");
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {  // an ifstream would read it as empty text
      return Fail(STROKE_ERROR_IO, {"cannot read bundle \"", path, "\": it is a directory"});
    }
    return stroke::c_api::Loaded(Model::Load(path), out);
  });
}

int StrokeModelLoadFromJson(const char* json, size_t length, StrokeModel** out) {
  return Guarded([&] {
    if (out == nullptr) return NullArgument("StrokeModelLoadFromJson", "out");
    *out = nullptr;
    if (json == nullptr) return NullArgument("StrokeModelLoadFromJson", "json");
    return stroke::c_api::Loaded(Model::FromJson(std::string_view(json, length)), out);
  });
}

int StrokeModelFree(StrokeModel* model) {
  stroke::c_api::ResetErrors();
  delete model;  // ~Model does not throw
  return STROKE_OK;
}

int StrokeModelGetNumFeatures(const StrokeModel* model, size_t* out) {
  return stroke::c_api::Get<size_t>(model, out, "StrokeModelGetNumFeatures",
                                    [](const Model& m) { return m.num_features(); });
}

int StrokeModelGetNumInputs(const StrokeModel* model, size_t* out) {
  return stroke::c_api::Get<size_t>(model, out, "StrokeModelGetNumInputs",
                                    [](const Model& m) { return m.schema().fields().size(); });
}

int StrokeModelGetNumOutputs(const StrokeModel* model, size_t* out) {
  return stroke::c_api::Get<size_t>(model, out, "StrokeModelGetNumOutputs",
                                    &stroke::c_api::NumOutputs);
}

int StrokeModelGetNumRawOutputs(const StrokeModel* model, size_t* out) {
  return stroke::c_api::Get<size_t>(model, out, "StrokeModelGetNumRawOutputs",
                                    &stroke::c_api::NumRawOutputs);
}

int StrokeModelGetTask(const StrokeModel* model, int* out) {
  return stroke::c_api::Get<int>(model, out, "StrokeModelGetTask", [](const Model& m) {
    switch (m.task()) {
      case stroke::Task::kBinaryClassification:
        return STROKE_TASK_BINARY_CLASSIFICATION;
      case stroke::Task::kMulticlassClassification:
        return STROKE_TASK_MULTICLASS_CLASSIFICATION;
      case stroke::Task::kRegression:
        break;
    }
    return STROKE_TASK_REGRESSION;
  });
}

int StrokeModelGetThreshold(const StrokeModel* model, double* out) {
  return stroke::c_api::Get<double>(model, out, "StrokeModelGetThreshold",
                                    [](const Model& m) { return m.info().threshold; });
}

int StrokeModelGetNumClasses(const StrokeModel* model, size_t* out) {
  return stroke::c_api::Get<size_t>(model, out, "StrokeModelGetNumClasses",
                                    [](const Model& m) { return m.info().class_labels.size(); });
}

int StrokeModelGetClassLabel(const StrokeModel* model, size_t index, const char** out) {
  return stroke::c_api::GetName(
      model, index, out, "StrokeModelGetClassLabel",
      [](const Model& m) -> const std::vector<std::string>& { return m.info().class_labels; });
}

int StrokeModelGetFeatureName(const StrokeModel* model, size_t index, const char** out) {
  return stroke::c_api::GetName(model, index, out, "StrokeModelGetFeatureName",
                                [](const Model& m) -> const std::vector<std::string>& {
                                  return m.program().feature_names();
                                });
}

int StrokeModelGetInputName(const StrokeModel* model, size_t index, const char** out) {
  return Guarded([&] {
    if (model == nullptr) return NullArgument("StrokeModelGetInputName", "model");
    if (out == nullptr) return NullArgument("StrokeModelGetInputName", "out");
    const std::vector<stroke::FieldSpec>& fields = model->model.schema().fields();
    if (index >= fields.size())
      return stroke::c_api::IndexOutOfRange("StrokeModelGetInputName", index, fields.size());
    *out = fields[index].name.c_str();
    return STROKE_OK;
  });
}

}  // extern "C"
