// The /ui page's own files (apps/serve/ui/), compiled into stroke-serve at
// build time by embed_files.cmake: the page works with no data directory.
#ifndef STROKE_APPS_SERVE_UI_FILES_H_
#define STROKE_APPS_SERVE_UI_FILES_H_

#include <span>
#include <string_view>

namespace stroke::apps {

struct EmbeddedFile {
  std::string_view name;     // the file's name: "ui.html", "ui.js", "ui.css"
  std::string_view content;  // its bytes, static
};

// Every embedded file, in the order CMake listed them.
std::span<const EmbeddedFile> EmbeddedUiFiles();

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_UI_FILES_H_
