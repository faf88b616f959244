// First run, restart, bad configuration and shutdown of the real binary.

#include <filesystem>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "gateway.hpp"

using namespace oh;
using namespace oh::test;

namespace {

/// Runs the binary to completion and returns its exit status.
int run_to_exit(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env,
                const std::string& log) {
  auto all_env = env;
  all_env.emplace("OPENHINGE_CONFIG", "");
  child_process p{OH_BINARY, args, all_env, log};
  return p.wait();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

} // namespace

TEST(Startup, FirstRunCreatesDataDirKeyAndTokenWithPrivateModes) {
  temp_dir dir;
  std::string data = dir.file("data");
  gateway gw{data};
  EXPECT_EQ(mode_of(data), 0700u);
  EXPECT_EQ(mode_of(data + "/encryption.key"), 0600u);
  EXPECT_EQ(mode_of(data + "/admin.token"), 0600u);
  EXPECT_EQ(read_file(data + "/encryption.key").size(), 65u); // 64 hex + \n
  auto token = gw.admin_token();
  EXPECT_TRUE(token.starts_with("oha_"));
  EXPECT_EQ(token.size(), 47u);
  EXPECT_TRUE(std::filesystem::exists(data + "/openhinge.db"));
  EXPECT_NE(gw.log().find("Admin token written to"), std::string::npos);
  EXPECT_EQ(gw.stop(), 0);
  // A later run reuses key and token and does not announce them again.
  auto key = read_file(data + "/encryption.key");
  std::filesystem::remove(gw.log_path());
  gateway again{data};
  EXPECT_EQ(again.admin_token(), token);
  EXPECT_EQ(read_file(data + "/encryption.key"), key);
  EXPECT_EQ(again.log().find("Admin token written to"), std::string::npos);
  EXPECT_EQ(again.admin("GET", "/admin/keys").status, 200);
}

TEST(Startup, ConfiguredAdminTokenAndKeyAreUsedWithoutFiles) {
  temp_dir dir;
  gateway gw{
    dir.path(),
    {{"OPENHINGE_ADMIN_TOKEN", "oha_from_the_environment_1234567890"},
     {"OPENHINGE_ENCRYPTION_KEY", "a passphrase from the environment"}}};
  EXPECT_FALSE(std::filesystem::exists(dir.file("admin.token")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("encryption.key")));
  auto r
    = http_request(gw.port(), "GET", "/admin/keys", {},
                   "Authorization: Bearer oha_from_the_environment_1234567890");
  EXPECT_EQ(r.status, 200);
}

TEST(Startup, SigtermExitsZeroAndRemovesThePortFile) {
  temp_dir dir;
  gateway gw{dir.path()};
  // On failure the log says which shutdown step did not finish.
  EXPECT_EQ(gw.stop(SIGTERM), 0) << gw.log();
  EXPECT_FALSE(std::filesystem::exists(dir.file("port")));
  EXPECT_NE(gw.log().find("stopped"), std::string::npos);
  gateway again{dir.path()};
  EXPECT_EQ(again.stop(SIGINT), 0) << again.log();
}

TEST(Startup, SigtermLetsAnInFlightKeepAliveConnectionClose) {
  temp_dir dir;
  gateway gw{dir.path()};
  http_connection idle{"127.0.0.1", gw.port()};
  EXPECT_EQ(idle.request("GET", "/health").status, 200);
  gw.process().signal(SIGTERM);
  EXPECT_TRUE(idle.closed_by_peer(std::chrono::seconds(10)));
  EXPECT_EQ(gw.process().wait(), 0);
}

TEST(Startup, BadConfigurationExitsWithStatus2AndOneLine) {
  temp_dir dir;
  auto log = dir.file("out.log");
  EXPECT_EQ(run_to_exit({"--port", "70000", "--data-dir", dir.path()}, {}, log),
            2);
  EXPECT_NE(read_file(log).find("--port: must be 0-65535, got 70000"),
            std::string::npos);

  write_file(dir.file("bad.json"), "{ this is not json");
  EXPECT_EQ(run_to_exit({"--config", dir.file("bad.json")}, {}, log), 2);
  write_file(dir.file("typo.json"), R"({"server":{"prot":1}})");
  std::filesystem::remove(log);
  EXPECT_EQ(run_to_exit({"--config", dir.file("typo.json")}, {}, log), 2);
  EXPECT_NE(read_file(log).find("server.prot: unknown key"), std::string::npos);

  // The data dir is a regular file: cannot be used.
  write_file(dir.file("not-a-dir"), "x");
  EXPECT_EQ(
    run_to_exit({"--port", "0", "--data-dir", dir.file("not-a-dir")}, {}, log),
    2);
  EXPECT_EQ(
    run_to_exit({"--port", "0", "--data-dir", dir.file("not-a-dir") + "/sub"},
                {}, log),
    2);
  EXPECT_EQ(run_to_exit({"--frobnicate"}, {}, log), 2);
}

TEST(Startup, PortInUseExitsWithStatus2) {
  temp_dir a, b;
  gateway first{a.path()};
  auto log = b.file("out.log");
  EXPECT_EQ(run_to_exit(
              {"--port", std::to_string(first.port()), "--data-dir", b.path()},
              {}, log),
            2);
  EXPECT_NE(read_file(log).find("port in use"), std::string::npos);
}

TEST(Startup, AChangedEncryptionKeyIsRefused) {
  temp_dir dir;
  {
    gateway gw{dir.path(), {{"OPENHINGE_ENCRYPTION_KEY", "first key"}}};
    gw.admin(
      "POST", "/admin/providers",
      R"({"name":"o","type":"openai","credentials":{"api_key":"sk-1"}})");
    EXPECT_EQ(gw.stop(), 0);
  }
  auto log = dir.file("out.log");
  EXPECT_EQ(run_to_exit({"--port", "0", "--data-dir", dir.path()},
                        {{"OPENHINGE_ENCRYPTION_KEY", "second key"}}, log),
            2);
  EXPECT_NE(read_file(log).find("does not decrypt"), std::string::npos);
}

TEST(Startup, ANodeOpenHingeDatabaseIsNotMigratedInPlace) {
  temp_dir dir;
  {
    auto db_path = dir.file("openhinge.db");
    std::string cmd = "sqlite3 '" + db_path
                      + "' 'CREATE TABLE _migrations (id INTEGER PRIMARY KEY, "
                        "name TEXT);'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  auto log = dir.file("out.log");
  EXPECT_EQ(run_to_exit({"--port", "0", "--data-dir", dir.path()}, {}, log), 2);
  EXPECT_NE(read_file(log).find("openhinge import --from"), std::string::npos);
}

TEST(Startup, ConfigShowPrintsSourcesWithSecretsRedacted) {
  temp_dir dir;
  auto log = dir.file("out.log");
  EXPECT_EQ(run_to_exit({"config", "show", "--port", "1234"},
                        {{"OPENHINGE_ADMIN_TOKEN", "oha_do_not_print_me"}},
                        log),
            0);
  auto out = read_file(log);
  EXPECT_NE(out.find("server.port = 1234  (flag)"), std::string::npos);
  EXPECT_EQ(out.find("oha_do_not_print_me"), std::string::npos);
}
