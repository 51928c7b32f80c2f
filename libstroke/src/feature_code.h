// Internal: the compiled form of a FeatureProgram (features.h holds only a
// pointer to one): each feature's expression as stack-machine code in
// postfix order. Written by the bundle reader (read_features.cc), read by
// FeatureProgram::Evaluate and MissingReach (features.cc); immutable once
// wrapped in a FeatureProgram.
#ifndef STROKE_SRC_FEATURE_CODE_H_
#define STROKE_SRC_FEATURE_CODE_H_

#include <cstdint>
#include <string>
#include <vector>

namespace stroke::internal {

// One step of a compiled feature expression. A reference to an earlier
// feature is compiled by inlining that feature's code, so it is read at full
// float64 precision and needs no storage.
enum class FeatureOp : uint8_t {
  kConst, kInput, kOneHot, kOrdinal,               // push a value
  kAdd, kMul, kMin, kMax, kAnd, kOr,               // n-ary, left to right
  kSub, kDiv, kEq, kNe, kLt, kLe, kGt, kGe,        // binary
  kNot, kNeg, kBucket,                             // unary (bucket: count of edges below x)
  kClip,                                           // ternary: clip(x, lo, hi)
  kMissing,                                        // unary: 1 if x is NaN (missing), else 0
  kCoalesce,                                       // n-ary: the first argument that is not NaN
};

struct FeatureInstruction {
  FeatureOp op = FeatureOp::kConst;
  int32_t index = 0;  // kInput/kOrdinal/kOneHot: input field; n-ary: arity;
                      // kBucket: first edge in edges
  int32_t count = 0;  // kOneHot: category index; kBucket: number of edges
  double constant = 0;  // kConst
};

// How Evaluate computes the features, planned once from the code
// (PlanFeatures). Most features are one-hot columns: they take one
// branch-free loop (a column is 0 or 1, so it needs no check). The others
// follow in feature order, each with its check; one input alone is read
// directly, the value the stack machine would compute.
struct OneHotColumn {
  int32_t input = 0;    // the input field
  int32_t feature = 0;  // the output column
  double category = 0;  // the category's index, as the input holds it
};

struct FeatureStep {
  bool direct = false;  // the feature is input `input` itself; else its code runs
  int32_t input = 0;
  int32_t feature = 0;
};

struct FeaturePlan {
  std::vector<OneHotColumn> one_hot;
  std::vector<FeatureStep> others;  // in feature order
};

struct FeatureCode {
  std::vector<std::string> names;
  std::vector<std::vector<int>> inputs_used;  // per feature: input fields, ascending
  std::vector<FeatureInstruction> code;
  std::vector<uint32_t> starts = {0};  // feature i: code[starts[i], starts[i+1])
  std::vector<double> edges;           // kBucket edges, ascending
  FeaturePlan plan;                    // PlanFeatures, once the code is complete
};

// Evaluate's plan of a complete program's code.
FeaturePlan PlanFeatures(const FeatureCode& program);

}  // namespace stroke::internal

#endif  // STROKE_SRC_FEATURE_CODE_H_
