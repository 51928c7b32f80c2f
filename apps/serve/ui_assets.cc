#include "ui_assets.h"

#include "ui_files.h"

namespace stroke::apps {
namespace {

std::string ContentType(const std::string& name) {
  const std::string ext = name.substr(name.rfind('.') + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  return "application/octet-stream";
}

// Replaces the first `from` in `text` with `to`; false when absent.
bool ReplaceOnce(std::string* text, const std::string& from, const std::string& to) {
  const size_t at = text->find(from);
  if (at == std::string::npos) return false;
  text->replace(at, from.size(), to);
  return true;
}

// What the page may load and where it may send: its own origin only.
constexpr const char* kPageSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

}  // namespace

std::shared_ptr<const UiAssets> UiAssets::Load(const std::string& chart_dir) {
  auto ui = std::make_shared<UiAssets>();
  std::string page;
  for (const EmbeddedFile& f : EmbeddedUiFiles()) {
    if (f.name == "ui.html") {
      page = std::string(f.content);
    } else {
      ui->files_[std::string(f.name)] = MakeStaticAsset(std::string(f.content), ContentType(std::string(f.name)));
    }
  }
  if (!chart_dir.empty()) {
    if (auto chart = LoadStaticAsset(chart_dir + "/chart.umd.js", ContentType("chart.umd.js"))) {
      ui->files_["chart.umd.js"] = std::move(*chart);
    }
  }
  if (!ui->has_charts()) ReplaceOnce(&page, "<script src=\"ui/chart.umd.js\" defer></script>", "");
  for (const auto& [name, asset] : ui->files_) {
    const std::string version = asset.etag.substr(1, 16);  // the quotes off
    ReplaceOnce(&page, "\"ui/" + name + "\"", "\"ui/" + name + "?v=" + version + "\"");
  }
  StaticAsset html = MakeStaticAsset(std::move(page), ContentType("ui.html"));
  html.cache_control = "no-cache";  // revalidated on each visit: it names the current files
  ui->files_["ui.html"] = std::move(html);
  return ui;
}

Reply UiAssets::Answer(const std::string& file, const std::string& request_id) const {
  const auto it = files_.find(file.empty() ? "ui.html" : file);
  if (it == files_.end() || file == "ui.html") {
    return ErrorReply(404, "no file \"" + file + "\" under /ui (the page is GET /ui)", request_id);
  }
  Reply reply{200, "", it->second.content_type, {{"X-Content-Type-Options", "nosniff"}}, &it->second};
  if (file.empty()) {
    reply.headers.emplace_back("Content-Security-Policy", kPageSecurityPolicy);
    reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  return reply;
}

}  // namespace stroke::apps
