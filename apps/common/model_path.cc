#include "model_path.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace stroke::apps {
namespace fs = std::filesystem;

std::string InstalledDataDir(const std::string& name) {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  return error ? "" : (exe.parent_path().parent_path() / "share/stroke" / name).string();
}

std::vector<std::string> ModelSearchDirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("STROKE_MODELS_DIR"); env != nullptr && *env != '\0') {
    dirs.emplace_back(env);
  }
  if (std::string installed = InstalledDataDir("models"); !installed.empty()) dirs.push_back(installed);
  return dirs;
}

std::string ResolveModelPath(const std::string& requested, std::string* error) {
  std::string wanted = requested;
  if (wanted.empty()) {
    const char* env = std::getenv("STROKE_MODEL");
    wanted = env != nullptr && *env != '\0' ? env : kDefaultModelName;
  }
  std::error_code ec;
  if (fs::is_regular_file(wanted, ec)) return wanted;
  const bool bare_name = wanted.find('/') == std::string::npos &&
                         fs::path(wanted).extension() != ".json";
  if (!bare_name) {
    *error = "no bundle file at \"" + wanted + "\"";
    return "";
  }
  std::vector<std::string> tried;
  for (const std::string& dir : ModelSearchDirs()) {
    const fs::path candidate = fs::path(dir) / (wanted + ".bundle.json");
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    tried.push_back(candidate.string());
  }
  *error = fmt::format("no bundled model \"{}\" (looked for {})", wanted, fmt::join(tried, ", "));
  return "";
}

}  // namespace stroke::apps
