// StrokeServer's construction: auth, logs, the routes' settings and the
// models (a model repository, bundles, or one Model), then routing.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "model_path.h"
#include "redis_log_store.h"
#include "server.h"

namespace stroke::apps {
namespace {

bool Loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// Where a page's npm files are: the option (--docs-dir, --ui-dir), else
// share/stroke/<name> next to the executable (installed, or the build tree's
// link) when it holds `file`; "" when neither.
std::string FindAssetDir(const std::string& option, const std::string& name, const std::string& file) {
  namespace fs = std::filesystem;
  if (!option.empty()) return option;
  const std::string dir = InstalledDataDir(name);
  std::error_code error;
  return fs::exists(fs::path(dir) / file, error) ? dir : "";
}

}  // namespace

StrokeServer::StrokeServer(const ServeOptions& options)
    : options_(options), throttle_(options.max_failed_logins, std::chrono::seconds(60)),
      metrics_(kServeVersion), events_(options.log_capacity) {}

std::unique_ptr<Routes> StrokeServer::MakeRoutes(const Model& model, const std::string& name, int version) {
  RouteSettings settings = route_settings_;
  if (!options_.model_repository.empty()) {  // a repository's names and versions; bundles keep their own
    settings.model_name = name;
    settings.model_version = fmt::to_string(version);
  }
  return std::make_unique<Routes>(model, std::move(settings), &metrics_, &events_);
}

StatusOr<std::unique_ptr<StrokeServer>> StrokeServer::Create(const ServeOptions& options) {
  std::unique_ptr<StrokeServer> server(new StrokeServer(options));
  if (Status s = server->Setup(); !s.ok()) return s;
  auto factory = [s = server.get()](const Model& model, const std::string& name, int version) {
    return s->MakeRoutes(model, name, version);
  };
  StatusOr<std::unique_ptr<ModelRepository>> models = InvalidInputError("");
  if (!options.model_repository.empty()) {
    if (!options.models.empty()) {
      return InvalidInputError("give --model (STROKE_MODEL) or --model-repository (STROKE_MODEL_REPOSITORY), not both");
    }
    models = ModelRepository::Open(options.model_repository, options.load, factory);
  } else {
    std::vector<std::string> paths;
    for (const std::string& name : options.models.empty() ? std::vector<std::string>{""} : options.models) {
      std::string lookup_error;
      paths.push_back(ResolveModelPath(name, &lookup_error));
      if (paths.back().empty()) return InvalidInputError(lookup_error);
    }
    models = ModelRepository::FromBundles(paths, options.load, factory);
  }
  if (!models.ok()) return models.status();
  server->models_ = std::move(*models);
  return Finish(std::move(server));
}

StatusOr<std::unique_ptr<StrokeServer>> StrokeServer::Create(const ServeOptions& options, const Model& model) {
  ServeOptions single = options;
  single.model_repository.clear();
  std::unique_ptr<StrokeServer> server(new StrokeServer(single));
  if (Status s = server->Setup(); !s.ok()) return s;
  server->models_ = ModelRepository::FromModel(model, [s = server.get()](const Model& m, const std::string& name,
                                                                         int version) { return s->MakeRoutes(m, name, version); });
  return Finish(std::move(server));
}

Status StrokeServer::Setup() {
  if (!options_.users_file.empty()) {
    if (Status s = auth_.LoadUsers(options_.users_file); !s.ok()) return s;
  }
  if (!options_.api_keys_file.empty()) {
    if (Status s = auth_.LoadApiKeys(options_.api_keys_file); !s.ok()) return s;
  }
  for (const std::string& admin : options_.admins) auth_.AddAdmin(admin);
  if (!options_.audit_log.empty()) {
    if (Status s = events_.OpenAudit(options_.audit_log, options_.audit_fsync); !s.ok()) return s;
  }
  if (!options_.access_log.empty()) {
    if (Status s = access_log_.Open(options_.access_log, false); !s.ok()) return IoError("access log: " + s.message());
  }
  if (Status s = OpenLogStore(); !s.ok()) return s;
  route_settings_.max_batch_rows = options_.max_batch_rows;
  route_settings_.max_body_bytes = options_.max_body_bytes;
  route_settings_.refuse_unknown_categories = options_.refuse_unknown_categories;
  route_settings_.server_version = kServeVersion;
  route_settings_.swagger = LoadSwaggerAssets(FindAssetDir(options_.docs_dir, "swagger-ui", "swagger-ui-bundle.js"));
  ui_ = UiAssets::Load(FindAssetDir(options_.ui_dir, "ui", "chart.umd.js"));
  return Status::Ok();
}

Status StrokeServer::OpenLogStore() {
  metrics_.SetLogStoreGauges([this] {
    const LogStoreHealth health = events_.store().Health();
    return Metrics::LogStoreGauges{health.up, health.lost};
  });
  StatusOr<std::optional<RedisAddress>> address = ParseLogStore(options_.log_store);
  if (!address.ok()) return InvalidInputError("--log-store: " + address.status().message());
  if (!address->has_value()) return Status::Ok();  // memory, as events_ was made
  if (options_.log_store_key.empty()) return InvalidInputError("--log-store-key: expected a key, got \"\"");
  RedisLogStoreOptions store;
  store.address = **address;
  store.key = options_.log_store_key;
  store.capacity = options_.log_capacity;
  // Not connecting is no reason to refuse to start: events are dropped and
  // counted until Redis answers; the writer says so on stderr.
  store.report = [](const std::string& change) { fmt::print(stderr, "stroke-serve: {}\n", change); };
  events_.SetStore(std::make_unique<RedisLogStore>(std::move(store)));
  return Status::Ok();
}

StatusOr<std::unique_ptr<StrokeServer>> StrokeServer::Finish(std::unique_ptr<StrokeServer> server) {
  const ServeOptions& options = server->options_;
  if (!options.default_model.empty()) {
    if (Status s = server->models_->SetDefaultModel(options.default_model); !s.ok()) return s;
  }
  StatusOr<ServedVersionPtr> default_version = server->models_->Resolve("", "");
  if (default_version.ok()) {
    server->metrics_.SetDefaultModel((*default_version)->routes->model_name(), (*default_version)->routes->model_version());
  }
  server->ConfigureHttp();
  server->AddRoutes();
  server->WarmUpParser();
  if (!options.trainer.empty()) {  // refused at startup, not at the first upload
    std::error_code error;
    const std::filesystem::path train = std::filesystem::path(options.trainer) / "train.py";
    if (options.model_repository.empty()) return InvalidInputError("--trainer needs --model-repository (new versions go there)");
    if (!std::filesystem::is_regular_file(train, error)) {
      return InvalidInputError(fmt::format("--trainer {}: no train.py there (give the python_export/ directory)",
                                           options.trainer));
    }
    if (::access(options.trainer_python.c_str(), X_OK) != 0) {
      return InvalidInputError(fmt::format("--trainer-python {}: not an executable file", options.trainer_python));
    }
  }
  TrainerConfig trainer{options.trainer_python, options.trainer, options.train_timeout_s};
  server->training_ = std::make_unique<TrainingJobs>(trainer, server->models_.get(),
                                                     [s = server.get()] { s->ReloadModels(); });
  if (!options.model_repository.empty()) {
    StrokeServer* s = server.get();
    server->watcher_ = RepositoryWatcher::Start(options.model_repository, [s] { s->ReloadModels(); });
    if (!server->watcher_) {
      fmt::print(stderr, "stroke-serve: cannot watch {} (inotify): reload with SIGHUP or POST /admin/reload\n",
                 options.model_repository);
    }
  }
  if (!server->auth_.Enabled() && !Loopback(options.host)) {
    fmt::print(stderr,
               "stroke-serve: WARNING: serving WITHOUT AUTHENTICATION on {}, a non-loopback address: anyone "
               "who can reach it can call every route. Use --users or --api-keys.\n",
               options.host);
  }
  return server;
}

}  // namespace stroke::apps
