#include "load_limit_flags.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

namespace stroke::apps {

const std::vector<LoadLimitFlag>& LoadLimitFlags() {
  static const auto* flags = new std::vector<LoadLimitFlag>{
      {"max-tree-depth", &LoadOptions::max_tree_depth, "deepest tree, root to deepest leaf"},
      {"max-tree-nodes", &LoadOptions::max_tree_nodes, "nodes in one tree"},
      {"max-total-nodes", &LoadOptions::max_total_nodes, "nodes in all trees together"},
      {"max-trees", &LoadOptions::max_trees, "trees"},
      {"max-features", &LoadOptions::max_features, "model features"},
      {"max-input-fields", &LoadOptions::max_input_fields, "input fields"},
      {"max-categories", &LoadOptions::max_categories, "categories of one category field"},
      {"max-feature-operations", &LoadOptions::max_feature_operations, "feature-program operations per record"},
      {"max-golden-rows", &LoadOptions::max_golden_rows, "golden rows"},
      {"max-bundle-bytes", &LoadOptions::max_bundle_bytes, "bytes of a bundle file", size_t{1} << 40},
  };
  return *flags;
}

Status SetLoadLimit(const LoadLimitFlag& flag, const std::string& text, LoadOptions* options) {
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 1 || static_cast<unsigned long long>(value) > flag.max) {
    return InvalidInputError(fmt::format("--{}: expected an integer in [1, {}], got \"{}\"", flag.name, flag.max, text));
  }
  options->*flag.field = static_cast<size_t>(value);
  return Status::Ok();
}

void AddLoadLimitOptions(CLI::App* app, LoadOptions* load, const std::string& group) {
  const LoadOptions defaults;
  for (const LoadLimitFlag& flag : LoadLimitFlags()) {
    auto set = [&flag, load](const std::string& text) {
      if (Status s = SetLoadLimit(flag, text, load); !s.ok()) throw CLI::ValidationError(s.message());
    };
    app->add_option_function<std::string>(fmt::format("--{}", flag.name), set,
                                          fmt::format("{} (default {})", flag.help, defaults.*flag.field))
        ->type_name("N")
        ->group(group);
  }
}

}  // namespace stroke::apps
