// FeatureProgram's evaluation (the compiler is read_features.cc).
#include "stroke/features.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

#include "feature_code.h"

namespace stroke {
namespace {

using internal::FeatureCode;
using internal::FeatureInstruction;
using internal::FeatureOp;
using internal::FeatureStep;
using internal::OneHotColumn;

const std::shared_ptr<const FeatureCode>& EmptyCode() {
  static const auto* empty = new std::shared_ptr<const FeatureCode>(std::make_shared<const FeatureCode>());
  return *empty;
}


// min/max that propagate NaN (as numpy does), identically in Python.
double NanMin(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (b < a ? b : a); }
double NanMax(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (b > a ? b : a); }

// Whether an op's result can be NaN only because an argument is: the fields
// that can make it NaN, from its arguments' (`args`, each a set of fields).
std::set<int> MissingFrom(FeatureOp op, const std::set<int>* args, int n) {
  switch (op) {
    case FeatureOp::kOneHot: case FeatureOp::kAnd: case FeatureOp::kOr: case FeatureOp::kEq:
    case FeatureOp::kNe: case FeatureOp::kLt: case FeatureOp::kLe: case FeatureOp::kGt:
    case FeatureOp::kGe: case FeatureOp::kNot: case FeatureOp::kMissing:
      return {};  // 0 or 1, whatever the arguments
    case FeatureOp::kCoalesce:
      for (int k = 0; k < n; ++k) {
        if (args[k].empty()) return {};  // an argument that is never NaN from an input
      }
      break;
    default:
      break;
  }
  std::set<int> out;
  for (int k = 0; k < n; ++k) out.insert(args[k].begin(), args[k].end());
  return out;
}

// One feature's code[begin, end) on the stack machine: its value.
double RunFeature(const FeatureInstruction* code, uint32_t begin, uint32_t end, Span<const double> inputs,
                  const double* edges) {
  double stack[FeatureProgram::kMaxStack];
  int top = 0;  // number of values on the stack
  for (uint32_t pc = begin; pc < end; ++pc) {
    const FeatureInstruction& in = code[pc];
    switch (in.op) {
      case FeatureOp::kConst: stack[top++] = in.constant; break;
      case FeatureOp::kInput:
      case FeatureOp::kOrdinal: stack[top++] = inputs[in.index]; break;
      case FeatureOp::kOneHot: stack[top++] = inputs[in.index] == in.count ? 1.0 : 0.0; break;
      case FeatureOp::kNot: stack[top - 1] = stack[top - 1] == 0 ? 1.0 : 0.0; break;
      case FeatureOp::kMissing: stack[top - 1] = std::isnan(stack[top - 1]) ? 1.0 : 0.0; break;
      case FeatureOp::kNeg: stack[top - 1] = -stack[top - 1]; break;
      case FeatureOp::kBucket: {
        double x = stack[top - 1];
        int below = 0;
        for (int e = 0; e < in.count; ++e) below += x > edges[in.index + e] ? 1 : 0;
        stack[top - 1] = std::isnan(x) ? NAN : below;
        break;
      }
      case FeatureOp::kClip: {
        top -= 2;
        stack[top - 1] = NanMin(NanMax(stack[top - 1], stack[top]), stack[top + 1]);
        break;
      }
      default: {  // n-ary and binary ops fold left to right
        const int n = in.index;
        double* args = stack + top - n;
        double acc = args[0];
        for (int k = 1; k < n; ++k) {
          const double b = args[k];
          switch (in.op) {
            case FeatureOp::kAdd: acc = acc + b; break;
            case FeatureOp::kMul: acc = acc * b; break;
            case FeatureOp::kMin: acc = NanMin(acc, b); break;
            case FeatureOp::kMax: acc = NanMax(acc, b); break;
            case FeatureOp::kAnd: acc = (acc != 0 && b != 0) ? 1.0 : 0.0; break;
            case FeatureOp::kOr: acc = (acc != 0 || b != 0) ? 1.0 : 0.0; break;
            case FeatureOp::kSub: acc = acc - b; break;
            case FeatureOp::kDiv: acc = acc / b; break;
            case FeatureOp::kEq: acc = acc == b ? 1.0 : 0.0; break;
            case FeatureOp::kNe: acc = acc != b ? 1.0 : 0.0; break;
            case FeatureOp::kLt: acc = acc < b ? 1.0 : 0.0; break;
            case FeatureOp::kLe: acc = acc <= b ? 1.0 : 0.0; break;
            case FeatureOp::kGt: acc = acc > b ? 1.0 : 0.0; break;
            case FeatureOp::kGe: acc = acc >= b ? 1.0 : 0.0; break;
            case FeatureOp::kCoalesce: acc = std::isnan(acc) ? b : acc; break;
            default: break;
          }
        }
        top -= n - 1;
        stack[top - 1] = acc;
      }
    }
  }
  return stack[0];
}

// Whether feature `name`'s `value` is one the domain takes (FeatureValueProblem).
Status CheckFeature(double value, const std::string& name, const FeatureDomain& domain) {
  const char* problem = FeatureValueProblem(value, domain);
  if (problem == nullptr) return Status::Ok();
  return InvalidInputError("feature \"" + name + (std::isnan(value) ? "\" is " : "\" evaluates to a value that is ") +
                           problem);
}

}  // namespace

const char* FeatureValueProblem(double value, const FeatureDomain& domain) {
  if (std::isnan(value)) {
    return domain.allow_missing ? nullptr : "missing (NaN) and this model cannot take missing values";
  }
  if (domain.float32) return std::isfinite(static_cast<float>(value)) ? nullptr : "not a finite float32";
  return std::isinf(value) ? "not a finite number" : nullptr;
}

namespace internal {

FeaturePlan PlanFeatures(const FeatureCode& program) {
  FeaturePlan plan;
  for (size_t f = 0; f < program.names.size(); ++f) {
    const uint32_t begin = program.starts[f];
    const FeatureInstruction& in = program.code[begin];
    const bool single = program.starts[f + 1] == begin + 1;
    const auto feature = static_cast<int32_t>(f);
    if (single && in.op == FeatureOp::kOneHot) {
      plan.one_hot.push_back({in.index, feature, static_cast<double>(in.count)});
    } else {
      plan.others.push_back({single && (in.op == FeatureOp::kInput || in.op == FeatureOp::kOrdinal), in.index, feature});
    }
  }
  return plan;
}

}  // namespace internal

FeatureProgram::FeatureProgram() : code_(EmptyCode()) {}
FeatureProgram::FeatureProgram(std::shared_ptr<const FeatureCode> code) : code_(std::move(code)) {}

size_t FeatureProgram::num_features() const { return code_->names.size(); }
const std::vector<std::string>& FeatureProgram::feature_names() const { return code_->names; }
const std::vector<int>& FeatureProgram::feature_inputs(size_t i) const { return code_->inputs_used[i]; }

Status FeatureProgram::Evaluate(Span<const double> inputs, Span<double> out,
                                const FeatureDomain& domain) const {
  const FeatureCode& program = *code_;
  if (out.size() != program.names.size()) return InvalidInputError("feature buffer has the wrong size");
  // A value of magnitude <= limit passes whatever the domain; any other
  // (NaN, infinite, or beyond float32) is looked at by CheckFeature.
  const double limit = domain.float32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  // 1.0 or 0.0 as 1.0's bits under the compare's mask: without a branch,
  // which the compiler makes of `equal ? 1.0 : 0.0` and which mispredicts
  // once per category field and row.
  constexpr uint64_t kOneBits = std::bit_cast<uint64_t>(1.0);
  for (const OneHotColumn& column : program.plan.one_hot) {
    const uint64_t mask = 0 - static_cast<uint64_t>(inputs[column.input] == column.category);
    out[column.feature] = std::bit_cast<double>(mask & kOneBits);
  }
  for (const FeatureStep& step : program.plan.others) {
    const size_t f = static_cast<size_t>(step.feature);
    const double value = step.direct ? inputs[step.input]
                                     : RunFeature(program.code.data(), program.starts[f], program.starts[f + 1], inputs,
                                                  program.edges.data());
    if (!(std::fabs(value) <= limit)) {
      Status checked = CheckFeature(value, program.names[f], domain);
      if (!checked.ok()) return checked;
    }
    out[f] = value;
  }
  return Status::Ok();
}

std::pair<int, int> FeatureProgram::MissingReach(const std::vector<bool>& missing_inputs) const {
  const std::vector<std::string>& names_ = code_->names;
  const std::vector<uint32_t>& starts_ = code_->starts;
  const std::vector<FeatureInstruction>& code_here = code_->code;
  std::vector<std::set<int>> stack(kMaxStack);
  for (size_t f = 0; f < names_.size(); ++f) {
    int top = 0;
    for (uint32_t pc = starts_[f]; pc < starts_[f + 1]; ++pc) {
      const FeatureInstruction& in = code_here[pc];
      switch (in.op) {
        case FeatureOp::kConst: case FeatureOp::kOneHot: stack[top++] = {}; break;
        case FeatureOp::kInput:
        case FeatureOp::kOrdinal:
          stack[top++] = missing_inputs[in.index] ? std::set<int>{in.index} : std::set<int>{};
          break;
        case FeatureOp::kNeg: case FeatureOp::kBucket: break;  // NaN in, NaN out
        case FeatureOp::kNot: case FeatureOp::kMissing: stack[top - 1] = {}; break;
        case FeatureOp::kClip:
          top -= 2;
          stack[top - 1] = MissingFrom(in.op, &stack[top - 1], 3);
          break;
        default:
          top -= in.index - 1;
          stack[top - 1] = MissingFrom(in.op, &stack[top - 1], in.index);
      }
    }
    if (!stack[0].empty()) return {*stack[0].begin(), static_cast<int>(f)};
  }
  return {-1, -1};
}

}  // namespace stroke
