#include <gtest/gtest.h>

#include "core/config.hpp"
#include "support/temp_dir.hpp"

using namespace oh;

namespace {

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end())
      return it->second;
    return std::nullopt;
  };
}

} // namespace

TEST(Config, DefaultsMatchTheOriginal) {
  auto cfg = load_config({"--config", "/nonexistent/x.json"}, env_of({}));
  ASSERT_FALSE(cfg); // an explicit --config must exist
  cfg = load_config({}, env_of({{"OPENHINGE_CONFIG", ""}}));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->host, "127.0.0.1");
  EXPECT_EQ(cfg->port, 3700u);
  EXPECT_EQ(cfg->data_dir, "./data");
  EXPECT_EQ(cfg->db_path, "./data/openhinge.db");
  EXPECT_EQ(cfg->max_body_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(cfg->sources.at("server.port"), "default");
}

TEST(Config, FlagsBeatEnvironmentBeatFileBeatDefaults) {
  test::temp_dir dir;
  test::write_file(dir.file("c.json"),
                   R"({"server":{"port":4000,"host":"0.0.0.0"},
                       "data_dir":"/srv/oh","logging":{"level":"debug"}})");
  auto cfg = load_config(
    {"--config", dir.file("c.json"), "--port=5000"},
    env_of({{"OPENHINGE_PORT", "4500"}, {"OPENHINGE_HOST", "127.0.0.2"}}));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->port, 5000u);
  EXPECT_EQ(cfg->sources.at("server.port"), "flag");
  EXPECT_EQ(cfg->host, "127.0.0.2");
  EXPECT_EQ(cfg->sources.at("server.host"), "env");
  EXPECT_EQ(cfg->data_dir, "/srv/oh");
  EXPECT_EQ(cfg->db_path, "/srv/oh/openhinge.db");
  EXPECT_EQ(cfg->sources.at("data_dir"), "file");
  EXPECT_EQ(cfg->log_level, "debug");
  EXPECT_EQ(cfg->sources.at("limits.max_body_bytes"), "default");
}

TEST(Config, ConfigFileFromEnvironmentVariable) {
  test::temp_dir dir;
  test::write_file(dir.file("c.json"), R"({"server":{"port":4321}})");
  auto cfg
    = load_config({}, env_of({{"OPENHINGE_CONFIG", dir.file("c.json")}}));
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->port, 4321u);
}

TEST(Config, UnknownKeyIsAnErrorNamingFileAndKey) {
  test::temp_dir dir;
  test::write_file(dir.file("c.json"), R"({"server":{"prot":1}})");
  auto cfg = load_config({"--config", dir.file("c.json")}, env_of({}));
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message,
            dir.file("c.json") + ": server.prot: unknown key");
}

TEST(Config, OutOfRangePortSaysWhatAndWhere) {
  test::temp_dir dir;
  test::write_file(dir.file("c.json"), R"({"server":{"port":70000}})");
  auto cfg = load_config({"--config", dir.file("c.json")}, env_of({}));
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message,
            dir.file("c.json") + ": server.port: must be 0-65535, got 70000");
  cfg = load_config({}, env_of({{"OPENHINGE_PORT", "http"}}));
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message, "OPENHINGE_PORT: must be 0-65535, got http");
  cfg = load_config({"--port", "-1"}, env_of({}));
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().message, "--port: must be 0-65535, got -1");
}

TEST(Config, UnparseableFileIsAnError) {
  test::temp_dir dir;
  test::write_file(dir.file("c.json"), "{ server: ");
  auto cfg = load_config({"--config", dir.file("c.json")}, env_of({}));
  ASSERT_FALSE(cfg);
  EXPECT_TRUE(
    cfg.error().message.starts_with(dir.file("c.json") + ": invalid JSON"))
    << cfg.error().message;
}

TEST(Config, WrongTypesAndChoicesAreRejected) {
  EXPECT_FALSE(load_config({"--log-level", "loud"}, env_of({})));
  EXPECT_FALSE(load_config({"--bogus", "1"}, env_of({})));
  EXPECT_FALSE(load_config({"--port"}, env_of({})));
  test::temp_dir dir;
  test::write_file(dir.file("c.json"), R"({"server":{"host":5}})");
  auto cfg = load_config({"--config", dir.file("c.json")}, env_of({}));
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("server.host: must be a string"),
            std::string::npos);
}

TEST(Config, NodeVersionKeysAreAcceptedWithAWarning) {
  test::temp_dir dir;
  test::write_file(dir.file("c.json"),
                   R"({"watchdog":{"enabled":true},"queue":{"concurrency":3},
                       "auth":{"adminToken":"x"}})");
  auto cfg = load_config({"--config", dir.file("c.json")}, env_of({}));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->warnings.size(), 3u);
}

TEST(Config, DescribeRedactsSecretsAndNamesSources) {
  auto cfg = load_config({"--port", "9"},
                         env_of({{"OPENHINGE_ENCRYPTION_KEY", "topsecretvalue"},
                                 {"OPENHINGE_ADMIN_TOKEN", "oha_secret"}}));
  ASSERT_TRUE(cfg);
  auto text = describe(*cfg);
  EXPECT_EQ(text.find("topsecretvalue"), std::string::npos);
  EXPECT_EQ(text.find("oha_secret"), std::string::npos);
  EXPECT_NE(text.find("encryption.key = (set, redacted)  (env)"),
            std::string::npos);
  EXPECT_NE(text.find("server.port = 9  (flag)"), std::string::npos);
}

TEST(Config, TheShippedExampleFileLoads) {
  auto cfg = load_config(
    {"--config", OH_SOURCE_DIR "/config/openhinge.example.json"}, env_of({}));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->port, 3700u);
}
