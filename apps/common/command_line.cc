#include "command_line.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>

namespace stroke::apps {

Status ParseCommandLine(CLI::App* app, const std::vector<std::string>& args, bool* help) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  try {
    app->parse(reversed);
  } catch (const CLI::CallForHelp&) {
    *help = true;
  } catch (const CLI::ExtrasError& e) {
    return InvalidInputError(fmt::format("unknown option or argument: {} (see --help)", e.what()));
  } catch (const CLI::ParseError& e) {
    return InvalidInputError(fmt::format("{} (see --help)", e.what()));
  }
  return Status::Ok();
}

CLI::Validator IntegerIn(long lo, long hi) {
  const std::string range = fmt::format("[{}, {}]", lo, hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        char* end = nullptr;
        errno = 0;
        const long value = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || errno != 0 || value < lo || value > hi) {
          return "expected an integer in " + range + ", got \"" + text + "\"";
        }
        return "";
      },
      "in " + range);
}

}  // namespace stroke::apps
