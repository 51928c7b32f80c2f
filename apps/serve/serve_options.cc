#include "serve_options.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "command_line.h"
#include "load_limit_flags.h"
#include "redis_connection.h"

namespace stroke::apps {
namespace {

const char* kDescription = R"(stroke-serve - the HTTP API for a libstroke model

  stroke-serve [OPTIONS]        serve (Ctrl-C or SIGTERM: finish requests, exit 0)
  stroke-serve passwd USER      read a password on stdin, print an htpasswd line (bcrypt)
  stroke-serve apikey NAME      a new API key: the --api-keys line on stdout, the key on stderr

Every option can also come from the environment: --max-body-bytes from STROKE_MAX_BODY_BYTES
(switches: true/false); the command line wins.)";

const char* kFooter = R"(
Signals: SIGTERM or SIGINT: stop accepting, answer what was received (Connection: close),
flush the audit log, exit 0. SIGHUP: reopen the access and audit logs (after logrotate) and
reload the model repository.

Routes: POST /prediction /predict /predict_proba /explain; GET / /health /livez /readyz /model
/features /features/{name}/distribution /logs /logs/stats /metrics /openapi.json /docs /ui;
DELETE /logs. Per model: /models/{name}/... and /models/{name}/versions/{version or alias}/...;
GET /models; PUT and DELETE /models/{name}/aliases/{alias}; POST /admin/reload;
POST /models/{name}/train, GET /jobs, /jobs/{id}. Standard protocols: /v2/... (Open Inference
Protocol), /v1/models/... (KServe v1), /invocations /ping /version (MLflow).
See docs/http-api.md and docs/model-repository.md.
)";

