// What stroke-predict's and stroke-serve's CLI11 parsers share: running one
// over argv and turning CLI11's exceptions into a Status, and the check of an
// integer flag.
#ifndef STROKE_APPS_COMMON_COMMAND_LINE_H_
#define STROKE_APPS_COMMON_COMMAND_LINE_H_

#include <string>
#include <vector>

#include "stroke/status.h"

namespace CLI {
class App;
class Validator;
}

namespace stroke::apps {

// Parses `args` (argv[1..]) with `app`, whose options write their targets.
// -h/--help sets *help and returns Ok; a bad option, value or extra argument
// is kInvalidInput naming it, ending "(see --help)".
Status ParseCommandLine(CLI::App* app, const std::vector<std::string>& args, bool* help);

// A validator for an integer flag: a whole decimal integer in [lo, hi], else
// "expected an integer in [lo, hi], got \"text\"" (CLI11's own Range says
// "not in range" of "abc" and takes 0x10 as 16).
CLI::Validator IntegerIn(long lo, long hi);

}  // namespace stroke::apps

#endif  // STROKE_APPS_COMMON_COMMAND_LINE_H_
