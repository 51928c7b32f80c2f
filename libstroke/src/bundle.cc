// Reads a bundle (docs/bundle-format.md) into a Model, validating every part.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "bundle_parts.h"
#include "load_limits.h"
#include "stroke/model.h"

namespace stroke {
namespace {

const std::map<std::string, FieldType>& FieldTypes() {
  static const auto* types = new std::map<std::string, FieldType>{
      {"number", FieldType::kNumber}, {"integer", FieldType::kInteger},
      {"boolean", FieldType::kBoolean}, {"category", FieldType::kCategory}};
  return *types;
}

void ReadBounds(const JsonReader& field, const char* key, double* lo, double* hi) {
  if (!field.Has(key)) return;
  JsonReader bounds = field.Object(key);
  *lo = bounds.OptionalNumber("min", *lo);
  *hi = bounds.OptionalNumber("max", *hi);
}

void FlattenMetrics(const Json& json, const std::string& prefix,
                    std::vector<std::pair<std::string, double>>* out) {
  if (!json.is_object()) return;  // the reader has reported it (a scalar has no key())
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string name = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) FlattenMetrics(*it, name, out);
    if (it->is_number()) out->emplace_back(name, it->get<double>());
  }
}

}  // namespace

StatusOr<Schema> ReadSchema(const JsonReader& inputs, const LoadOptions& limits) {
  std::vector<FieldSpec> fields;
  if (!inputs.failed() && inputs.size() > limits.max_input_fields) {
    inputs.Fail(OverLimit("input field count " + std::to_string(inputs.size()), limits.max_input_fields,
                          "max_input_fields"));
  }
  for (size_t i = 0; i < inputs.size() && !inputs.failed(); ++i) {
    JsonReader in = inputs.Element(i);
    FieldSpec f;
    f.name = in.String("name");
    const std::string type = in.String("type");
    auto it = FieldTypes().find(type);
    if (!in.failed() && it == FieldTypes().end()) {
      in.Member("type").Fail("unknown type \"" + type + "\" (number, integer, boolean, category)");
    }
    if (in.failed()) break;
    f.type = it->second;
    f.description = in.OptionalString("description", "");
    if (f.type == FieldType::kCategory) {
      const size_t count = in.Array("categories").size();
      if (count > limits.max_categories) {
        in.Member("categories").Fail(OverLimit("category count " + std::to_string(count), limits.max_categories,
                                               "max_categories"));
        break;
      }
      f.categories = in.StringArray("categories");
    }
    if (in.Has("known_codes")) {
      if (f.type != FieldType::kNumber && f.type != FieldType::kInteger) {
        in.Member("known_codes").Fail("only a number or integer field has known codes");
      } else if (in.Array("known_codes").size() > limits.max_categories) {
        in.Member("known_codes").Fail(OverLimit("known code count " + std::to_string(in.Array("known_codes").size()),
                                                limits.max_categories, "max_categories"));
      } else {
        f.known_codes = in.DoubleArray("known_codes");
        if (!in.failed() && f.known_codes.empty()) in.Member("known_codes").Fail("must list at least one code");
      }
    }
    f.nullable = in.OptionalBool("nullable", false);
    if (in.Has("null_tokens")) f.null_tokens = in.StringArray("null_tokens");
    ReadBounds(in, "limits", &f.hard_min, &f.hard_max);
    ReadBounds(in, "training_range", &f.train_min, &f.train_max);
    if (f.nullable && !in.Has("impute")) {
      f.impute = std::numeric_limits<double>::quiet_NaN();  // missing: the trees decide
    } else if (f.nullable && f.type == FieldType::kCategory) {
      const std::string impute = in.String("impute");
      auto pos = std::find(f.categories.begin(), f.categories.end(), impute);
      if (!in.failed() && pos == f.categories.end()) {
        in.Member("impute").Fail("\"" + impute + "\" is not one of the categories");
      }
      f.impute = static_cast<double>(pos - f.categories.begin());
    } else if (f.nullable) {
      f.impute = in.Number("impute");
    }
    if (in.Has("unknown_category")) {  // a number, or "missing"
      JsonReader unknown = in.Member("unknown_category");
      f.accept_unknown = true;
      if (f.type != FieldType::kCategory) {
        unknown.Fail("only a category field has unknown categories");
      } else if (unknown.json().is_string() && unknown.json().get<std::string>() == "missing") {
        f.unknown_code = std::numeric_limits<double>::quiet_NaN();
      } else {
        f.unknown_code = in.Number("unknown_category");
      }
    }
    fields.push_back(std::move(f));
  }
  if (inputs.failed()) return inputs.error();
  if (fields.empty()) return CorruptBundleError(inputs.path() + ": no input fields declared");
  StatusOr<Schema> schema = Schema::Create(std::move(fields));
  if (!schema.ok()) return CorruptBundleError(schema.status().message());
  return schema;
}

