// The LoadOptions limits (stroke/load_options.h) as command-line flags,
// shared by stroke-predict and stroke-serve: each flag is its field's name
// with dashes (max_tree_depth <-> --max-tree-depth), the name the library's
// "exceeds the limit" messages give.
#ifndef STROKE_APPS_COMMON_LOAD_LIMIT_FLAGS_H_
#define STROKE_APPS_COMMON_LOAD_LIMIT_FLAGS_H_

#include <string>
#include <vector>

#include "stroke/load_options.h"
#include "stroke/status.h"

namespace CLI {
class App;
}

namespace stroke::apps {

struct LoadLimitFlag {
  const char* name;               // without "--": "max-tree-depth"
  size_t LoadOptions::*field;     // the limit it sets
  const char* help;               // one line for the usage text
  size_t max = 2147483647;        // the largest value the flag takes
};

// Every limit of LoadOptions, in the order the usage text lists them.
const std::vector<LoadLimitFlag>& LoadLimitFlags();

// Sets `flag`'s limit in *options from `text`, an integer in [1, flag.max].
// kInvalidInput naming the flag otherwise.
Status SetLoadLimit(const LoadLimitFlag& flag, const std::string& text, LoadOptions* options);

// Adds every limit as an option of `app` (CLI11) in the help group `group`:
// `--max-tree-depth N` sets load->max_tree_depth through SetLoadLimit, whose
// message a bad value fails the parse with. The help shows each default.
void AddLoadLimitOptions(CLI::App* app, LoadOptions* load, const std::string& group);

}  // namespace stroke::apps

#endif  // STROKE_APPS_COMMON_LOAD_LIMIT_FLAGS_H_
