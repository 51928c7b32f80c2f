// stroke-predict's two commands, runnable without a process: tests call
// RunCommand with string streams.
#ifndef STROKE_APPS_PREDICT_PREDICT_COMMAND_H_
#define STROKE_APPS_PREDICT_PREDICT_COMMAND_H_

#include <istream>
#include <ostream>

#include "cli_options.h"

namespace stroke::apps {

// Exit statuses (documented in --help).
inline constexpr int kExitOk = 0;
inline constexpr int kExitRowsFailed = 1;  // some records could not be predicted
inline constexpr int kExitUsage = 2;       // bad flags, unreadable input or model

// Runs `options` (predict or info). Reads records from `in` when
// options.input is "-"; answers go to `out`, diagnostics to `err`.
int RunCommand(const CliOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace stroke::apps

#endif  // STROKE_APPS_PREDICT_PREDICT_COMMAND_H_
