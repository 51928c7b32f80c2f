// apps/serve/model_repository: the layout read, versions resolved by number,
// alias or default; a version that fails its golden rows never serves and
// never replaces one that does; aliases moved and written back; requests
// hold their version across reloads.
#include "model_repository.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>

#include "repository_test_util.h"

namespace stroke::apps {
namespace {

using testing::AddVersion;

class Repository : public ::testing::Test {
 protected:
  StatusOr<std::unique_ptr<ModelRepository>> Open() {
    return ModelRepository::Open(dir_.path().string(), LoadOptions(), [this](const Model& model, const std::string& name,
                                                                             int version) {
      RouteSettings settings;
      settings.model_name = name;
      settings.model_version = std::to_string(version);
      return std::make_unique<Routes>(model, settings, &metrics_, &log_);
    });
  }
  // The version `name`/`version_or_alias` resolves to, or -1 with the error in `error`.
  static int VersionOf(const ModelRepository& r, const std::string& name, const std::string& version_or_alias,
                       std::string* error = nullptr) {
    StatusOr<ServedVersionPtr> served = r.Resolve(name, version_or_alias);
    if (error != nullptr) *error = served.ok() ? "" : served.status().message();
    return served.ok() ? (*served)->version : -1;
  }

  testing::TempDir dir_{"stroke_repository_test_"};
  Metrics metrics_{"test"};
  EventLog log_{100};
};

TEST_F(Repository, ResolvesNumbersAliasesAndTheDefault) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "stroke", 2, "stroke");
  AddVersion(dir_.path(), "heart", 3, "heart_disease");
  auto repository = Open();
  ASSERT_TRUE(repository.ok()) << repository.status().ToString();
  const ModelRepository& r = **repository;
  EXPECT_EQ(r.default_model(), "stroke");
  EXPECT_EQ(VersionOf(r, "", ""), 2);  // no production alias: the highest ready version
  EXPECT_EQ(VersionOf(r, "stroke", "1"), 1);
  EXPECT_EQ(VersionOf(r, "heart", ""), 3);
  std::string error;
  EXPECT_EQ(VersionOf(r, "lung", "", &error), -1);
  EXPECT_EQ(error, "no model \"lung\" (models: heart, stroke)");
  EXPECT_EQ(VersionOf(r, "stroke", "7", &error), -1);
  EXPECT_EQ(error, "model \"stroke\" has no version 7 (versions: 1, 2)");
  EXPECT_EQ(VersionOf(r, "stroke", "staging", &error), -1);
  EXPECT_NE(error.find("no version or alias \"staging\""), std::string::npos) << error;

  testing::WriteAliases(dir_.path(), "stroke", R"({"production": 1, "staging": 2})");
  (*repository)->Reload();
  EXPECT_EQ(VersionOf(r, "", ""), 1);  // production wins over the highest
  EXPECT_EQ(VersionOf(r, "stroke", "staging"), 2);
  const ServedVersionPtr served = *r.Resolve("stroke", "1");
  EXPECT_EQ(served->routes->model_name(), "stroke");
  EXPECT_EQ(served->routes->model_version(), "1");
}

TEST_F(Repository, AVersionFailingItsGoldenRowsNeverServes) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  testing::WriteVersionFile(dir_.path(), "stroke", 2, testing::OffByOneUlpStrokeBundle());
  testing::WriteVersionFile(dir_.path(), "stroke", 3, "{not json");
  std::filesystem::create_directories(dir_.path() / "stroke" / "4");  // no bundle file
  AddVersion(dir_.path(), "stroke", 5, "stroke");
  testing::WriteVersionFile(dir_.path(), "stroke", 5, testing::ReadFile(testing::ShippedBundlePath("stroke")), "b.bundle.json");
  std::filesystem::create_directories(dir_.path() / "stroke" / "v6");  // not a version: ignored
  auto repository = Open();
  ASSERT_TRUE(repository.ok());
  const RepositoryIndex& index = *(*repository)->Index();
  const auto& versions = index.at("stroke").versions;
  ASSERT_EQ(versions.size(), 5u);
  EXPECT_TRUE(versions.at(1).served);
  EXPECT_FALSE(versions.at(2).served);
  EXPECT_NE(versions.at(2).reason.find("does not answer as its training library: golden[0]: probability"),
            std::string::npos) << versions.at(2).reason;
  EXPECT_FALSE(versions.at(3).served);
  EXPECT_FALSE(versions.at(3).reason.empty());
  EXPECT_EQ(versions.at(4).reason, "no *.bundle.json file (or an unreadable directory)");
  EXPECT_EQ(versions.at(5).reason, "2 *.bundle.json files: keep one");
  EXPECT_EQ(VersionOf(**repository, "stroke", ""), 1);  // the highest that serves
  std::string error;
  EXPECT_EQ(VersionOf(**repository, "stroke", "2", &error), -1);
  EXPECT_NE(error.find("version 2 cannot serve: does not answer"), std::string::npos) << error;
  EXPECT_EQ((*repository)->Resolve("stroke", "2").status().code(), StatusCode::kCorruptBundle);
}

