// GET /ui, the page for people (apps/serve/ui_assets.h, docs/web-ui.md): its
// compiled-in files as static assets (ETag, 304, gzip), open with auth on,
// Chart.js from --ui-dir when there, and no login challenge for the page's
// own calls (X-Requested-With).
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include "serve_test_util.h"

namespace stroke::apps {
namespace {

// Options whose --ui-dir holds no Chart.js (the build tree's may have one).
ServeOptions WithoutChartJs() {
  const std::filesystem::path dir = TempPath("empty_ui_dir");
  std::filesystem::create_directories(dir);
  ServeOptions options;
  options.ui_dir = dir.string();
  return options;
}

httplib::Client RawClient(const RunningServer& s) {
  httplib::Client client = s.Client();
  client.set_decompress(false);  // the bytes as sent
  return client;
}

TEST(UiRoutes, ThePageIsHtmlNamingItsFiles) {
  RunningServer s({});
  auto res = s.Client().Get("/ui");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  for (const char* file : {"ui/ui.js?v=", "ui/ui.css?v=", "ui/ui-charts.js?v=", "ui/ui-batch.js?v=", "ui/ui-card.js?v="}) {
    EXPECT_NE(res->body.find(file), std::string::npos) << file;
  }
  EXPECT_NE(res->body.find("id=\"record-form\""), std::string::npos);
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache");
  // The page holds no model data: nothing of the bundle's schema is in it.
  EXPECT_EQ(res->body.find("avg_glucose_level"), std::string::npos);
}

TEST(UiRoutes, FilesHaveAnETagAnd304AndGzip) {
  RunningServer s({});
  auto client = RawClient(s);
  for (const char* path : {"/ui", "/ui/ui.js", "/ui/ui.css", "/ui/ui-charts.js", "/ui/ui-batch.js", "/ui/ui-card.js"}) {
    auto plain = client.Get(path);
    ASSERT_TRUE(plain) << path;
    EXPECT_EQ(plain->status, 200) << path;
    const std::string etag = plain->get_header_value("ETag");
    EXPECT_GT(etag.size(), 10u) << path;
    EXPECT_EQ(etag.front(), '"') << path;
    EXPECT_EQ(plain->get_header_value("Content-Encoding"), "") << path;
    auto again = client.Get(path, {{"If-None-Match", etag}});
    EXPECT_EQ(again->status, 304) << path;
    EXPECT_TRUE(again->body.empty()) << path;
    auto gzip = client.Get(path, {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(gzip->get_header_value("Content-Encoding"), "gzip") << path;
    EXPECT_LT(gzip->body.size(), plain->body.size()) << path;
    EXPECT_EQ(gzip->get_header_value("ETag"), etag) << path;
  }
  EXPECT_EQ(client.Get("/ui/ui.js")->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(client.Get("/ui/ui.css")->get_header_value("Content-Type"), "text/css; charset=utf-8");
}

// RFC 9110 §13.1.2: If-None-Match is a list, compared weakly, or "*".
TEST(UiRoutes, IfNoneMatchListsWeakTagsAndStarRevalidate) {
  EXPECT_TRUE(EtagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches("\"x\", W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(EtagMatches(" * ", "\"abc\""));
  EXPECT_FALSE(EtagMatches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(EtagMatches("", "\"abc\""));
  EXPECT_FALSE(EtagMatches(",,", "\"abc\""));
  RunningServer s({});
  const std::string etag = s.Client().Get("/ui/ui.js")->get_header_value("ETag");
  EXPECT_EQ(s.Client().Get("/ui/ui.js", {{"If-None-Match", "\"other\", W/" + etag}})->status, 304);
  EXPECT_EQ(s.Client().Get("/ui/ui.js", {{"If-None-Match", "\"other\""}})->status, 200);
}

TEST(UiRoutes, AnUnknownFileIsA404NamingIt) {
  RunningServer s(WithoutChartJs());
  auto client = s.Client();
  for (const char* file : {"unknown.js", "ui.html", "chart.umd.js"}) {  // no Chart.js given: none served
    auto res = client.Get(std::string("/ui/") + file);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404) << file;
    EXPECT_NE(Json::parse(res->body)["error"].get<std::string>().find(std::string("\"") + file + "\""), std::string::npos)
        << res->body;
  }
  auto slash = client.Get("/ui/");
  EXPECT_EQ(slash->status, 308);
  EXPECT_EQ(slash->get_header_value("Location"), "../ui");
}

TEST(UiRoutes, WithoutChartJsThePageLoadsNoChartScript) {
  RunningServer s(WithoutChartJs());
  EXPECT_EQ(s.Client().Get("/ui")->body.find("chart.umd.js"), std::string::npos);
}

TEST(UiRoutes, ChartJsFromTheUiDirIsServedAndLinked) {
  const std::filesystem::path dir = TempPath("ui_dir");
  std::filesystem::create_directories(dir);
  std::string js;
  while (js.size() < 20000) js += "window.Chart = function Chart() {};\n";
  std::ofstream(dir / "chart.umd.js") << js;
  ServeOptions options;
  options.ui_dir = dir.string();
  RunningServer s(options);
  auto client = RawClient(s);
  EXPECT_NE(client.Get("/ui")->body.find("\"ui/chart.umd.js?v="), std::string::npos);
  auto chart = client.Get("/ui/chart.umd.js");
  EXPECT_EQ(chart->status, 200);
  EXPECT_EQ(chart->body, js);
  EXPECT_FALSE(chart->get_header_value("ETag").empty());
  EXPECT_EQ(client.Get("/ui/chart.umd.js", {{"Accept-Encoding", "gzip"}})->get_header_value("Content-Encoding"), "gzip");
}

TEST(UiRoutes, ThePlainDocsPageLinksToIt) {
  ServeOptions options = WithoutChartJs();
  options.docs_dir = options.ui_dir;  // no Swagger UI there: the plain page
  RunningServer s(options);
  EXPECT_NE(s.Client().Get("/docs")->body.find("<a href=\"/ui\">"), std::string::npos);
}

// The page is open; the API behind it still asks for credentials.
TEST(UiRoutes, ThePageIsOpenWhileTheApiNeedsCredentials) {
  ServeOptions options = WithUsers();
  auto [key, line] = NewApiKey("dashboard");
  options.api_keys_file = TempPath("ui_keys");
  std::ofstream(options.api_keys_file) << line << "\n";
  options.protect_ops = true;
  RunningServer s(options);
  auto client = s.Client();
  for (const char* path : {"/ui", "/ui/ui.js", "/ui/ui.css", "/ui/ui-charts.js", "/ui/ui-batch.js", "/ui/ui-card.js"}) {
    EXPECT_EQ(client.Get(path)->status, 200) << path;
  }
  EXPECT_EQ(client.Get("/ui/nothing.js")->status, 404);
  EXPECT_EQ(client.Get("/model")->status, 401);
  EXPECT_EQ(client.Get("/docs")->status, 401);
  EXPECT_EQ(client.Get("/model", Basic("bob", "builder"))->status, 200);
  EXPECT_EQ(client.Get("/model", {{"Authorization", "Bearer " + key}})->status, 200);
  EXPECT_EQ(client.Post("/explain", {{"Authorization", "Bearer " + key}}, kPatient, "application/json")->status, 200);
}

// Browsers answer a 401 carrying WWW-Authenticate: Basic with their own login
// dialog; the page's calls say X-Requested-With and get none.
TEST(UiRoutes, AScriptsCallGetsA401WithoutAChallenge) {
  RunningServer s(WithUsers());
  auto client = s.Client();
  auto browser = client.Post("/predict", kPatient, "application/json");
  EXPECT_EQ(browser->status, 401);
  EXPECT_EQ(browser->get_header_value("WWW-Authenticate"), "Basic realm=\"stroke-serve\", charset=\"UTF-8\"");
  auto script = client.Post("/predict", {{"X-Requested-With", "XMLHttpRequest"}}, kPatient, "application/json");
  EXPECT_EQ(script->status, 401);
  EXPECT_FALSE(script->has_header("WWW-Authenticate"));
  EXPECT_NE(Json::parse(script->body)["error"].get<std::string>().find("credentials"), std::string::npos);
  auto wrong = client.Post("/predict", {{"X-Requested-With", "XMLHttpRequest"}, {"Authorization", "Basic Ym9iOng="}},
                           kPatient, "application/json");
  EXPECT_EQ(wrong->status, 401);
  EXPECT_FALSE(wrong->has_header("WWW-Authenticate"));
  auto other = client.Post("/predict", {{"X-Requested-With", "fetch"}}, kPatient, "application/json");
  EXPECT_TRUE(other->has_header("WWW-Authenticate"));  // only the convention's value
}

}  // namespace
}  // namespace stroke::apps
