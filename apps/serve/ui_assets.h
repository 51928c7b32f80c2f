// GET /ui: a page for people, generated in the browser from the served
// model's schema (docs/web-ui.md). Its own files (ui.html, ui.js, ui.css) are
// compiled in (ui_files.h); Chart.js (chart.umd.js, from npm at build time)
// is read from disk when present, else the page shows its charts' numbers as
// tables. Every file is precompressed once and served with an ETag.
//
// The files hold no model data and no secret: the page reads everything
// through the API, with the visitor's credentials. So /ui is served open
// (without credentials) even when auth is on.
//
//   auto ui = UiAssets::Load(chart_dir);   // once, at startup
//   Reply page = ui->Answer("", request_id), js = ui->Answer("ui.js", request_id);
#ifndef STROKE_APPS_SERVE_UI_ASSETS_H_
#define STROKE_APPS_SERVE_UI_ASSETS_H_

#include <map>
#include <memory>
#include <string>

#include "compression.h"
#include "routes.h"

namespace stroke::apps {

class UiAssets {
 public:
  // The compiled-in files, plus `chart_dir`/chart.umd.js when that file
  // exists ("" = none). The page links each script and style with
  // "?v=<its ETag>", so a browser's cached copy never outlives a new build.
  static std::shared_ptr<const UiAssets> Load(const std::string& chart_dir);

  // GET /ui (`file` "") or /ui/{file}: the file as a StaticAsset reply
  // (gzip when accepted, ETag, 304), or a 404 naming the file.
  Reply Answer(const std::string& file, const std::string& request_id) const;

  // Whether Chart.js was found (the page draws charts, else tables).
  bool has_charts() const { return files_.count("chart.umd.js") != 0; }

 private:
  std::map<std::string, StaticAsset> files_;  // by name; the page is "ui.html"
};

}  // namespace stroke::apps

#endif  // STROKE_APPS_SERVE_UI_ASSETS_H_