// "--max-body-bytes" -> "STROKE_MAX_BODY_BYTES".
std::string EnvName(const std::string& long_name) {
  std::string name = "STROKE_";
  for (char c : long_name) name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

template <typename T>
void AddNumber(CLI::App* app, const std::string& flag, T* out, long lo, long hi, const std::string& help,
               const std::string& type_name, const std::string& group) {
  app->add_option(flag, *out, help)->check(IntegerIn(lo, hi))->type_name(type_name)->group(group)->capture_default_str();
}

std::unique_ptr<CLI::App> MakeParser(ServeOptions* o) {
  auto app = std::make_unique<CLI::App>(kDescription, "stroke-serve");
  app->footer(kFooter);
  app->get_formatter()->column_width(28);
  const std::string model = "Model", net = "Listening", auth = "Authentication", limits = "Request limits",
                    logs = "Logs";
  CLI::Option* bundles =
      app->add_option("--model", o->models,
                      "bundle file or bundled model name, served under its model name (repeatable; default: "
                      "$STROKE_MODEL, else stroke)")
          ->allow_extra_args(false)  // one value per occurrence
          ->type_name("M")
          ->group(model);
  app->add_option("--model-repository", o->model_repository,
                  "serve DIR/<name>/<version>/*.bundle.json with DIR/<name>/aliases.json, reloaded on SIGHUP and "
                  "on changes (docs/model-repository.md)")
      ->type_name("DIR")
      ->excludes(bundles)
      ->group(model);
  app->add_option("--default-model", o->default_model,
                  "the model the routes without /models/{name} answer (default: stroke, else the only model)")
      ->type_name("NAME")
      ->group(model);
  app->add_flag("--refuse-unknown-categories", o->refuse_unknown_categories,
                "422 for a category unseen in training on every request, even where the bundle "
                "answers it with a warning (a request can ask with ?unknown_categories=refuse)")
      ->group(model);
  app->add_flag("--predict-proba", o->predict_proba,
                "KServe v1 :predict and MLflow /invocations answer predict_proba (class probabilities), not the "
                "class (KServe's PREDICT_PROBA=true; an MLflow request may still ask params.predict_method)")
      ->group(model);
  AddLoadLimitOptions(app.get(), &o->load, "Bundle limits (beyond one, a bundle is refused naming it)");
  const std::string training = "Retraining (with --model-repository)";
  app->add_option("--trainer", o->trainer,
                  "python_export/ directory (train.py, specs/): admins may POST /models/{model}/train a labelled CSV")
      ->type_name("DIR")
      ->group(training);
  app->add_option("--trainer-python", o->trainer_python, "Python with scikit-learn that runs the trainer")
      ->type_name("PYTHON")
      ->group(training)
      ->capture_default_str();
  AddNumber(app.get(), "--train-timeout-s", &o->train_timeout_s, 1, 86400, "a training job's wall time, then it is stopped",
            "S", training);

  app->add_option("--host", o->host, "address to bind")->type_name("H")->group(net)->capture_default_str();
  AddNumber(app.get(), "--port", &o->port, 0, 65535, "port; 0 = any free port", "P", net);
  AddNumber(app.get(), "--threads", &o->threads, 1, 4096,
            "worker threads: requests answered at once (slow and idle connections never hold one)", "N", net);
  app->add_option("--cors-origin", o->cors_origins, "allow this browser origin (repeatable or comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false)  // one value per occurrence: never swallow the next argument
      ->type_name("ORIGIN")
      ->group(net);
  app->add_option("--docs-dir", o->docs_dir, "directory with swagger-ui-bundle.js and swagger-ui.css for /docs")
      ->type_name("DIR")
      ->group(net);
  app->add_option("--ui-dir", o->ui_dir, "directory with chart.umd.js for /ui's charts (without it: tables)")
      ->type_name("DIR")
      ->group(net);

  app->add_option("--users", o->users_file, "htpasswd file (bcrypt $2b$/$2y$ or yescrypt $y$); enables auth")
      ->type_name("FILE")
      ->group(auth);
  app->add_option("--api-keys", o->api_keys_file, "\"name:sha256-hex\" lines for Bearer keys; enables auth")
      ->type_name("FILE")
      ->group(auth);
  app->add_option("--admin", o->admins, "may DELETE /logs (repeatable or comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false)  // one value per occurrence: never swallow the next argument
      ->type_name("USER")
      ->group(auth);
  app->add_flag("--protect-ops", o->protect_ops,
                "auth for /health, /model, /features, /metrics, /docs too (/livez, /readyz stay open)")
      ->group(auth);
  AddNumber(app.get(), "--max-failed-logins", &o->max_failed_logins, 0, 1000000,
            "failed logins per client address per minute, then 429 with Retry-After; 0 = no limit", "N", auth);

  AddNumber(app.get(), "--max-body-bytes", &o->max_body_bytes, 1, 1L << 30, "request body limit (413 above)", "N",
            limits);
  AddNumber(app.get(), "--max-batch-rows", &o->max_batch_rows, 1, 10000000, "records in one /predict request", "N",
            limits);
  AddNumber(app.get(), "--header-timeout", &o->header_timeout_s, 1, 3600,
            "seconds for a request's line and headers from its first byte (408 after)", "S", limits);
  AddNumber(app.get(), "--read-timeout", &o->read_timeout_s, 1, 3600,
            "seconds for the whole request, headers and body (408 after)", "S", limits);
  AddNumber(app.get(), "--write-timeout", &o->write_timeout_s, 1, 3600, "seconds to send a response", "S", limits);
  AddNumber(app.get(), "--keep-alive-max", &o->keep_alive_max, 1, 1000000, "requests per connection", "N", limits);
  AddNumber(app.get(), "--keep-alive-timeout", &o->keep_alive_timeout_s, 1, 3600,
            "idle seconds before closing a connection", "S", limits);
  AddNumber(app.get(), "--max-connections", &o->max_connections, 1, 1000000,
            "open connections; beyond, the longest-idle then the slowest is closed for a new one", "N", limits);
  AddNumber(app.get(), "--max-headers", &o->max_headers, 1, 10000, "header fields in a request (431 above)", "N",
            limits);
  AddNumber(app.get(), "--max-header-bytes", &o->max_header_bytes, 1024, 1 << 20,
            "bytes of request line and headers (431 above)", "N", limits);

  app->add_option("--access-log", o->access_log, "one JSON line per request to FILE (default: stderr)")
      ->type_name("FILE")
      ->group(logs);
  app->add_flag("--quiet", o->quiet, "no access log")->group(logs);
  app->add_option("--audit-log", o->audit_log,
                  "append one JSON line per prediction (time, request id, user, inputs, outputs, model version)")
      ->type_name("FILE")
      ->group(logs);
  app->add_flag("--audit-fsync", o->audit_fsync, "fsync every audit line (survives a machine crash; slower)")
      ->group(logs);
  AddNumber(app.get(), "--log-capacity", &o->log_capacity, 1, 10000000,
            "recent events kept for GET /logs (Redis: the stream's MAXLEN ~)", "N", logs);
  app->add_option("--log-store", o->log_store,
                  "where GET /logs reads recent events: memory (this process, gone on restart) or "
                  "redis://HOST:PORT[/DB] (a capped stream every replica shares; predictions never wait on it)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            StatusOr<std::optional<RedisAddress>> store = ParseLogStore(text);
            return store.ok() ? "" : store.status().message();
          },
          "memory or redis://HOST:PORT[/DB]"))
      ->type_name("STORE")
      ->group(logs)
      ->capture_default_str();
  app->add_option("--log-store-key", o->log_store_key, "the Redis stream's key (--log-store redis://...)")
      ->check(CLI::Validator([](std::string& text) { return text.empty() ? "expected a key, got \"\"" : ""; }, "not empty"))
      ->type_name("KEY")
      ->group(logs)
      ->capture_default_str();
  return app;
}

// The environment's value for every option the command line did not give,
// through the option's own validation; errors name the variable.
Status ApplyEnvironment(CLI::App* app, const std::function<const char*(const char*)>& getenv) {
  for (CLI::Option* option : app->get_options()) {
    if (option->count() > 0 || option->get_lnames().empty() || option->get_lnames()[0] == "help") continue;
    const std::string env = EnvName(option->get_lnames()[0]);
    const char* value = getenv(env.c_str());
    if (value == nullptr || *value == '\0') continue;
    try {
      option->add_result(value);
      option->run_callback();
    } catch (const CLI::Error& e) {
      return InvalidInputError(env + " (" + e.what() + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ServeOptions> ParseServeOptions(const std::vector<std::string>& args,
                                         const std::function<const char*(const char*)>& getenv) {
  ServeOptions options;
  std::unique_ptr<CLI::App> app = MakeParser(&options);
  if (Status s = ParseCommandLine(app.get(), args, &options.help); !s.ok()) return s;
  if (options.help) return options;
  if (Status s = ApplyEnvironment(app.get(), getenv); !s.ok()) return s;
  return options;
}

std::string ServeUsage() {
  ServeOptions options;
  return MakeParser(&options)->help();
}

}  // namespace stroke::apps