TEST_F(Repository, ABadFileNeverReplacesAServingVersion) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  auto repository = Open();
  ASSERT_TRUE(repository.ok());
  const ServedVersionPtr before = *(*repository)->Resolve("stroke", "1");
  testing::WriteVersionFile(dir_.path(), "stroke", 1, testing::OffByOneUlpStrokeBundle());
  const std::vector<std::string> changes = (*repository)->Reload();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_NE(changes[0].find("refused stroke/1"), std::string::npos) << changes[0];
  EXPECT_NE(changes[0].find("the version loaded before still serves"), std::string::npos) << changes[0];
  EXPECT_EQ(*(*repository)->Resolve("stroke", "1"), before);  // the same loaded bundle
  AddVersion(dir_.path(), "stroke", 1, "stroke");  // fixed
  (*repository)->Reload();
  const ServedVersionPtr after = *(*repository)->Resolve("stroke", "1");
  EXPECT_NE(after, before);
  EXPECT_TRUE((*repository)->Index()->at("stroke").versions.at(1).reason.empty());
}

// A FIFO or a directory named *.bundle.json is listed with what is wrong
// with it, never opened (a FIFO would block the reload).
TEST_F(Repository, ABundleThatIsNoRegularFileIsNamedNotRead) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  std::filesystem::create_directories(dir_.path() / "stroke" / "2");
  ASSERT_EQ(::mkfifo((dir_.path() / "stroke" / "2" / "x.bundle.json").c_str(), 0600), 0);
  std::filesystem::create_directories(dir_.path() / "stroke" / "3" / "y.bundle.json");
  auto repository = Open();
  ASSERT_TRUE(repository.ok());
  const auto index = (*repository)->Index();
  for (int version : {2, 3}) {
    const std::string& reason = index->at("stroke").versions.at(version).reason;
    EXPECT_NE(reason.find("is not a regular file"), std::string::npos) << reason;
  }
  EXPECT_EQ(VersionOf(**repository, "stroke", ""), 1);
}

TEST_F(Repository, AliasesMoveOnlyToServingVersionsAndAreWrittenBack) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "stroke", 2, "stroke");
  testing::WriteVersionFile(dir_.path(), "stroke", 3, testing::OffByOneUlpStrokeBundle());
  auto repository = Open();
  ASSERT_TRUE(repository.ok());
  ModelRepository& r = **repository;
  ASSERT_TRUE(r.SetAlias("stroke", "production", 1).ok());
  EXPECT_EQ(VersionOf(r, "", ""), 1);
  EXPECT_EQ(r.SetAlias("stroke", "production", 3).code(), StatusCode::kInvalidInput);  // not servable
  EXPECT_EQ(r.SetAlias("stroke", "production", 9).code(), StatusCode::kInvalidInput);
  EXPECT_EQ(r.SetAlias("stroke", "7up", 1).code(), StatusCode::kInvalidInput);  // not an alias name
  EXPECT_EQ(r.SetAlias("lung", "production", 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(VersionOf(r, "", ""), 1);  // unchanged by the refusals
  ASSERT_TRUE(r.SetAlias("stroke", "staging", 2).ok());
  EXPECT_EQ(nlohmann::json::parse(testing::ReadFile((dir_.path() / "stroke" / "aliases.json").string())),
            nlohmann::json::parse(R"({"production": 1, "staging": 2})"));
  ASSERT_TRUE(r.DeleteAlias("stroke", "production").ok());
  EXPECT_EQ(r.DeleteAlias("stroke", "production").code(), StatusCode::kNotFound);
  r.Reload();  // read back from the file
  EXPECT_EQ(r.Index()->at("stroke").aliases, (std::map<std::string, int>{{"staging", 2}}));
  EXPECT_EQ(VersionOf(r, "", ""), 2);
}

TEST_F(Repository, ABadAliasesFileKeepsTheAliasesReadBefore) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "stroke", 2, "stroke");
  testing::WriteAliases(dir_.path(), "stroke", R"({"production": 1})");
  auto repository = Open();
  ASSERT_TRUE(repository.ok());
  testing::WriteAliases(dir_.path(), "stroke", R"({"production": "two"})");
  (*repository)->Reload();
  const ModelEntry& entry = (*repository)->Index()->at("stroke");
  EXPECT_NE(entry.reason.find("alias \"production\": expected a version number"), std::string::npos) << entry.reason;
  EXPECT_EQ(VersionOf(**repository, "", ""), 1);
}

