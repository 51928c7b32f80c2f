// Reads a bundle's "features" section (docs/bundle-format.md): compiles each
// feature's expression into the FeatureProgram's stack-machine code.
#include <algorithm>
#include <map>
#include <set>

#include "feature_code.h"
#include "load_limits.h"
#include "section_readers.h"

namespace stroke {
namespace {

using internal::FeatureCode;
using internal::FeatureInstruction;
using internal::FeatureOp;

struct OpInfo {
  FeatureOp op;
  int min_args;
  int max_args;  // -1: any number >= min_args
};

const std::map<std::string, OpInfo>& Ops() {
  static const auto* ops = new std::map<std::string, OpInfo>{
      {"add", {FeatureOp::kAdd, 2, -1}}, {"mul", {FeatureOp::kMul, 2, -1}},
      {"min", {FeatureOp::kMin, 2, -1}}, {"max", {FeatureOp::kMax, 2, -1}},
      {"and", {FeatureOp::kAnd, 2, -1}}, {"or", {FeatureOp::kOr, 2, -1}},
      {"sub", {FeatureOp::kSub, 2, 2}},  {"div", {FeatureOp::kDiv, 2, 2}},
      {"eq", {FeatureOp::kEq, 2, 2}},    {"ne", {FeatureOp::kNe, 2, 2}},
      {"lt", {FeatureOp::kLt, 2, 2}},    {"le", {FeatureOp::kLe, 2, 2}},
      {"gt", {FeatureOp::kGt, 2, 2}},    {"ge", {FeatureOp::kGe, 2, 2}},
      {"not", {FeatureOp::kNot, 1, 1}},  {"neg", {FeatureOp::kNeg, 1, 1}},
      {"clip", {FeatureOp::kClip, 3, 3}},  {"missing", {FeatureOp::kMissing, 1, 1}},
      {"coalesce", {FeatureOp::kCoalesce, 2, -1}},
  };
  return *ops;
}

// Compiles one expression at a time into postfix code, tracking stack depth
// and the operations a record's evaluation will run.
class ExpressionCompiler {
 public:
  // `earlier` maps names of already compiled features to their index in
  // `program`; `depths` holds their maximum stack depths and `operations`
  // their operation counts. `program_operations` counts the whole program's
  // so far, against `limits.max_feature_operations`.
  ExpressionCompiler(const Schema& schema, const std::map<std::string, size_t>& earlier,
                     const std::vector<int>& depths, const std::vector<size_t>& operations,
                     FeatureCode* program, std::set<int>* inputs_used, size_t* program_operations,
                     const LoadOptions& limits)
      : schema_(schema), earlier_(earlier), depths_(depths), operations_(operations), program_(*program),
        code_(&program->code), edges_(&program->edges), inputs_used_(inputs_used),
        program_operations_(program_operations), limits_(limits) {}

  bool Compile(const Json& expr, const std::string& path) {
    if (expr.is_number()) return Push({FeatureOp::kConst, 0, 0, expr.get<double>()}, path);
    if (!expr.is_array() || expr.empty() || !expr[0].is_string()) {
      return Fail(path, "expected a number or an array [\"op\", args...]");
    }
    const std::string op = expr[0].get<std::string>();
    const int args = static_cast<int>(expr.size()) - 1;
    if (op == "input" || op == "ordinal" || op == "onehot") return CompileInputOp(expr, op, path);
    if (op == "feature") return CompileFeatureRef(expr, path);
    if (op == "bucket") {
      if (args != 2 || !expr[2].is_array() || expr[2].empty()) {
        return Fail(path, "bucket takes [\"bucket\", x, [edge, ...]] with ascending edges");
      }
      if (!Compile(expr[1], path + "[1]")) return false;
      if (!Count(expr[2].size() + 1, path)) return false;
      int first = static_cast<int>(edges_->size());
      for (size_t i = 0; i < expr[2].size(); ++i) {
        const Json& edge = expr[2][i];
        if (!edge.is_number() || (i > 0 && edge.get<double>() <= edges_->back())) {
          return Fail(path + "[2][" + std::to_string(i) + "]", "edges must be ascending numbers");
        }
        edges_->push_back(edge.get<double>());
      }
      code_->push_back({FeatureOp::kBucket, first, static_cast<int32_t>(expr[2].size()), 0});
      return true;
    }
    auto it = Ops().find(op);
    if (it == Ops().end()) return Fail(path + "[0]", "unknown op \"" + op + "\"");
    const OpInfo& info = it->second;
    if (args < info.min_args || (info.max_args >= 0 && args > info.max_args)) {
      return Fail(path, "\"" + op + "\" takes " + std::to_string(info.min_args) +
                            (info.max_args < 0 ? " or more" : "") + " arguments, got " +
                            std::to_string(args));
    }
    for (int i = 1; i <= args; ++i) {
      if (!Compile(expr[i], path + "[" + std::to_string(i) + "]")) return false;
    }
    if (!Count(1, path)) return false;
    code_->push_back({info.op, args, 0, 0});
    depth_ -= args - 1;
    return true;
  }

  int max_depth() const { return max_depth_; }
  size_t operations() const { return operations_here_; }
  const std::string& error() const { return error_; }

