// Reads a bundle (docs/bundle-format.md) into a Model: checks the format,
// has each section read by its reader (section_readers.h: read_<section>.cc)
// and checks the sections against each other.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "load_limits.h"
#include "model_state.h"
#include "section_readers.h"
#include "stroke/model.h"

namespace stroke {

namespace {

// Fills a ModelState from a bundle's JSON, section by section.
class BundleReader {
 public:
  static Status Read(const Json& root, const LoadOptions& limits, internal::ModelState* out) {
    Status error;
    JsonReader bundle(&root, "", &error);
    if (!root.is_object()) return CorruptBundleError(std::string("(root): expected an object, got ") + root.type_name());
    const std::string format = bundle.String("format");
    if (!bundle.failed() && format != kBundleFormat) {
      bundle.Member("format").Fail("expected \"" + std::string(kBundleFormat) + "\", got \"" + format + "\"");
    }
    const long version = bundle.Integer("format_version");
    if (!bundle.failed() && version != kBundleFormatVersion) {
      bundle.Member("format_version").Fail("unknown format version " + std::to_string(version) +
                                           " (this libstroke reads version " +
                                           std::to_string(kBundleFormatVersion) + ")");
    }
    if (bundle.failed()) return error;
    internal::ModelState& model = *out;
    ReadModelInfo(bundle.Object("model"), &model.info);
    if (bundle.failed()) return error;

    StatusOr<Schema> schema = ReadInputs(bundle.Array("inputs"), limits);
    if (!schema.ok()) return schema.status();
    model.schema = std::move(*schema);

    StatusOr<FeatureProgram> program = ReadFeatures(bundle.Array("features"), model.schema, limits);
    if (!program.ok()) return program.status();
    model.program = std::move(*program);

    StatusOr<Ensemble> ensemble = ReadEnsemble(bundle.Object("ensemble"),
                                               static_cast<int>(model.program.num_features()), &model.info.task,
                                               limits);
    if (!ensemble.ok()) return ensemble.status();
    model.ensemble = std::move(*ensemble);
    const EnsembleSpec& spec = model.ensemble.spec();
    model.domain = {spec.handles_missing, spec.split_rule != SplitRule::kLessEqualFloat64};

    CheckLabels(bundle.Object("model"), model.info, model.ensemble.num_outputs());
    CheckMissingValues(bundle.Array("inputs"), model, spec.handles_missing);
    if (bundle.Has("golden")) ReadGolden(bundle.Array("golden"), model.info.task, limits, &model.golden);
    if (bundle.Has("distributions")) {
      ReadDistributions(bundle.Array("distributions"), model.program, &model.distributions);
    }
    if (bundle.failed()) return error;
    return Status::Ok();
  }

 private:
  // Classification: one label per class (binary: 2). Regression: none.
  static void CheckLabels(const JsonReader& m, const ModelInfo& info, int num_outputs) {
    if (m.failed()) return;
    const size_t labels = info.class_labels.size();
    switch (info.task) {
      case Task::kBinaryClassification:
        if (labels != 2) m.Member("class_labels").Fail("a binary model needs exactly 2 labels");
        return;
      case Task::kMulticlassClassification:
        if (labels != static_cast<size_t>(num_outputs)) {
          m.Member("class_labels").Fail("needs one label per class (" + std::to_string(num_outputs) + ")");
        }
        return;
      case Task::kRegression:
        if (labels != 0) m.Member("class_labels").Fail("a regression model has no class labels");
        return;
    }
  }

  // A nullable field without "impute" passes a missing value (NaN) on to the
  // features. An ensemble that cannot take missing values may have one only
  // where no feature can become NaN from it (e.g. a missing value learned as
  // a category, read through onehot or missing).
  static void CheckMissingValues(const JsonReader& inputs, const internal::ModelState& model, bool handles_missing) {
    if (handles_missing || inputs.failed()) return;
    std::vector<bool> missing;
    for (const FieldSpec& f : model.schema.fields()) missing.push_back(f.nullable && std::isnan(f.impute));
    const auto [field, feature] = model.program.MissingReach(missing);
    if (field >= 0) {
      inputs.Element(field).Fail("\"impute\" is required: this ensemble cannot take missing values, and a null "
                                 "here would make feature \"" + model.program.feature_names()[feature] +
                                 "\" missing");
    }
  }
};

// A bundle of `size` bytes past LoadOptions::max_bundle_bytes.
Status TooBig(uintmax_t size, const LoadOptions& options) {
  return CorruptBundleError(
      OverLimit("(root): bundle size " + std::to_string(size) + " bytes", options.max_bundle_bytes, "max_bundle_bytes"));
}

}  // namespace

StatusOr<Model> Model::FromJson(std::string_view bundle_json, const LoadOptions& options) {
  if (bundle_json.size() > options.max_bundle_bytes) return TooBig(bundle_json.size(), options);
  Json root;
  Status parsed = ParseJsonText(bundle_json, &root);
  if (!parsed.ok()) return CorruptBundleError(parsed.message());
  auto state = std::make_shared<internal::ModelState>();
  Status read = BundleReader::Read(root, options, state.get());
  if (!read.ok()) return read;
  return Model(std::move(state));
}

StatusOr<Model> Model::Load(const std::string& path, const LoadOptions& options) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) return IoError("cannot open bundle \"" + path + "\"");
  // A directory, FIFO or device is no bundle: reading one would block,
  // never end (/dev/zero) or answer as if empty.
  if (!std::filesystem::is_regular_file(status)) {
    return IoError("bundle \"" + path + "\" is not a regular file");
  }
  // The size first: a file past the limit is refused without reading it
  // (a sparse 100 GB file would otherwise be read up to the limit).
  const uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > options.max_bundle_bytes) {
    return Status(StatusCode::kCorruptBundle, path + ": " + TooBig(size, options).message());
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError("cannot open bundle \"" + path + "\"");
  // At most one byte past the limit, however large the file grows meanwhile.
  const size_t cap = options.max_bundle_bytes < SIZE_MAX ? options.max_bundle_bytes + 1 : SIZE_MAX;
  std::string text;
  if (!error) text.reserve(size);
  char chunk[1 << 16];
  while (text.size() < cap) {
    file.read(chunk, static_cast<std::streamsize>(std::min(sizeof chunk, cap - text.size())));
    text.append(chunk, static_cast<size_t>(file.gcount()));
    if (!file) break;  // the end, or an error
  }
  if (file.bad()) return IoError("cannot read bundle \"" + path + "\"");
  StatusOr<Model> model = FromJson(text, options);
  if (!model.ok()) return Status(model.status().code(), path + ": " + model.status().message());
  return model;
}

}  // namespace stroke
