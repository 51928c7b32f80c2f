// stroke-predict: predictions from a libstroke bundle for JSON, JSON Lines or
// CSV records. See --help (cli_options.cc) and the README.
#include <malloc.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "byte_source.h"
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
  if (!options->progress) options->progress = isatty(STDERR_FILENO) == 1;
  // The scorer threads free and allocate the same block-sized buffers over and over:
  // keep them in the heap (no mmap per buffer, no trimming of the threads' arenas),
  // or a fifth of the time goes to page faults. Memory stays bounded by the blocks in flight.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  std::ios::sync_with_stdio(false);
  // stdin is read with read(2), so a pipe that pauses is noticed (std::cin is unused).
  std::unique_ptr<ByteSource> stdin_source = DescriptorSource(STDIN_FILENO);
  return RunCommand(*options, *stdin_source, std::cout, std::cerr);
}
