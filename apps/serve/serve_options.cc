#include "serve_options.h"

#include <cstdlib>

#include "load_limit_flags.h"

namespace stroke::apps {

const std::string kServeUsage = R"(stroke-serve - the HTTP API for a libstroke model

Usage:
  stroke-serve [options]            serve (Ctrl-C or SIGTERM: finish requests, exit 0)
  stroke-serve passwd USER          read a password on stdin, print an htpasswd line (bcrypt)
  stroke-serve apikey NAME          a new API key: the --api-keys line on stdout, the key on stderr

Options (each also from the environment: --max-body-bytes = STROKE_MAX_BODY_BYTES):
  --model M               bundle file or bundled model name (default: $STROKE_MODEL, else stroke)
  --host H                address to bind (default 127.0.0.1)
  --port P                port (default 8000; 0 = any free port)
  --users FILE            htpasswd file (bcrypt $2b$/$2y$ or yescrypt $y$ hashes); enables auth
  --api-keys FILE         "name:sha256-hex" lines for "Authorization: Bearer <key>"; enables auth
  --admin USER            may DELETE /logs (repeatable)
  --protect-ops           also require auth for /health, /model, /features, /metrics, /docs
                          (/livez and /readyz always stay open)
  --cors-origin ORIGIN    allow this browser origin (repeatable or comma-separated; default: CORS off)
  --max-body-bytes N      request body limit (default 1048576)
  --max-batch-rows N      records in one /predict request (default 1000)
  --refuse-unknown-categories
                          refuse (422) a category the model did not see in training, on every
                          request, even where the bundle accepts it with a warning; a request
                          can ask the same with ?unknown_categories=refuse
  --threads N             worker threads: requests answered at once (default 64); slow and
                          idle connections never hold one
  --header-timeout S      seconds for a request's line and headers, from its first byte
                          (default 3; 408 after)
  --read-timeout S        seconds for the whole request, headers and body (default 10; 408 after)
  --write-timeout S       seconds to send a response (default 5)
  --keep-alive-max N      requests per connection (default 100)
  --keep-alive-timeout S  idle seconds before closing a connection (default 5)
  --max-connections N     open connections (default 1024); beyond it the longest-idle, then
                          the slowest, connection is closed to let a new one in
  --max-headers N         header fields in a request (default 100; 431 above)
  --max-header-bytes N    bytes of request line and headers (default 16384; 431 above)
  --max-failed-logins N   failed logins per client address per minute before 429 with
                          Retry-After (default 10; 0 = no limit)
  --log-capacity N        recent events kept for GET /logs (default 1000)
  --access-log FILE       one JSON line per request to FILE (default: stderr)
  --audit-log FILE        append one JSON line per prediction (time, request id, user,
                          inputs, outputs, model version)
  --audit-fsync           fsync every audit line (survives a machine crash; slower)
  --docs-dir DIR          directory with swagger-ui-bundle.js and swagger-ui.css for /docs
  --quiet                 no access log
  -h, --help              this text

)" + LoadLimitsUsage() + R"(
Signals: SIGTERM or SIGINT: stop accepting, answer what was received (Connection: close),
flush the audit log, exit 0. SIGHUP: reopen the access and audit logs (after logrotate).

Routes: POST /prediction /predict /predict_proba /explain; GET / /health /livez /readyz /model
/features /features/{name}/distribution /logs /logs/stats /metrics /openapi.json /docs;
DELETE /logs. See docs/http-api.md.
)";

namespace {

struct Flag {
  const char* name;  // without "--"
  bool takes_value;
  std::function<Status(ServeOptions*, const std::string&)> set;
};

Status ParseNumber(const std::string& flag, const std::string& text, long lo, long hi, long* out) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < lo || value > hi) {
    return InvalidInputError(flag + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                             "], got \"" + text + "\"");
  }
  *out = value;
  return Status::Ok();
}

template <typename T>
Flag NumberFlag(const char* name, T ServeOptions::*field, long lo, long hi) {
  return {name, true, [=](ServeOptions* o, const std::string& v) {
            long n = 0;
            Status s = ParseNumber(std::string("--") + name, v, lo, hi, &n);
            if (s.ok()) o->*field = static_cast<T>(n);
            return s;
          }};
}

Flag TextFlag(const char* name, std::string ServeOptions::*field) {
  return {name, true, [=](ServeOptions* o, const std::string& v) {
            o->*field = v;
            return Status::Ok();
          }};
}

Flag SwitchFlag(const char* name, bool ServeOptions::*field) {
  return {name, false, [=](ServeOptions* o, const std::string& v) {
            if (v == "1" || v == "true" || v == "yes" || v.empty()) {
              o->*field = true;
            } else if (v == "0" || v == "false" || v == "no") {
              o->*field = false;
            } else {
              return InvalidInputError(std::string("--") + name + ": expected true or false, got \"" + v + "\"");
            }
            return Status::Ok();
          }};
}