class BundleReader {
 public:
  static StatusOr<Model> Read(const Json& root, const LoadOptions& limits) {
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
    Model model;
    ReadInfo(bundle.Object("model"), &model.info_);
    if (bundle.failed()) return error;

    StatusOr<Schema> schema = ReadSchema(bundle.Array("inputs"), limits);
    if (!schema.ok()) return schema.status();
    model.schema_ = std::move(*schema);

    StatusOr<FeatureProgram> program =
        FeatureProgramBuilder::Compile(bundle.Array("features"), model.schema_, limits);
    if (!program.ok()) return program.status();
    model.program_ = std::move(*program);

    StatusOr<Ensemble> ensemble = ReadEnsemble(bundle.Object("ensemble"),
                                               static_cast<int>(model.program_.num_features()), &model.info_.task,
                                               limits);
    if (!ensemble.ok()) return ensemble.status();
    model.ensemble_ = std::move(*ensemble);
    const EnsembleSpec& spec = model.ensemble_.spec();
    model.domain_ = {spec.handles_missing, spec.split_rule != SplitRule::kLessEqualFloat64};

    CheckLabels(bundle.Object("model"), model.info_, model.ensemble_.num_outputs());
    CheckMissingValues(bundle.Array("inputs"), model, spec.handles_missing);
    if (bundle.Has("golden")) ReadGolden(bundle.Array("golden"), model.info_.task, limits, &model.golden_);
    if (bundle.Has("distributions")) {
      ReadDistributions(bundle.Array("distributions"), model.program_, &model.distributions_);
    }
    if (bundle.failed()) return error;
    return model;
  }

 private:
  static void ReadInfo(const JsonReader& m, ModelInfo* info) {
    info->name = m.String("name");
    info->version = m.String("version");
    info->created = m.OptionalString("created", "");
    info->description = m.OptionalString("description", "");
    info->library = m.OptionalString("library", "");
    info->estimator = m.OptionalString("estimator", "");
    if (m.Has("training_data")) {
      JsonReader data = m.Object("training_data");
      info->training_data.description = data.OptionalString("description", "");
      info->training_data.synthetic = data.OptionalBool("synthetic", false);
      info->training_data.rows = static_cast<long>(data.OptionalNumber("rows", 0));
    }
    if (m.Has("metrics")) FlattenMetrics(m.Object("metrics").json(), "", &info->metrics);
    info->threshold = m.OptionalNumber("threshold", 0.5);
    if (!m.failed() && !(info->threshold >= 0 && info->threshold <= 1)) {
      m.Member("threshold").Fail("must be in [0, 1]");
    }
    if (m.Has("class_labels")) info->class_labels = m.StringArray("class_labels");
  }

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
  static void CheckMissingValues(const JsonReader& inputs, const Model& model, bool handles_missing) {
    if (handles_missing || inputs.failed()) return;
    std::vector<bool> missing;
    for (const FieldSpec& f : model.schema_.fields()) missing.push_back(f.nullable && std::isnan(f.impute));
    const auto [field, feature] = model.program_.MissingReach(missing);
    if (field >= 0) {
      inputs.Element(field).Fail("\"impute\" is required: this ensemble cannot take missing values, and a null "
                                 "here would make feature \"" + model.program_.feature_names()[feature] +
                                 "\" missing");
    }
  }

