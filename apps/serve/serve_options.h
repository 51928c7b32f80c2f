// stroke-serve's settings: flags, each also settable by an environment
// variable (--max-body-bytes <-> STROKE_MAX_BODY_BYTES); flags win.
#ifndef STROKE_APPS_SERVE_SERVE_OPTIONS_H_
#define STROKE_APPS_SERVE_SERVE_OPTIONS_H_

#include <functional>
#include <string>
#include <vector>

#include "stroke/load_options.h"
#include "stroke/status.h"

namespace stroke::apps {

struct ServeOptions {
  bool help = false;
  // Bundle paths or bundled names (--model, repeatable): each served as its
  // own model, named by its bundle. Empty with no repository: the default bundle.
  std::vector<std::string> models;
  std::string model_repository;      // DIR/<name>/<version>/*.bundle.json; "" = none
  std::string default_model;         // what the routes without a model name answer; "" = stroke, else the only one
  std::string host = "127.0.0.1";    // loopback unless told otherwise
  int port = 8000;                   // 0 = any free port
  std::string users_file;            // htpasswd (bcrypt/yescrypt); enables auth
  std::string api_keys_file;         // name:sha256 lines; enables auth
  std::vector<std::string> admins;   // users allowed to DELETE /logs
  bool protect_ops = false;          // health, model, metrics, docs need auth too
  std::vector<std::string> cors_origins;  // allowed Origins; empty = CORS off
  size_t max_body_bytes = 1 << 20;   // request body limit (413 above)
  size_t max_batch_rows = 1000;      // records in one /predict body
  bool refuse_unknown_categories = false;  // every request: an unknown category is a 422, even
                                           // where the bundle accepts it (unknown_category)
  bool predict_proba = false;        // KServe v1 and MLflow /invocations answer class probabilities
  int threads = 64;                  // worker threads: requests answered at once
  int header_timeout_s = 3;          // a request's line and headers, from its first byte (408 after)
  int read_timeout_s = 10;           // the whole request, headers and body, from its first byte (408 after)
  int write_timeout_s = 5;           // the whole answer
  int keep_alive_max = 100;          // requests per connection
  int keep_alive_timeout_s = 5;      // idle seconds between requests before closing
  size_t max_connections = 1024;     // open at once; idle, then slow ones are closed for new ones
  size_t max_headers = 100;          // header fields in a request (431 above)
  size_t max_header_bytes = 16384;   // request line and headers (431 above)
  int max_failed_logins = 10;        // per client address per minute, then 429; 0 = no limit
  std::string access_log;            // one JSON line per request; "" = stderr
  size_t log_capacity = 1000;        // entries kept for GET /logs (Redis: the stream's MAXLEN ~)
  std::string log_store = "memory";  // where: "memory" (this process) or redis://HOST[:PORT][/DB]
  std::string log_store_key = "stroke:logs";  // the Redis stream's key
  std::string audit_log;             // append one JSON line per prediction
  bool audit_fsync = false;          // fsync each audit line (durable across machine crashes)
  bool quiet = false;                // no access log on stderr
  std::string docs_dir;              // Swagger UI files; "" = the built-in search
  std::string ui_dir;                // /ui's Chart.js (chart.umd.js); "" = the built-in search
  LoadOptions load;                  // bundle limits (--max-tree-depth, ...)
  std::string trainer;               // python_export/ (train.py, specs/): enables POST /models/{model}/train
  std::string trainer_python = "/usr/bin/python3";  // an interpreter with scikit-learn
  int train_timeout_s = 600;         // a training job's wall time
};

// Parses argv[1..] (CLI11) over the environment (`getenv` returns nullptr
// when unset; an option's variable is STROKE_ + its name in capitals, dashes
// as underscores, and is used where the command line does not give it).
// kInvalidInput naming the flag (or variable) and what it expects;
// -h/--help sets `help`.
StatusOr<ServeOptions> ParseServeOptions(const std::vector<std::string>& args,
                                         const std::function<const char*(const char*)>& getenv);

// The --help text, generated from the parser: every option, grouped, with
// its default.
std::string ServeUsage();

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_SERVE_OPTIONS_H_
