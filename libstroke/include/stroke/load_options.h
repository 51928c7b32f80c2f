// LoadOptions: how much a bundle may ask for. A bundle is JSON from outside
// the process; these limits bound what loading it, predicting with it and
// explaining with it may cost (memory, time, stack), so a hostile or broken
// bundle is refused with kCorruptBundle naming the limit, the value and the
// JSON path, instead of exhausting the machine:
//
//   ensemble.trees[3]: depth 10001 exceeds the limit of 1024
//   (LoadOptions.max_tree_depth; --max-tree-depth in stroke-predict and stroke-serve)
//
// The defaults admit every forest scikit-learn or XGBoost grows on millions
// of rows (docs/bundle-format.md, "Limits", gives the reasoning); raise a
// limit for a bigger model:
//
//   stroke::LoadOptions options;
//   options.max_tree_depth = 100000;
//   auto model = stroke::Model::Load("deep.bundle.json", options);
//
// Each field's name is also a flag of stroke-predict and stroke-serve
// (max_tree_depth <-> --max-tree-depth).
#ifndef STROKE_LOAD_OPTIONS_H_
#define STROKE_LOAD_OPTIONS_H_

#include <cstddef>

#include "stroke/export.h"

namespace stroke {

struct STROKE_EXPORT LoadOptions {
  // Deepest tree: edges from the root to the deepest leaf (a lone leaf has
  // depth 0, as scikit-learn's tree_.max_depth counts). Trees grown without a
  // depth limit on millions of rows are 20-100 deep; 1024 leaves a wide
  // margin. Cost: an explanation's scratch grows with depth x min(depth,
  // features) path elements (at most ~17 MB at 1024), TreeSHAP time with
  // leaves x min(depth, features)^2; prediction time with depth.
  size_t max_tree_depth = 1024;
  // Most nodes in one tree. A tree grown to purity on n rows has at most
  // 2n - 1 nodes, so 2^23 admits one grown on 4 million distinct rows.
  // Cost: about 100 bytes of memory per node while loading and serving.
  size_t max_tree_nodes = size_t{1} << 23;
  // Most nodes in all trees together (a hard ceiling of 2^31 - 1 applies
  // regardless: nodes are addressed with 32-bit indices). 2^28 admits 100
  // trees of 2.6 million nodes. Cost: about 100 bytes per node.
  size_t max_total_nodes = size_t{1} << 28;
  // Most trees (a multiclass booster has rounds x classes trees: 10,000
  // rounds of 32 classes is 320,000). Cost: prediction time per record.
  size_t max_trees = size_t{1} << 20;
  // Most model features (the length of the feature vector each record is
  // turned into; one-hot columns count one each). Cost: 8 bytes per feature
  // per record in flight, and every feature is computed for every record.
  size_t max_features = size_t{1} << 16;
  // Most input fields in the schema. Checking a record compares every field
  // name with the record's, so the cost per record grows with the square.
  size_t max_input_fields = 4096;
  // Most categories of one category field. Cost: a record's category is
  // looked up among them.
  size_t max_categories = size_t{1} << 16;
  // Most operations the feature program may run per record: one per compiled
  // instruction plus one per bucket edge. A reference to an earlier feature
  // repeats that feature's operations, so a short bundle could otherwise ask
  // for exponentially many. Cost: time per record.
  size_t max_feature_operations = size_t{1} << 20;
  // Most golden rows (export-time answers kept for checks). Cost: memory.
  size_t max_golden_rows = 10000;
  // Largest bundle, in bytes of JSON text (Model::Load reads only regular
  // files, and never more than this; Model::FromJson refuses longer text).
  // 2^32 (4 GiB) admits ~35 million tree nodes (~120 bytes each in JSON),
  // far beyond any boosted model; a random forest grown to purity on a
  // million rows is bigger: raise the limit, and give parsing several times
  // the file's size in memory. Cost: memory while loading.
  size_t max_bundle_bytes = size_t{1} << 32;
};

}  // namespace stroke

#endif  // STROKE_LOAD_OPTIONS_H_
