// Reads a bundle's "model" section (docs/bundle-format.md) into a ModelInfo.
#include "section_readers.h"

namespace stroke {
namespace {

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

void ReadModelInfo(const JsonReader& m, ModelInfo* info) {
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

}  // namespace stroke
