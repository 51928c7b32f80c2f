// Models and rows for tests that compare batch paths bit for bit (thread
// counts, the C API's batch calls): random deep forests that take the
// blocked-trees layout, and rows drawn from a bundle's golden rows.
#ifndef STROKE_TESTS_BATCH_MODELS_H_
#define STROKE_TESTS_BATCH_MODELS_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "hostile_bundles.h"
#include "random_trees.h"
#include "stroke/model.h"
#include "test_util.h"

namespace stroke::testing {

// A binary RandomForest as scikit-learn exports it (two class fractions a
// leaf, averaged), of random trees 9 to 16 levels deep on the tiny bundle's
// four features: batches take the blocked-trees layout.
inline Model RandomForest(int trees, bool missing, std::mt19937& rng) {
  nlohmann::ordered_json bundle = nlohmann::ordered_json::parse(ReadFile(TinyBundlePath()));
  bundle.erase("golden");
  nlohmann::ordered_json& e = bundle["ensemble"];
  e["kind"] = "random_forest";
  e["link"] = "identity";
  e["num_outputs"] = 2;
  e["leaf_width"] = 2;
  e["aggregation"] = "mean";
  e["base_margin"] = {0.0, 0.0};
  e["tree_scale"] = 1.0;
  e["handles_missing"] = missing;
  e["trees"] = nlohmann::ordered_json::array();
  std::uniform_real_distribution<double> fraction(0, 1);
  for (int i = 0; i < trees; ++i) {
    TreeArrays t;
    GrowRandomTree(t, 9 + i % 8, 4, rng);
    std::vector<double> values;
    for (size_t node = 0; node < t.left.size(); ++node) {
      const double p = fraction(rng);
      values.push_back(1 - p), values.push_back(p);
    }
    t.value = values;
    for (uint8_t& m : t.missing_left) m = static_cast<uint8_t>(rng() % 2);
    e["trees"].push_back(nlohmann::ordered_json::parse(TreeJson(t)));
  }
  StatusOr<Model> model = Model::FromJson(bundle.dump());
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(*model) : Model();
}

// n feature rows whose columns are drawn from the golden rows' prepared
// features (values the trees were trained around), NaN now and then where
// the model takes missing values.
inline std::vector<double> RowsLikeGolden(const Model& model, size_t n, std::mt19937& rng) {
  const size_t width = model.num_features();
  std::vector<double> golden;
  std::vector<double> features(width);
  for (const GoldenRow& row : model.golden_rows()) {
    if (model.Prepare(row.inputs, features).ok()) golden.insert(golden.end(), features.begin(), features.end());
  }
  EXPECT_FALSE(golden.empty());
  const size_t count = golden.size() / width;
  std::vector<double> rows(n * width);
  for (size_t r = 0; r < n; ++r) {
    for (size_t f = 0; f < width; ++f) {
      rows[r * width + f] = golden[(rng() % count) * width + f];
      if (model.ensemble().spec().handles_missing && rng() % 20 == 0) rows[r * width + f] = NAN;
    }
  }
  return rows;
}

}  // namespace stroke::testing

#endif  // STROKE_TESTS_BATCH_MODELS_H_
