// The models stroke-serve answers with: a model repository of names,
// versions and aliases, reloaded without a failed request.
//
// Layout (docs/model-repository.md):
//   DIR/<name>/<version>/<anything>.bundle.json   version: a positive integer
//   DIR/<name>/aliases.json                       {"production": 2, "staging": 3}
// or bundles given one by one (--model, repeatable): each its own model,
// named by its bundle (model.name), version 1, no aliases, no directory.
//
// Contract:
//  - A version is servable (ready) only once its bundle loads and its golden
//    rows answer as the training library recorded (CheckGoldenRows). A
//    version that fails is listed with its reason and never replaces one
//    that serves: a ready version whose file changes keeps serving its old
//    bundle until the new file passes.
//  - Resolve gives a request its version: the one named (a number), or the
//    alias named, or - with neither - the alias "production" when the model
//    has it, else its highest ready version.
//  - What Resolve returns is a shared, immutable ServedVersion: a request
//    holds it until answered, so a reload or an alias move never changes a
//    request in flight; requests resolved after see the new state.
//  - Thread-safe: Resolve and Index from any thread; Reload, SetAlias and
//    DeleteAlias are serialized among themselves.
#ifndef STROKE_APPS_SERVE_MODEL_REPOSITORY_H_
#define STROKE_APPS_SERVE_MODEL_REPOSITORY_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "routes.h"
#include "stroke/load_options.h"
#include "stroke/model.h"

namespace stroke::apps {

// One loaded, verified version of a model, with the routes that answer for it.
struct ServedVersion {
  std::string name;      // the model's name in the repository
  int version = 0;       // a positive integer
  std::string path;      // its bundle file
  Model model;
  std::unique_ptr<Routes> routes;  // built by the repository's RoutesFactory over `model`
};
using ServedVersionPtr = std::shared_ptr<const ServedVersion>;

// What the repository knows of one version.
struct VersionState {
  ServedVersionPtr served;  // null when the version is not servable
  std::string reason;       // why not servable, or why its newest file was refused ("" when none)
  std::string stamp;        // the bundle file's path, size and modification time, as last read
};

struct ModelEntry {
  std::map<int, VersionState> versions;
  std::map<std::string, int> aliases;
  std::string reason;  // a problem of the model as a whole (e.g. an unreadable aliases.json), or ""
  // Its aliases.json could not be read and none was read before: requests
  // naming no version are refused (503) rather than guessed.
  bool aliases_unknown = false;
};
using RepositoryIndex = std::map<std::string, ModelEntry>;

class ModelRepository {
 public:
  // Builds the routes of a version; called once per loaded version.
  using RoutesFactory = std::function<std::unique_ptr<Routes>(const Model& model, const std::string& name, int version)>;

  // Scans `dir` (Reload). kNotFound / kIoError when `dir` is not a readable
  // directory; a bad model or version inside is listed, not an error.
  static StatusOr<std::unique_ptr<ModelRepository>> Open(const std::string& dir, const LoadOptions& limits,
                                                         RoutesFactory factory);
  // Bundles given one by one: each loaded and checked as a repository
  // version would be; kInvalidInput naming the file that fails or the name
  // two bundles share.
  static StatusOr<std::unique_ptr<ModelRepository>> FromBundles(const std::vector<std::string>& paths,
                                                                const LoadOptions& limits, RoutesFactory factory);

  // `model` alone, as model.name version 1, without a golden-row check (the
  // caller loaded it): for tests and programs that embed the server.
  static std::unique_ptr<ModelRepository> FromModel(const Model& model, RoutesFactory factory);

  // Rescans the directory (no-op for FromBundles and FromModel): loads new and changed
  // bundle files, drops versions whose directory is gone, rereads aliases.
  // Returns one line per change, for the log ("loaded stroke/2", "refused
  // stroke/3: golden[0]: ...").
  std::vector<std::string> Reload();

  // The version a request names. `name` "" is the default model;
  // `version_or_alias` "" follows the contract above. kNotFound naming
  // what is unknown (and what exists); kInvalidInput for a version that
  // exists but cannot serve (its reason).
  StatusOr<ServedVersionPtr> Resolve(std::string_view name, std::string_view version_or_alias) const;

  // Points `alias` of model `name` at `version` (which must be ready) or
  // removes it, in memory and in DIR/<name>/aliases.json (written to a
  // temporary file, then renamed). Alias names: a letter, then letters,
  // digits, '_' or '-', at most 64. kNotFound / kInvalidInput / kIoError.
  Status SetAlias(const std::string& name, const std::string& alias, int version);
  Status DeleteAlias(const std::string& name, const std::string& alias);

  // Every model, version and alias, with states and reasons.
  std::shared_ptr<const RepositoryIndex> Index() const;

  // The model the routes without a model name answer with.
  const std::string& default_model() const { return default_model_; }
  // Sets it; kNotFound when the repository has no such model.
  Status SetDefaultModel(const std::string& name);
  // The repository's directory, or "" (FromBundles).
  const std::string& directory() const { return dir_; }

 private:
  ModelRepository(std::string dir, LoadOptions limits, RoutesFactory factory);
  StatusOr<ServedVersionPtr> LoadVersion(const std::string& name, int version, const std::string& path) const;
  void Publish(std::shared_ptr<const RepositoryIndex> index);
  Status WriteAliases(const std::string& name, const std::map<std::string, int>& aliases) const;

  const std::string dir_;
  const LoadOptions limits_;
  const RoutesFactory factory_;
  std::string default_model_;
  mutable std::mutex index_mutex_;              // guards index_ (the pointer, not what it points to)
  std::shared_ptr<const RepositoryIndex> index_;  // never null; replaced whole, never changed
  std::mutex change_mutex_;                     // serializes Reload, SetAlias, DeleteAlias
};

// Whether `name` can be a model name: letters, digits, '.', '_', '-', at
// most 128, not starting with '.'.
bool IsModelName(std::string_view name);

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_MODEL_REPOSITORY_H_
