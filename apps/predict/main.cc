// stroke-predict: predictions from a libstroke bundle for JSON, JSON Lines or
// CSV records. See --help (cli_options.cc) and the README.
#include <iostream>
#include <string>
#include <vector>

#include "cli_options.h"
#include "predict_command.h"

int main(int argc, char** argv) {
  using namespace stroke::apps;
  auto options = ParseCliOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::cerr << "stroke-predict: " << options.status().message() << '\n';
    return kExitUsage;
  }
  if (options->help) {
    std::cout << CliUsage();
    return kExitOk;
  }
  std::ios::sync_with_stdio(false);
  return RunCommand(*options, std::cin, std::cout, std::cerr);
}
