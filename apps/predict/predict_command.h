// stroke-predict's two commands, runnable without a process: tests call
// RunCommand with string streams.
#ifndef STROKE_APPS_PREDICT_PREDICT_COMMAND_H_
#define STROKE_APPS_PREDICT_PREDICT_COMMAND_H_

#include <istream>
#include <ostream>

#include "byte_source.h"
#include "cli_options.h"

namespace stroke::apps {

// Exit statuses (documented in --help).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRowsFailed = 1;  // some records could not be predicted
inline constexpr int kExitUsage = 2;       // bad flags, unreadable input or model

// Runs `options` (predict or info). Reads records from `stdin_source` when
// options.input is "-", else from the file; answers go to `out`,
// diagnostics (and the progress line) to `err`. Returns the exit status.
int RunCommand(const CliOptions& options, ByteSource& stdin_source, std::ostream& out, std::ostream& err);

// The same, reading `in` when options.input is "-" (tests: string streams).
int RunCommand(const CliOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_PREDICT_COMMAND_H_
