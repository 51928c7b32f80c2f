// Reads a bundle (docs/bundle-format.md) into a Model, validating every part.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "bundle_parts.h"
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
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string name = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) FlattenMetrics(*it, name, out);
    if (it->is_number()) out->emplace_back(name, it->get<double>());
  }
}

}  // namespace

StatusOr<Schema> ReadSchema(const JsonReader& inputs) {
  std::vector<FieldSpec> fields;
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
    if (f.type == FieldType::kCategory) f.categories = in.StringArray("categories");
    f.nullable = in.OptionalBool("nullable", false);
    if (in.Has("null_tokens")) f.null_tokens = in.StringArray("null_tokens");
    ReadBounds(in, "limits", &f.hard_min, &f.hard_max);
    ReadBounds(in, "training_range", &f.train_min, &f.train_max);
    if (f.nullable && f.type == FieldType::kCategory) {
      const std::string impute = in.String("impute");
      auto pos = std::find(f.categories.begin(), f.categories.end(), impute);
      if (!in.failed() && pos == f.categories.end()) {
        in.Member("impute").Fail("\"" + impute + "\" is not one of the categories");
      }
      f.impute = static_cast<double>(pos - f.categories.begin());
    } else if (f.nullable) {
      f.impute = in.Number("impute");
    }
    fields.push_back(std::move(f));
  }
  if (inputs.failed()) return inputs.error();
  if (fields.empty()) return CorruptBundleError(inputs.path() + ": no input fields declared");
  StatusOr<Schema> schema = Schema::Create(std::move(fields));
  if (!schema.ok()) return CorruptBundleError(schema.status().message());
  return schema;
}

StatusOr<Ensemble> ReadEnsemble(const JsonReader& e, int num_features) {
  const std::string kind = e.String("kind");
  if (!e.failed() && kind != "gradient_boosting") {
    e.Member("kind").Fail("unknown ensemble kind \"" + kind + "\" (supported: gradient_boosting)");
  }
  const std::string task = e.String("task");
  if (!e.failed() && task != "binary_classification") {
    e.Member("task").Fail("unknown task \"" + task + "\" (supported: binary_classification)");
  }
  const std::string split = e.String("split_rule");
  if (!e.failed() && split != "float32_le") {
    e.Member("split_rule").Fail("unknown split rule \"" + split + "\" (supported: float32_le)");
  }
  const std::string link = e.String("link");
  if (!e.failed() && link != "logistic") {
    e.Member("link").Fail("unknown link \"" + link + "\" (binary_classification uses logistic)");
  }
  EnsembleSpec spec;
  spec.num_features = static_cast<int>(e.Integer("num_features"));
  if (!e.failed() && spec.num_features != num_features) {
    e.Member("num_features").Fail("is " + std::to_string(spec.num_features) + " but \"features\" declares " +
                                  std::to_string(num_features));
  }
  spec.base_margin = e.Number("base_margin");
  spec.tree_scale = e.Number("tree_scale");
  spec.split_rule = SplitRule::kLessEqualFloat32;
  spec.link = LinkFunction::kLogistic;
  JsonReader trees = e.Array("trees");
  for (size_t i = 0; i < trees.size() && !e.failed(); ++i) {
    JsonReader t = trees.Element(i);
    TreeArrays arrays;
    arrays.feature = t.IntArray("feature");
    arrays.threshold = t.DoubleArray("threshold");
    arrays.left = t.IntArray("left");
    arrays.right = t.IntArray("right");
    arrays.value = t.DoubleArray("value");
    arrays.cover = t.DoubleArray("cover");
    // Anything but 0/1 becomes 2, which Ensemble::Create refuses with its path.
    for (int32_t flag : t.IntArray("missing_left")) {
      arrays.missing_left.push_back(flag == 0 || flag == 1 ? static_cast<uint8_t>(flag) : 2);
    }
    spec.trees.push_back(std::move(arrays));
  }
  if (e.failed()) return e.error();
  StatusOr<Ensemble> ensemble = Ensemble::Create(std::move(spec));
  if (!ensemble.ok()) return CorruptBundleError(e.path() + "." + ensemble.status().message());
  return ensemble;
}

class BundleReader {
 public:
  static StatusOr<Model> Read(const Json& root) {
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

    StatusOr<Schema> schema = ReadSchema(bundle.Array("inputs"));
    if (!schema.ok()) return schema.status();
    model.schema_ = std::move(*schema);

    StatusOr<FeatureProgram> program = FeatureProgramBuilder::Compile(bundle.Array("features"), model.schema_);
    if (!program.ok()) return program.status();
    model.program_ = std::move(*program);

    StatusOr<Ensemble> ensemble = ReadEnsemble(bundle.Object("ensemble"), static_cast<int>(model.program_.num_features()));
    if (!ensemble.ok()) return ensemble.status();
    model.ensemble_ = std::move(*ensemble);

    if (bundle.Has("golden")) ReadGolden(bundle.Array("golden"), &model.golden_);
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
    info->threshold = m.Number("threshold");
    if (!m.failed() && !(info->threshold >= 0 && info->threshold <= 1)) {
      m.Member("threshold").Fail("must be in [0, 1]");
    }
    info->class_labels = m.StringArray("class_labels");
    if (!m.failed() && info->class_labels.size() != 2) {
      m.Member("class_labels").Fail("a binary model needs exactly 2 labels");
    }
  }

  static void ReadGolden(const JsonReader& golden, std::vector<GoldenRow>* out) {
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
      g.raw_margin = row.Number("raw_margin");
      g.probability = row.Number("probability");
      g.prediction = static_cast<int>(row.Integer("prediction"));
      if (!row.failed() && !(g.probability >= 0 && g.probability <= 1)) {
        row.Member("probability").Fail("must be in [0, 1]");
      }
      if (!row.failed() && g.prediction != 0 && g.prediction != 1) {
        row.Member("prediction").Fail("must be 0 or 1");
      }
      out->push_back(std::move(g));
    }
  }
};

StatusOr<Model> Model::FromJson(std::string_view bundle_json) {
  Json root;
  Status parsed = ParseJsonText(bundle_json, &root);
  if (!parsed.ok()) return CorruptBundleError(parsed.message());
  return BundleReader::Read(root);
}

StatusOr<Model> Model::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError("cannot open bundle \"" + path + "\"");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return IoError("cannot read bundle \"" + path + "\"");
  StatusOr<Model> model = FromJson(text.str());
  if (!model.ok()) return Status(model.status().code(), path + ": " + model.status().message());
  return model;
}

}  // namespace stroke
