// Finding a bundle: an explicit path, a bundled model's name, or the default.
#ifndef STROKE_APPS_COMMON_MODEL_PATH_H_
#define STROKE_APPS_COMMON_MODEL_PATH_H_

#include <string>
#include <vector>

namespace stroke::apps {

// The bundled default model's name.
inline constexpr const char* kDefaultModelName = "stroke";

// <directory of the running executable>/../share/stroke/<name>: where an
// installed app finds its data ("models", "swagger-ui"); "" if unknown. The
// build tree has the same layout (stroke_link_build_tree_data in
// CMakeLists.txt), so no build or source path is compiled in.
std::string InstalledDataDir(const std::string& name);

// Directories searched for bundled models, in order: $STROKE_MODELS_DIR and
// share/stroke/models next to the running executable.
std::vector<std::string> ModelSearchDirs();

// Resolves `requested`: a path to an existing file is used as is; a bare
// name ("stroke", "lung_cancer") is looked up as <dir>/<name>.bundle.json in
// ModelSearchDirs(); empty means $STROKE_MODEL or the default model. Returns
// the path to load, or "" with `error` set to what was tried.
std::string ResolveModelPath(const std::string& requested, std::string* error);

}  // namespace stroke::apps

#endif  // STROKE_APPS_COMMON_MODEL_PATH_H_
