// Internal: the engine behind stroke::Ensemble (ensemble.h holds only a
// pointer to one). Built once from a validated EnsembleSpec, then read-only:
// all trees' nodes in one array (the general node walk), the complete-tree
// layout for shallow trees (complete_trees.h, with its AVX-512 kernel), the
// categorical bitsets, and what TreeSHAP needs (covers, expected values).
// Every method is const and thread-safe; none allocates on the hot path.
// Tests may include this header to look inside (the YDF *_internal.h style).
#ifndef STROKE_SRC_ENSEMBLE_ENGINE_H_
#define STROKE_SRC_ENSEMBLE_ENGINE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shap_table.h"
#include "stroke/ensemble.h"

namespace stroke {

class CompleteTrees;  // the fast layout for shallow trees (complete_trees.h)
class BlockedTrees;   // batches of deep trees and large forests (blocked_trees.h)

namespace internal {

// One element of a TreeSHAP path.
struct ShapPathElement {
  int32_t feature = -1;
  double zero_fraction = 0;
  double one_fraction = 0;
  double weight = 0;
};

// How EnsembleEngine::Shap explains: with the precomputed tables where a
// tree has one (shap_table.h), or with algorithm 2 for every tree (the
// reference the tables are tested against).
enum class ShapMethod { kTables, kPathOnly };

// The memory behind a ShapScratch: the TreeSHAP path of every level of the
// deepest tree and the subtrees still to visit (algorithm 2), the
// followed-feature bits of each node of the largest table tree, and the
// table trees' partial sums.
struct ShapBuffers {
  // A subtree still to visit: its root and the path leading to it.
  struct Pending {
    uint32_t node;
    uint32_t depth;   // elements of the parent's path after unwinding, plus one
    size_t parent;    // the parent's path: path[parent, parent + depth)
    double zero_fraction;
    double one_fraction;
    int32_t feature;  // the parent's split feature (-1 for a root)
  };
  std::vector<ShapPathElement> path;
  std::vector<Pending> pending;
  std::vector<uint8_t> followed;
  std::vector<double> partial;  // kPartialSums sums of num_features contributions (table trees)
};

// Table trees add their leaves' contributions into this many sums in turn.
inline constexpr size_t kPartialSums = 4;

class EnsembleEngine {
 public:
  EnsembleEngine() = default;  // no trees: predicts the default base margin
  // Validates `spec` as Ensemble::Create documents, and derives the layouts.
  static StatusOr<EnsembleEngine> Create(EnsembleSpec spec, const LoadOptions& limits);

  const EnsembleSpec& spec() const { return spec_; }
  int max_depth() const { return max_depth_; }
  double ExpectedValue(int output) const { return expected_value_[static_cast<size_t>(output)]; }
  std::string layout() const;

  // As Ensemble's methods of the same names, on raw pointers.
  void PredictRawBatch(const double* rows, size_t n, double* raw) const;
  void Link(const double* raw, double* out) const;
  // `buffers`: sized by SizeShapBuffers for this engine, or phi is NaN.
  void Shap(const double* row, int output, double* phi, ShapBuffers& buffers,
            ShapMethod method = ShapMethod::kTables) const;
  // Builds the TreeSHAP tables on its first call (once per engine,
  // thread-safe), then sizes `buffers` for this engine; false when the
  // memory cannot be allocated.
  bool SizeShapBuffers(ShapBuffers* buffers) const;
  // The TreeSHAP tables once built (null before, or if they could not be).
  const ShapTables* shap_tables() const;

 private:
  // Execution layout derived from spec_ at load: all trees' nodes in one array.
  struct Node {
    int32_t feature;  // -1 for a leaf
    int32_t left;     // absolute node index; leaf: offset of its values in leaf_values_
    int32_t right;
    int32_t bitset;   // categorical node: index of its 8-word bitset, else -1
    uint8_t missing_left;
    double threshold;  // leaf: its first scaled value (the whole value when leaf_width is 1)
  };
  struct Root {
    uint32_t node;
    uint32_t output;
  };
  // kSpecial: the ensemble has missing values or categorical splits to check
  // for; without them a node is one comparison.
  template <SplitRule kRule, bool kSpecial>
  bool GoesLeft(const Node& node, double x) const;
  template <SplitRule kRule, bool kSpecial>
  const Node& Walk(uint32_t root, const double* row) const;
  template <SplitRule kRule>
  void ShapTree(const double* row, uint32_t root, size_t value_index, double* phi, ShapBuffers& scratch) const;
  // kSpecial as GoesLeft's: false only where no row can hold NaN or a
  // categorical split (special_ false).
  template <SplitRule kRule, bool kSpecial>
  void ShapTableTree(const double* row, uint32_t root, const ShapTables::Tree& tree, size_t value_index,
                     double* partial, size_t stride, uint8_t* followed) const;
  template <SplitRule kRule>
  void ShapTrees(const double* row, int output, double* phi, ShapBuffers& scratch, const ShapTables* tables) const;
  // Cover-weighted mean of value `value_index` of tree `tree`'s leaves,
  // computed children before parents; `order` and `mean` are reused buffers.
  double TreeMean(size_t tree, size_t value_index, std::vector<uint32_t>* order, std::vector<double>* mean) const;
  void PrepareShap();
  template <SplitRule kRule, bool kSpecial, typename Real>
  void Accumulate(const double* row, Real* acc) const;
  template <typename Real>
  void Dispatch(const double* row, Real* acc) const;
  // Whether the complete layout can take these rows (no NaN to route).
  bool CompleteFits(const double* rows, size_t n) const;
  template <typename Real>
  void AccumulateRows(const double* rows, size_t n, Real* acc) const;

  EnsembleSpec spec_;
  std::vector<Node> nodes_;
  std::vector<Root> roots_;
  std::vector<double> covers_;                  // per node (absolute index)
  std::vector<double> expected_value_;          // per output
  int max_depth_ = 0;
  bool special_ = false;
  std::vector<double> leaf_values_;            // tree_scale * value, per leaf
  std::vector<std::array<uint32_t, 8>> bitsets_;  // left categories per categorical node
  std::vector<int32_t> known_bitset_;           // per feature: index into bitsets_ or -1
  std::shared_ptr<const CompleteTrees> complete_;  // null: walk nodes_
  // Batches the complete layout does not take (deep trees, rows with NaN);
  // null for categorical splits: walk nodes_.
  std::shared_ptr<const BlockedTrees> blocked_;
  // Built by the first SizeShapBuffers (the first ShapScratch), not at load:
  // a model that never explains pays nothing for them.
  struct LazyShapTables {
    std::once_flag once;
    std::atomic<bool> ready{false};  // tables built (release / acquire)
    ShapTables tables;
  };
  std::unique_ptr<LazyShapTables> shap_tables_ = std::make_unique<LazyShapTables>();
};

}  // namespace internal
}  // namespace stroke

#endif  // STROKE_SRC_ENSEMBLE_ENGINE_H_