  static void ReadDistributions(const JsonReader& list, const FeatureProgram& program,
                                std::vector<FeatureDistribution>* out) {
    const auto& names = program.feature_names();
    for (size_t i = 0; i < list.size() && !list.failed(); ++i) {
      JsonReader d = list.Element(i);
      FeatureDistribution dist;
      dist.feature = d.String("feature");
      if (!d.failed() && std::find(names.begin(), names.end(), dist.feature) == names.end()) {
        d.Member("feature").Fail("\"" + dist.feature + "\" is not a feature of this model");
      }
      dist.edges = d.DoubleArray("edges");
      if (!d.failed() && (dist.edges.size() < 2 || !std::is_sorted(dist.edges.begin(), dist.edges.end()))) {
        d.Member("edges").Fail("needs 2 or more ascending numbers");
      }
      JsonReader counts = d.Object("counts");
      for (auto it = counts.json().begin(); it != counts.json().end() && !d.failed(); ++it) {
        std::vector<double> c = counts.DoubleArray(it.key().c_str());
        if (!d.failed() && c.size() + 1 != dist.edges.size()) {
          counts.Member(it.key().c_str()).Fail("needs one count per bin (" + std::to_string(dist.edges.size() - 1) + ")");
        }
        dist.counts.emplace_back(it.key(), std::move(c));
      }
      out->push_back(std::move(dist));
    }
  }

  static void ReadGolden(const JsonReader& golden, Task task, const LoadOptions& limits, std::vector<GoldenRow>* out) {
    if (!golden.failed() && golden.size() > limits.max_golden_rows) {
      golden.Fail(OverLimit("golden row count " + std::to_string(golden.size()), limits.max_golden_rows,
                            "max_golden_rows"));
    }
    for (size_t i = 0; i < golden.size() && !golden.failed(); ++i) {
      JsonReader row = golden.Element(i);
      GoldenRow g;
      JsonReader inputs = row.Object("inputs");
      if (row.failed()) return;
      StatusOr<Record> record = RecordFromJson(inputs.json());
      if (!record.ok()) {
        inputs.Fail(record.status().message());
        return;
      }
      g.inputs = std::move(*record);
      switch (task) {
        case Task::kRegression: g.value = row.Number("value"); break;
        case Task::kBinaryClassification:
          g.raw_margin = row.OptionalNumber("raw_margin", 0);
          g.probability = row.Number("probability");
          if (!row.failed() && !(g.probability >= 0 && g.probability <= 1)) {
            row.Member("probability").Fail("must be in [0, 1]");
          }
          break;
        case Task::kMulticlassClassification: g.probabilities = row.DoubleArray("probabilities"); break;
      }
      if (task != Task::kRegression) {
        g.prediction = static_cast<int>(row.Integer("prediction"));
        const int classes = task == Task::kBinaryClassification ? 2 : static_cast<int>(g.probabilities.size());
        if (!row.failed() && (g.prediction < 0 || g.prediction >= classes)) {
          row.Member("prediction").Fail(task == Task::kBinaryClassification ? "must be 0 or 1"
                                                                           : "must be a class index");
        }
      }
      out->push_back(std::move(g));
    }
  }
};

StatusOr<Model> Model::FromJson(std::string_view bundle_json, const LoadOptions& options) {
  Json root;
  Status parsed = ParseJsonText(bundle_json, &root);
  if (!parsed.ok()) return CorruptBundleError(parsed.message());
  return BundleReader::Read(root, options);
}

StatusOr<Model> Model::Load(const std::string& path, const LoadOptions& options) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError("cannot open bundle \"" + path + "\"");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return IoError("cannot read bundle \"" + path + "\"");
  StatusOr<Model> model = FromJson(text.str(), options);
  if (!model.ok()) return Status(model.status().code(), path + ": " + model.status().message());
  return model;
}

}  // namespace stroke
