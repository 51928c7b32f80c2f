#include "model_repository.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model_json.h"
#include "protocol_input.h"
#include "stroke/golden_check.h"

namespace stroke::apps {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAliasesFile = "aliases.json";
constexpr const char* kBundleSuffix = ".bundle.json";

bool IsAliasName(std::string_view alias) {
  if (alias.empty() || alias.size() > 64 || !std::isalpha(static_cast<unsigned char>(alias[0]))) return false;
  return std::all_of(alias.begin(), alias.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}

// A positive decimal integer without sign or leading zero, at most
// 2147483647 (timestamp versions fit), or 0.
int VersionNumber(std::string_view text) {
  int version = 0;
  if (text.empty() || text[0] == '0' || text.size() > 10) return 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  return error == std::errc() && end == text.data() + text.size() ? version : 0;
}

// The entries named *.bundle.json directly in `dir`, sorted: regular files
// or not (Model::Load refuses a FIFO, device or directory by name, without
// opening it, so the listing says what is wrong with it).
std::vector<std::string> BundleFiles(const fs::path& dir) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string file = entry.path().filename().string();
    if (file.size() > std::strlen(kBundleSuffix) && file.ends_with(kBundleSuffix)) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Path, inode, size and modification time: a changed stamp means the file
// must be read again (a file renamed into place has a new inode, whatever
// the clock's resolution).
std::string Stamp(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return path;
  return fmt::format("{}|{}|{}|{}.{}", path, info.st_ino, info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
}

// DIR/<name>/aliases.json as alias -> version; kInvalidInput naming the problem.
StatusOr<std::map<std::string, int>> ReadAliases(const fs::path& file) {
  std::map<std::string, int> aliases;
  std::error_code error;
  if (!fs::exists(file, error)) return aliases;
  std::ifstream in(file, std::ios::binary);
  if (!in) return IoError(fmt::format("{}: cannot be read: {}", kAliasesFile, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  StatusOr<Json> parsed = ParseProtocolJson(text.str());  // duplicate keys and NUL bytes refused
  if (!parsed.ok()) return InvalidInputError(fmt::format("{}: {}", kAliasesFile, parsed.status().message()));
  const Json& json = *parsed;
  if (!json.is_object()) {
    return InvalidInputError(fmt::format("{}: expected a JSON object of alias -> version", kAliasesFile));
  }
  for (const auto& [alias, version] : json.items()) {
    if (!IsAliasName(alias)) return InvalidInputError(fmt::format("{}: \"{}\" is not an alias name", kAliasesFile, ToValidUtf8(alias)));
    if (!version.is_number_unsigned() || version.get<uint64_t>() == 0 || version.get<uint64_t>() > 2147483647) {
      return InvalidInputError(fmt::format("{}: alias \"{}\": expected a version number", kAliasesFile, alias));
    }
    aliases[alias] = version.get<int>();
  }
  return aliases;
}

std::string Names(const RepositoryIndex& index) {
  std::string names;
  for (const auto& [name, entry] : index) names += (names.empty() ? "" : ", ") + name;
  return names.empty() ? "none" : names;
}

template <typename Map>
std::string Keys(const Map& map) {
  std::string keys;
  for (const auto& [key, value] : map) keys += (keys.empty() ? "" : ", ") + fmt::format("{}", key);
  return keys.empty() ? "none" : keys;
}

// The default model of a repository: "stroke" when present, else the only one, else none.
std::string DefaultModelOf(const RepositoryIndex& index) {
  if (index.count("stroke")) return "stroke";
  return index.size() == 1 ? index.begin()->first : "";
}

}  // namespace

bool IsModelName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

ModelRepository::ModelRepository(std::string dir, LoadOptions limits, RoutesFactory factory)
    : dir_(std::move(dir)), limits_(limits), factory_(std::move(factory)),
      index_(std::make_shared<const RepositoryIndex>()) {}

StatusOr<std::unique_ptr<ModelRepository>> ModelRepository::Open(const std::string& dir, const LoadOptions& limits,
                                                                 RoutesFactory factory) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return NotFoundError("model repository \"" + dir + "\" is not a directory");
  std::unique_ptr<ModelRepository> repository(new ModelRepository(dir, limits, std::move(factory)));
  repository->Reload();
  repository->default_model_ = DefaultModelOf(*repository->Index());
  return repository;
}

StatusOr<std::unique_ptr<ModelRepository>> ModelRepository::FromBundles(const std::vector<std::string>& paths,
                                                                        const LoadOptions& limits,
                                                                        RoutesFactory factory) {
  std::unique_ptr<ModelRepository> repository(new ModelRepository("", limits, std::move(factory)));
  auto index = std::make_shared<RepositoryIndex>();
  for (const std::string& path : paths) {
    StatusOr<Model> model = Model::Load(path, limits);
    if (!model.ok()) return InvalidInputError(model.status().ToString());
    const std::string name = model->info().name;
    if (!IsModelName(name)) {
      return InvalidInputError(fmt::format("{}: its model name \"{}\" cannot name a model in URLs (letters, digits, "
                                           "'.', '_', '-'): serve it from a --model-repository directory instead",
                                           path, ToValidUtf8(name)));
    }
    if (index->count(name)) return InvalidInputError(fmt::format("two bundles are named \"{}\" (--model {})", name, path));
    StatusOr<ServedVersionPtr> served = repository->LoadVersion(name, 1, path);
    if (!served.ok()) return InvalidInputError(fmt::format("{}: {}", path, served.status().message()));
    (*index)[name].versions[1] = VersionState{*served, "", Stamp(path)};
  }
  repository->default_model_ = DefaultModelOf(*index);
  repository->Publish(std::move(index));
  return repository;
}

std::unique_ptr<ModelRepository> ModelRepository::FromModel(const Model& model, RoutesFactory factory) {
  std::unique_ptr<ModelRepository> repository(new ModelRepository("", LoadOptions(), std::move(factory)));
  auto served = std::make_shared<ServedVersion>();
  served->name = model.info().name;
  served->version = 1;
  served->model = model;
  served->routes = repository->factory_(served->model, served->name, 1);
  auto index = std::make_shared<RepositoryIndex>();
  const std::string name = served->name;
  (*index)[name].versions[1] = VersionState{std::move(served), "", ""};
  repository->default_model_ = DefaultModelOf(*index);
  repository->Publish(std::move(index));
  return repository;
}

StatusOr<ServedVersionPtr> ModelRepository::LoadVersion(const std::string& name, int version,
                                                        const std::string& path) const {
  StatusOr<Model> model = Model::Load(path, limits_);
  if (!model.ok()) return model.status();
  StatusOr<size_t> golden = CheckGoldenRows(*model);
  if (!golden.ok()) return CorruptBundleError("does not answer as its training library: " + golden.status().message());
  if (*golden == 0 && !dir_.empty()) {
    return CorruptBundleError("carries no golden rows: nothing shows it answers as its training library "
                              "(train.py and export.py write them)");
  }
  auto served = std::make_shared<ServedVersion>();
  served->name = name;
  served->version = version;
  served->path = path;
  served->model = std::move(*model);
  served->routes = factory_(served->model, name, version);
  return ServedVersionPtr(std::move(served));
}

std::vector<std::string> ModelRepository::Reload() {
  std::vector<std::string> changes;
  if (dir_.empty()) return changes;
  std::lock_guard<std::mutex> lock(change_mutex_);
  const std::shared_ptr<const RepositoryIndex> before = Index();
  auto index = std::make_shared<RepositoryIndex>();
  std::error_code error;
  for (const auto& model_dir : fs::directory_iterator(dir_, error)) {
    const std::string name = model_dir.path().filename().string();
    if (!model_dir.is_directory(error) || !IsModelName(name)) continue;
    const auto old_model = before->find(name);
    const ModelEntry* previous = old_model == before->end() ? nullptr : &old_model->second;
    ModelEntry& entry = (*index)[name];
    for (const auto& version_dir : fs::directory_iterator(model_dir.path(), error)) {
      const int version = VersionNumber(version_dir.path().filename().string());
      if (!version_dir.is_directory(error) || version == 0) continue;
      const VersionState* was = nullptr;
      if (previous != nullptr && previous->versions.count(version)) was = &previous->versions.at(version);
      VersionState& state = entry.versions[version];
      const std::vector<std::string> files = BundleFiles(version_dir.path());
      if (files.size() > 1) {  // a stray copy: a serving version keeps serving what it loaded
        state.reason = fmt::format("{} *.bundle.json files: keep one", files.size());
        if (was != nullptr) state.served = was->served, state.stamp = was->stamp;
        changes.push_back(fmt::format("refused {}/{}: {}", name, version, state.reason));
        continue;
      }
      if (files.empty()) {
        state.reason = "no *.bundle.json file (or an unreadable directory)";
        if (was != nullptr && was->served) changes.push_back(fmt::format("unloaded {}/{}: {}", name, version, state.reason));
        continue;
      }
      state.stamp = Stamp(files[0]);
      if (was != nullptr && was->stamp == state.stamp) {
        state = *was;
        continue;
      }
      StatusOr<ServedVersionPtr> served = LoadVersion(name, version, files[0]);
      if (served.ok()) {
        state.served = *served;
        changes.push_back(fmt::format("loaded {}/{} ({})", name, version, files[0]));
      } else {
        state.served = was != nullptr ? was->served : nullptr;  // a good version is never replaced by a bad file
        state.reason = served.status().message();
        changes.push_back(fmt::format("refused {}/{}: {}{}", name, version, state.reason,
                                      state.served ? " (the version loaded before still serves)" : ""));
      }
    }
    StatusOr<std::map<std::string, int>> aliases = ReadAliases(model_dir.path() / kAliasesFile);
    if (aliases.ok()) {
      entry.aliases = std::move(*aliases);
    } else {
      entry.reason = aliases.status().message();
      if (previous != nullptr && !previous->aliases_unknown) {
        entry.aliases = previous->aliases;
      } else {
        entry.aliases_unknown = true;
      }
      changes.push_back(fmt::format("{}: {} (the aliases read before stay)", name, entry.reason));
    }
  }
  for (const auto& [name, entry] : *before) {
    for (const auto& [version, state] : entry.versions) {
      if (state.served && (!index->count(name) || !index->at(name).versions.count(version))) {
        changes.push_back(fmt::format("removed {}/{}", name, version));
      }
    }
  }
  Publish(std::move(index));
  return changes;
}

StatusOr<ServedVersionPtr> ModelRepository::Resolve(std::string_view name, std::string_view version_or_alias) const {
  const std::shared_ptr<const RepositoryIndex> index = Index();
  const std::string model(name.empty() ? std::string_view(default_model_) : name);
  // What the client did not name (the default model, its default version) is
  // the server's fault when missing: kCorruptBundle (503), never kNotFound (404).
  if (model.empty()) {
    return CorruptBundleError("no default model: name one in the path (/models/{name}/...) or start with "
                              "--default-model; models: " + Names(*index));
  }
  const auto found = index->find(model);
  if (found == index->end()) {
    const std::string message = fmt::format("no model \"{}\" (models: {})", ToValidUtf8(model), Names(*index));
    return name.empty() ? CorruptBundleError("the default model is gone: " + message) : NotFoundError(message);
  }
  const ModelEntry& entry = found->second;
  if (entry.aliases_unknown && VersionNumber(version_or_alias) == 0) {
    return CorruptBundleError(fmt::format("model \"{}\": {}: name a version number", model, entry.reason));
  }
  int version = VersionNumber(version_or_alias);
  std::string via;
  if (version_or_alias.empty()) {
    if (entry.aliases.count("production")) {
      version = entry.aliases.at("production");
      via = " (alias production)";
    } else {
      for (const auto& [v, state] : entry.versions) {
        if (state.served) version = v;
      }
      if (version == 0) return CorruptBundleError(fmt::format("model \"{}\" has no servable version", model));
    }
  } else if (version == 0) {
    const auto alias = entry.aliases.find(std::string(version_or_alias));
    if (alias == entry.aliases.end()) {
      return NotFoundError(fmt::format("model \"{}\" has no version or alias \"{}\" (versions: {}; aliases: {})", model,
                                       ToValidUtf8(version_or_alias), Keys(entry.versions), Keys(entry.aliases)));
    }
    version = alias->second;
    via = fmt::format(" (alias {})", alias->first);
  }
  const auto state = entry.versions.find(version);
  if (state == entry.versions.end()) {
    const std::string message =
        fmt::format("model \"{}\" has no version {}{} (versions: {})", model, version, via, Keys(entry.versions));
    return version_or_alias.empty() ? CorruptBundleError(message) : NotFoundError(message);
  }
  if (!state->second.served) {
    return CorruptBundleError(
        fmt::format("model \"{}\" version {}{} cannot serve: {}", model, version, via, state->second.reason));
  }
  return state->second.served;
}

Status ModelRepository::SetAlias(const std::string& name, const std::string& alias, int version) {
  std::lock_guard<std::mutex> lock(change_mutex_);
  auto index = std::make_shared<RepositoryIndex>(*Index());
  const auto entry = index->find(name);
  if (entry == index->end()) return NotFoundError(fmt::format("no model \"{}\" (models: {})", ToValidUtf8(name), Names(*index)));
  if (!IsAliasName(alias)) {
    return InvalidInputError(fmt::format("\"{}\" is not an alias name: a letter, then letters, digits, '_' or '-'",
                                         ToValidUtf8(alias)));
  }
  const auto state = entry->second.versions.find(version);
  if (state == entry->second.versions.end() || !state->second.served) {
    std::map<int, bool> servable;
    for (const auto& [v, s] : entry->second.versions) {
      if (s.served) servable[v] = true;
    }
    return InvalidInputError(fmt::format("model \"{}\" has no servable version {} (servable: {})", name, version,
                                         Keys(servable)));
  }
  std::map<std::string, int> aliases = entry->second.aliases;
  aliases[alias] = version;
  if (Status written = WriteAliases(name, aliases); !written.ok()) return written;
  entry->second.aliases = std::move(aliases);
  Publish(std::move(index));
  return Status::Ok();
}

Status ModelRepository::DeleteAlias(const std::string& name, const std::string& alias) {
  std::lock_guard<std::mutex> lock(change_mutex_);
  auto index = std::make_shared<RepositoryIndex>(*Index());
  const auto entry = index->find(name);
  if (entry == index->end()) return NotFoundError(fmt::format("no model \"{}\" (models: {})", ToValidUtf8(name), Names(*index)));
  std::map<std::string, int> aliases = entry->second.aliases;
  if (aliases.erase(alias) == 0) {
    return NotFoundError(fmt::format("model \"{}\" has no alias \"{}\" (aliases: {})", name, ToValidUtf8(alias),
                                     Keys(entry->second.aliases)));
  }
  if (Status written = WriteAliases(name, aliases); !written.ok()) return written;
  entry->second.aliases = std::move(aliases);
  Publish(std::move(index));
  return Status::Ok();
}

Status ModelRepository::WriteAliases(const std::string& name, const std::map<std::string, int>& aliases) const {
  if (dir_.empty()) return Status::Ok();  // bundles given one by one: aliases live in memory
  Json json = Json::object();
  for (const auto& [alias, version] : aliases) json[alias] = version;
  const fs::path file = fs::path(dir_) / name / kAliasesFile;
  const fs::path temporary = fs::path(file).concat(".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << JsonText(json, 2) << '\n';
    if (!out.flush()) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return IoError("cannot write " + temporary.string());
    }
  }
  std::error_code error;
  fs::rename(temporary, file, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    return IoError(fmt::format("cannot replace {}: {}", file.string(), error.message()));
  }
  return Status::Ok();
}

std::shared_ptr<const RepositoryIndex> ModelRepository::Index() const {
  std::lock_guard<std::mutex> lock(index_mutex_);
  return index_;
}

void ModelRepository::Publish(std::shared_ptr<const RepositoryIndex> index) {
  std::lock_guard<std::mutex> lock(index_mutex_);
  index_ = std::move(index);
}

Status ModelRepository::SetDefaultModel(const std::string& name) {
  const std::shared_ptr<const RepositoryIndex> index = Index();
  if (!index->count(name)) {
    return NotFoundError(fmt::format("--default-model {}: no such model (models: {})", ToValidUtf8(name), Names(*index)));
  }
  default_model_ = name;
  return Status::Ok();
}

}  // namespace stroke::apps
