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

struct FeatureCode {
  std::vector<std::string> names;
  std::vector<std::vector<int>> inputs_used;  // per feature: input fields, ascending
  std::vector<FeatureInstruction> code;
  std::vector<uint32_t> starts = {0};  // feature i: code[starts[i], starts[i+1])
  std::vector<double> edges;           // kBucket edges, ascending
};

}  // namespace stroke::internal

#endif  // STROKE_SRC_FEATURE_CODE_H_