TEST_F(Repository, ARequestKeepsItsVersionWhenTheVersionGoes) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "stroke", 2, "stroke");
  auto repository = Open();
  ASSERT_TRUE(repository.ok());
  const ServedVersionPtr held = *(*repository)->Resolve("stroke", "2");
  std::filesystem::remove_all(dir_.path() / "stroke" / "2");
  EXPECT_EQ((*repository)->Reload(), std::vector<std::string>{"removed stroke/2"});
  EXPECT_EQ(VersionOf(**repository, "stroke", ""), 1);
  // The held version still answers: its model and routes live while it is held.
  EXPECT_EQ(held->routes->model_version(), "2");
  EXPECT_TRUE(held->model.Predict(testing::RecordOrDie(testing::kSamplePatient)).ok());
}

TEST_F(Repository, WhatTheServerGetsWrongIsNeverGuessed) {
  AddVersion(dir_.path(), "stroke", 1, "stroke");
  AddVersion(dir_.path(), "stroke", 1700000000, "stroke");  // a timestamp version
  testing::WriteAliases(dir_.path(), "stroke", R"({"production": 1, "production": 1700000000})");  // a key twice
  nlohmann::json unproven = nlohmann::json::parse(testing::ReadFile(testing::ShippedBundlePath("stroke")));
  unproven.erase("golden");
  testing::WriteVersionFile(dir_.path(), "stroke", 3, unproven.dump());
  auto repository = Open();
  ASSERT_TRUE(repository.ok());
  ModelRepository& r = **repository;
  const ModelEntry& entry = r.Index()->at("stroke");
  EXPECT_TRUE(entry.versions.at(1700000000).served);
  EXPECT_FALSE(entry.versions.at(3).served);  // nothing proves it answers as its training library
  EXPECT_NE(entry.versions.at(3).reason.find("carries no golden rows"), std::string::npos);
  // An unreadable aliases.json at start: the production alias is unknown, so
  // a request naming no version is refused (503), not answered by the newest.
  EXPECT_TRUE(entry.aliases_unknown);
  EXPECT_NE(entry.reason.find("appears twice"), std::string::npos) << entry.reason;
  EXPECT_EQ(r.Resolve("stroke", "").status().code(), StatusCode::kCorruptBundle);
  EXPECT_EQ(VersionOf(r, "stroke", "1"), 1);  // named versions still serve
  // A stray second bundle file: the serving version keeps what it loaded.
  const ServedVersionPtr before = *r.Resolve("stroke", "1");
  testing::WriteVersionFile(dir_.path(), "stroke", 1, testing::ReadFile(testing::ShippedBundlePath("stroke")), "copy.bundle.json");
  r.Reload();
  EXPECT_EQ(*r.Resolve("stroke", "1"), before);
  EXPECT_EQ(r.Index()->at("stroke").versions.at(1).reason, "2 *.bundle.json files: keep one");
  // A production alias pointing nowhere is the server's fault: 503, not 404.
  testing::WriteAliases(dir_.path(), "stroke", R"({"production": 9})");
  r.Reload();
  EXPECT_EQ(r.Resolve("stroke", "").status().code(), StatusCode::kCorruptBundle);
  EXPECT_EQ(r.Resolve("stroke", "9").status().code(), StatusCode::kNotFound);  // named by the client: 404
}

TEST_F(Repository, NoDefaultAmongSeveralModelsWithoutStroke) {
  AddVersion(dir_.path(), "a", 1, "stroke");
  AddVersion(dir_.path(), "b", 1, "stroke");
  auto repository = Open();
  ASSERT_TRUE(repository.ok());
  EXPECT_EQ((*repository)->default_model(), "");
  std::string error;
  EXPECT_EQ(VersionOf(**repository, "", "", &error), -1);
  EXPECT_NE(error.find("no default model"), std::string::npos) << error;
  EXPECT_EQ((*repository)->Resolve("", "").status().code(), StatusCode::kCorruptBundle);  // 503: the server's fault
  EXPECT_EQ((*repository)->SetDefaultModel("c").code(), StatusCode::kNotFound);
  ASSERT_TRUE((*repository)->SetDefaultModel("b").ok());
  EXPECT_EQ(VersionOf(**repository, "", ""), 1);
  EXPECT_EQ(ModelRepository::Open((dir_.path() / "missing").string(), LoadOptions(), nullptr).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace stroke::apps
