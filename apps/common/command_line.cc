#include "command_line.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

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

}  // namespace stroke::apps