Flag ListFlag(const char* name, std::vector<std::string> ServeOptions::*field) {
  return {name, true, [=](ServeOptions* o, const std::string& v) {
            size_t start = 0;
            while (start <= v.size()) {
              const size_t comma = v.find(',', start);
              const std::string item = v.substr(start, comma - start);
              if (!item.empty()) (o->*field).push_back(item);
              if (comma == std::string::npos) break;
              start = comma + 1;
            }
            return Status::Ok();
          }};
}

// `table` plus the bundle limits' flags (--max-tree-depth, ...).
std::vector<Flag>* WithLoadLimits(std::vector<Flag>* table) {
  for (const LoadLimitFlag& limit : LoadLimitFlags()) {
    table->push_back({limit.name, true, [&limit](ServeOptions* o, const std::string& v) {
                        return SetLoadLimit(limit, v, &o->load);
                      }});
  }
  return table;
}

const std::vector<Flag>& Flags() {
  static const auto* flags = WithLoadLimits(new std::vector<Flag>{
      TextFlag("model", &ServeOptions::model),
      TextFlag("host", &ServeOptions::host),
      NumberFlag("port", &ServeOptions::port, 0, 65535),
      TextFlag("users", &ServeOptions::users_file),
      TextFlag("api-keys", &ServeOptions::api_keys_file),
      ListFlag("admin", &ServeOptions::admins),
      SwitchFlag("protect-ops", &ServeOptions::protect_ops),
      ListFlag("cors-origin", &ServeOptions::cors_origins),
      NumberFlag("max-body-bytes", &ServeOptions::max_body_bytes, 1, 1L << 30),
      NumberFlag("max-batch-rows", &ServeOptions::max_batch_rows, 1, 10000000),
      SwitchFlag("refuse-unknown-categories", &ServeOptions::refuse_unknown_categories),
      NumberFlag("threads", &ServeOptions::threads, 1, 4096),
      NumberFlag("header-timeout", &ServeOptions::header_timeout_s, 1, 3600),
      NumberFlag("read-timeout", &ServeOptions::read_timeout_s, 1, 3600),
      NumberFlag("write-timeout", &ServeOptions::write_timeout_s, 1, 3600),
      NumberFlag("keep-alive-max", &ServeOptions::keep_alive_max, 1, 1000000),
      NumberFlag("keep-alive-timeout", &ServeOptions::keep_alive_timeout_s, 1, 3600),
      NumberFlag("max-connections", &ServeOptions::max_connections, 1, 1000000),
      NumberFlag("max-headers", &ServeOptions::max_headers, 1, 10000),
      NumberFlag("max-header-bytes", &ServeOptions::max_header_bytes, 1024, 1 << 20),
      NumberFlag("max-failed-logins", &ServeOptions::max_failed_logins, 0, 1000000),
      NumberFlag("log-capacity", &ServeOptions::log_capacity, 1, 10000000),
      TextFlag("access-log", &ServeOptions::access_log),
      TextFlag("audit-log", &ServeOptions::audit_log),
      SwitchFlag("audit-fsync", &ServeOptions::audit_fsync),
      TextFlag("docs-dir", &ServeOptions::docs_dir),
      SwitchFlag("quiet", &ServeOptions::quiet),
  });
  return *flags;
}

std::string EnvName(const char* flag) {
  std::string name = "STROKE_";
  for (const char* c = flag; *c; ++c) name += *c == '-' ? '_' : static_cast<char>(std::toupper(*c));
  return name;
}

}  // namespace

StatusOr<ServeOptions> ParseServeOptions(const std::vector<std::string>& args,
                                         const std::function<const char*(const char*)>& getenv) {
  ServeOptions options;
  for (const Flag& flag : Flags()) {
    const std::string env = EnvName(flag.name);
    if (const char* value = getenv(env.c_str()); value != nullptr && *value != '\0') {
      Status s = flag.set(&options, value);
      if (!s.ok()) return InvalidInputError(env + " (" + s.message() + ")");
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name = arg.rfind("--", 0) == 0 ? arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2) : "";
    const Flag* flag = nullptr;
    for (const Flag& f : Flags()) {
      if (name == f.name) flag = &f;
    }
    if (flag == nullptr) return InvalidInputError("unknown option \"" + arg + "\" (see --help)");
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (flag->takes_value) {
      if (i + 1 >= args.size()) return InvalidInputError(arg + " needs a value");
      value = args[++i];
    }
    if (Status s = flag->set(&options, value); !s.ok()) return s;
  }
  return options;
}

}  // namespace stroke::apps
