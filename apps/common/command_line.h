// What stroke-predict's and stroke-serve's CLI11 parsers share: running one
// over argv and turning CLI11's exceptions into a Status.
#ifndef STROKE_APPS_COMMON_COMMAND_LINE_H_
#define STROKE_APPS_COMMON_COMMAND_LINE_H_

#include <string>
#include <vector>

#include "stroke/status.h"

namespace CLI {
class App;
}

namespace stroke::apps {

// Parses `args` (argv[1..]) with `app`, whose options write their targets.
// -h/--help sets *help and returns Ok; a bad option, value or extra argument
// is kInvalidInput naming it, ending "(see --help)".
Status ParseCommandLine(CLI::App* app, const std::vector<std::string>& args, bool* help);

}  // namespace stroke::apps

#endif  // STROKE_APPS_COMMON_COMMAND_LINE_H_
