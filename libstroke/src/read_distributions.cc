// Reads a bundle's "distributions" section (docs/bundle-format.md): the
// training distribution of features, per class.
#include <algorithm>

#include "section_readers.h"

namespace stroke {

void ReadDistributions(const JsonReader& list, const FeatureProgram& program,
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

}  // namespace stroke
