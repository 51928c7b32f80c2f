// Builders for hostile bundles in tests: chain trees of any depth, as
// TreeArrays or JSON text written directly (a million-node tree is a few
// string appends, not a JSON DOM), spliced into the tiny test bundle.
#ifndef STROKE_TESTS_HOSTILE_BUNDLES_H_
#define STROKE_TESTS_HOSTILE_BUNDLES_H_

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "stroke/ensemble.h"
#include "test_util.h"

namespace stroke::testing {

// A chain of `depth` splits on `feature`: inner node 2i (i < depth) sends
// x <= i left, to the leaf 2i + 1 of value i, and the rest right, to node
// 2i + 2; the last node, 2 * depth, is a leaf of value depth. So an x in
// (i - 1, i] reaches the leaf of value i. Covers count the leaves below.
inline TreeArrays ChainTree(size_t depth, int32_t feature = 0) {
  TreeArrays t;
  const size_t n = 2 * depth + 1;
  t.feature.assign(n, -2);
  t.threshold.assign(n, -2);
  t.left.assign(n, -1);
  t.right.assign(n, -1);
  t.value.assign(n, 0);
  t.cover.assign(n, 1);
  t.missing_left.assign(n, 0);
  for (size_t i = 0; i < depth; ++i) {
    const size_t node = 2 * i;
    t.feature[node] = feature;
    t.threshold[node] = static_cast<double>(i);
    t.left[node] = static_cast<int32_t>(node + 1);
    t.right[node] = static_cast<int32_t>(node + 2);
    t.cover[node] = static_cast<double>(depth - i + 1);
    t.value[node + 1] = static_cast<double>(i);
  }
  t.value[n - 1] = static_cast<double>(depth);
  return t;
}

// `tree` as a bundle's tree object.
inline std::string TreeJson(const TreeArrays& t) {
  std::string out = "{";
  auto array = [&out](const char* name, const auto& values, bool last = false) {
    out.append("\"").append(name).append("\":[");
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      out += nlohmann::json(values[i]).dump();  // shortest round-trip text, as the exporter writes
    }
    out.append(last ? "]" : "],");
  };
  array("feature", t.feature);
  array("threshold", t.threshold);
  array("left", t.left);
  array("right", t.right);
  array("value", t.value);
  array("cover", t.cover);
  std::vector<int> missing_left(t.missing_left.begin(), t.missing_left.end());
  array("missing_left", missing_left, true);
  return out + "}";
}

// The tiny test bundle's trees as JSON: a depth-2 tree and a single leaf.
inline std::vector<std::string> TinyTreesJson() {
  const nlohmann::ordered_json bundle = nlohmann::ordered_json::parse(ReadFile(TinyBundlePath()));
  std::vector<std::string> trees;
  for (const auto& tree : bundle["ensemble"]["trees"]) trees.push_back(tree.dump());
  return trees;
}

// The tiny test bundle with its trees replaced by `trees` (JSON objects).
inline std::string TinyBundleWithTrees(const std::vector<std::string>& trees) {
  nlohmann::ordered_json bundle = nlohmann::ordered_json::parse(ReadFile(TinyBundlePath()));
  bundle["ensemble"]["trees"] = "@TREES@";
  std::string text = bundle.dump();
  std::string list = "[";
  for (size_t i = 0; i < trees.size(); ++i) list.append(i ? "," : "").append(trees[i]);
  list += "]";
  return text.replace(text.find("\"@TREES@\""), 9, list);
}

}  // namespace stroke::testing

#endif  // STROKE_TESTS_HOSTILE_BUNDLES_H_