 private:
  bool CompileInputOp(const Json& expr, const std::string& op, const std::string& path) {
    const size_t want = op == "onehot" ? 3 : 2;
    if (expr.size() != want || !expr[1].is_string() || (want == 3 && !expr[2].is_string())) {
      return Fail(path, op == "onehot" ? "onehot takes [\"onehot\", \"field\", \"category\"]"
                                       : op + " takes [\"" + op + "\", \"field\"]");
    }
    const std::string name = expr[1].get<std::string>();
    const int index = schema_.IndexOf(name);
    if (index < 0) return Fail(path + "[1]", "unknown input field \"" + name + "\"");
    const FieldSpec& field = schema_.fields()[index];
    inputs_used_->insert(index);
    const bool category = field.type == FieldType::kCategory;
    if (op == "input") {
      if (category) return Fail(path, "\"" + name + "\" is a category: use onehot or ordinal");
      return Push({FeatureOp::kInput, index, 0, 0}, path);
    }
    if (!category) return Fail(path, op + " needs a category field; \"" + name + "\" is not one");
    if (op == "ordinal") return Push({FeatureOp::kOrdinal, index, 0, 0}, path);
    const std::string value = expr[2].get<std::string>();
    auto pos = std::find(field.categories.begin(), field.categories.end(), value);
    if (pos == field.categories.end()) {
      return Fail(path + "[2]", "\"" + value + "\" is not a category of \"" + name + "\"");
    }
    return Push({FeatureOp::kOneHot, index, static_cast<int32_t>(pos - field.categories.begin()), 0},
                path);
  }

  // A reference to an earlier feature inlines its code (float64, no storage).
  bool CompileFeatureRef(const Json& expr, const std::string& path) {
    if (expr.size() != 2 || !expr[1].is_string()) return Fail(path, "feature takes [\"feature\", \"name\"]");
    const std::string& name = expr[1].get_ref<const std::string&>();
    auto it = earlier_.find(name);
    if (it == earlier_.end()) {
      std::string message = "\"";
      message.append(name).append("\" is not a feature defined before this one");
      return Fail(path + "[1]", message);
    }
    const size_t f = it->second;
    if (!Count(operations_[f], path)) return false;  // before copying: copies can double each time
    for (uint32_t i = program_.starts[f]; i < program_.starts[f + 1]; ++i) {
      code_->push_back(program_.code[i]);
    }
    const auto& used = program_.inputs_used[f];
    inputs_used_->insert(used.begin(), used.end());
    // The inlined code leaves exactly one value, after using at most its own max depth.
    max_depth_ = std::max(max_depth_, depth_ + depths_[f]);
    ++depth_;
    return Check(path);
  }

  bool Push(FeatureInstruction instruction, const std::string& path) {
    if (!Count(1, path)) return false;
    code_->push_back(instruction);
    ++depth_;
    max_depth_ = std::max(max_depth_, depth_);
    return Check(path);
  }
  bool Check(const std::string& path) {
    if (max_depth_ > FeatureProgram::kMaxStack) return Fail(path, "expression too deep");
    return true;
  }
  // Adds `n` operations per record (each below the limit, so no wrap).
  bool Count(size_t n, const std::string& path) {
    if (n > limits_.max_feature_operations - std::min(*program_operations_, limits_.max_feature_operations)) {
      return Fail(path, OverLimit("the feature program's operation count per record " +
                                      std::to_string(*program_operations_ + n),
                                  limits_.max_feature_operations, "max_feature_operations"));
    }
    *program_operations_ += n;
    operations_here_ += n;
    return true;
  }
  bool Fail(const std::string& path, const std::string& message) {
    if (error_.empty()) error_ = path + ": " + message;
    return false;
  }

  const Schema& schema_;
  const std::map<std::string, size_t>& earlier_;
  const std::vector<int>& depths_;
  const std::vector<size_t>& operations_;
  const FeatureCode& program_;
  std::vector<FeatureInstruction>* code_;
  std::vector<double>* edges_;
  std::set<int>* inputs_used_;
  size_t* program_operations_;
  const LoadOptions& limits_;
  size_t operations_here_ = 0;
  int depth_ = 0;
  int max_depth_ = 0;
  std::string error_;
};

}  // namespace

StatusOr<FeatureProgram> ReadFeatures(const JsonReader& features, const Schema& schema, const LoadOptions& limits) {
  FeatureCode program;
  std::map<std::string, size_t> earlier;
  std::vector<int> depths;
  std::vector<size_t> operations;
  size_t program_operations = 0;
  if (features.size() == 0) return CorruptBundleError(features.path() + ": no features declared");
  if (features.size() > limits.max_features) {
    return CorruptBundleError(features.path() + ": " + OverLimit("feature count " + std::to_string(features.size()),
                                                                 limits.max_features, "max_features"));
  }
  for (size_t i = 0; i < features.size(); ++i) {
    JsonReader feature = features.Element(i);
    std::string name = feature.String("name");
    JsonReader expr = feature.Member("expr");
    if (feature.failed()) return feature.error();
    if (earlier.count(name)) return CorruptBundleError(feature.path() + ".name: \"" + name + "\" is declared twice");
    std::set<int> used;
    ExpressionCompiler compiler(schema, earlier, depths, operations, &program, &used, &program_operations, limits);
    if (!compiler.Compile(expr.json(), expr.path())) return CorruptBundleError(compiler.error());
    depths.push_back(compiler.max_depth());
    operations.push_back(compiler.operations());
    earlier[name] = i;
    program.names.push_back(name);
    program.inputs_used.emplace_back(used.begin(), used.end());
    program.starts.push_back(static_cast<uint32_t>(program.code.size()));
  }
  program.plan = internal::PlanFeatures(program);
  return FeatureProgram(std::make_shared<const FeatureCode>(std::move(program)));
}


}  // namespace stroke
