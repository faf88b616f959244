// /admin/settings against the real binary (SPEC §2, §9.2): known groups and
// fields only, secrets write-only, values fixed by the file read-only, the
// database level of the precedence applied at start, and routing and health
// changes reaching the running actors without a restart.

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "gateway.hpp"
#include "upstream.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;
using namespace std::chrono_literals;

namespace {

struct Settings : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<gateway> gw;

  void start(const std::string& config = "{}") {
    write_file(dir.file("config.json"), config);
    std::filesystem::remove(dir.file("data") + "/port");
    gw = std::make_unique<gateway>(
      dir.file("data"), std::map<std::string, std::string>{},
      std::vector<std::string>{"--config", dir.file("config.json")});
  }
};

TEST_F(Settings, KnownGroupsRoundTripAndUnknownFieldsAreNamed) {
  start();
  auto all = gw->admin("GET", "/admin/settings");
  ASSERT_EQ(all.status, 200) << all.body;
  auto doc = parse(all.body);
  EXPECT_STREQ(doc["data"]["general"]["name"].GetString(), "OpenHinge");
  EXPECT_EQ(doc["data"]["routing"]["max_attempts"].GetInt(), 3);
  EXPECT_FALSE(doc["data"]["cloudflare"]["api_token_set"].GetBool());
  auto put = gw->admin("PUT", "/admin/settings/general",
                       R"({"name":"Ops gateway","timezone":"Europe/Berlin"})");
  ASSERT_EQ(put.status, 200) << put.body;
  auto general = parse(gw->admin("GET", "/admin/settings/general").body);
  EXPECT_STREQ(general["data"]["name"].GetString(), "Ops gateway");
  EXPECT_STREQ(general["sources"]["name"].GetString(), "database");
  auto unknown
    = gw->admin("PUT", "/admin/settings/general", R"({"colour":"blue"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("\"field\":\"general.colour\""),
            std::string::npos)
    << unknown.body;
  auto bad
    = gw->admin("PUT", "/admin/settings/routing", R"({"max_attempts":99})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("routing.max_attempts"), std::string::npos);
  EXPECT_EQ(gw->admin("GET", "/admin/settings/nope").status, 404);
}

TEST_F(Settings, SecretFieldsAreWriteOnlyAndSealedAtRest) {
  start();
  const std::string token = "cf-token-very-secret-123456";
  auto put = gw->admin("PUT", "/admin/settings/cloudflare",
                       R"({"enabled":true,"api_token":")" + token
                         + R"(","domain":"example.com"})");
  ASSERT_EQ(put.status, 200) << put.body;
  auto got = gw->admin("GET", "/admin/settings/cloudflare");
  EXPECT_EQ(got.body.find(token), std::string::npos) << got.body;
  auto doc = parse(got.body);
  EXPECT_TRUE(doc["data"]["api_token_set"].GetBool());
  EXPECT_STREQ(doc["data"]["domain"].GetString(), "example.com");
  EXPECT_EQ(gw->admin("GET", "/admin/settings").body.find(token),
            std::string::npos);
  EXPECT_EQ(gw->stop(), 0);
  for (auto& entry :
       std::filesystem::recursive_directory_iterator(dir.file("data")))
    if (entry.is_regular_file()) {
      EXPECT_EQ(read_file(entry.path().string()).find(token), std::string::npos)
        << entry.path();
    }
}

TEST_F(Settings, TheFileWinsOverTheDatabaseAndShowsReadOnly) {
  start(R"({"health":{"interval_s":3600}})");
  auto health = parse(gw->admin("GET", "/admin/settings/health").body);
  EXPECT_EQ(health["data"]["interval_s"].GetInt(), 3600);
  EXPECT_STREQ(health["sources"]["interval_s"].GetString(), "file");
  ASSERT_EQ(health["read_only"].Size(), 1u);
  EXPECT_STREQ(health["read_only"][0].GetString(), "interval_s");
  auto fixed
    = gw->admin("PUT", "/admin/settings/health", R"({"interval_s":120})");
  EXPECT_EQ(fixed.status, 409) << fixed.body;
  // The database level survives a restart and shows in config show.
  ASSERT_EQ(
    gw->admin("PUT", "/admin/settings/routing", R"({"max_attempts":2})").status,
    200);
  EXPECT_EQ(gw->stop(), 0);
  start(R"({"health":{"interval_s":3600}})");
  auto routing = parse(gw->admin("GET", "/admin/settings/routing").body);
  EXPECT_EQ(routing["data"]["max_attempts"].GetInt(), 2);
  EXPECT_STREQ(routing["sources"]["max_attempts"].GetString(), "database");
  EXPECT_EQ(gw->stop(), 0);
  child_process show{OH_BINARY,
                     {"config", "show", "--config", dir.file("config.json"),
                      "--data-dir", dir.file("data")},
                     {},
                     dir.file("show.txt")};
  EXPECT_EQ(show.wait(), 0);
  auto text = read_file(dir.file("show.txt"));
  EXPECT_NE(text.find("routing.max_attempts = 2  (database)"),
            std::string::npos)
    << text;
  EXPECT_NE(text.find("health.interval_s = 3600  (file)"), std::string::npos)
    << text;
}

TEST_F(Settings, ARoutingChangeAppliesToTheNextRequestWithoutARestart) {
  // Three failing accounts: max_attempts decides how many are tried.
  std::filesystem::create_directories(dir.file("up"));
  fake_upstream bad{dir.file("up"), {"--script", "status=503"}};
  start(R"({"health":{"interval_s":3600}})");
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(gw->admin("POST", "/admin/providers",
                        R"({"name":"a)" + std::to_string(i)
                          + R"(","type":"openai","base_url":")" + bad.base_url()
                          + R"(","credentials":{"api_key":"sk-x"}})")
                .status,
              201);
  auto k
    = gw->admin("POST", "/admin/keys", R"({"name":"k","rate_limit_rpm":0})");
  std::string key = parse(k.body)["data"]["key"].GetString();
  auto attempts = [&] {
    auto before = bad.stats()["requests"].GetInt();
    auto r = http_request(
      gw->port(), "POST", "/v1/chat/completions",
      R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})",
      "Authorization: Bearer " + key);
    EXPECT_EQ(r.status, 502) << r.body;
    return bad.stats()["requests"].GetInt() - before;
  };
  EXPECT_EQ(attempts(), 3);
  ASSERT_EQ(
    gw->admin("PUT", "/admin/settings/routing", R"({"max_attempts":1})").status,
    200);
  EXPECT_EQ(attempts(), 1);
}

TEST_F(Settings, AHealthChangeReachesTheAccountsBreakers) {
  std::filesystem::create_directories(dir.file("up"));
  // Generations fail, the listing answers (listings=ok): the breaker
  // counts the requests below and nothing else.
  fake_upstream bad{dir.file("up"), {"--script", "status=503 listings=ok"}};
  start(R"({"routing":{"max_attempts":1}})");
  ASSERT_EQ(gw->admin("POST", "/admin/providers",
                      R"({"name":"only","type":"openai","base_url":")"
                        + bad.base_url()
                        + R"(","credentials":{"api_key":"sk-x"}})")
              .status,
            201);
  // A new account probes its listing at once, and a good probe closes the
  // breaker: wait for it, or it could land between the failures below.
  bool probed = false;
  for (int i = 0; i < 200 && !probed; ++i) {
    auto list = parse(gw->admin("GET", "/admin/providers").body);
    probed = list["data"][0]["health"]["last_check"].IsString();
    if (!probed)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(probed) << "the account's first probe never finished";
  auto k
    = gw->admin("POST", "/admin/keys", R"({"name":"k","rate_limit_rpm":0})");
  std::string key = parse(k.body)["data"]["key"].GetString();
  ASSERT_EQ(gw->admin("PUT", "/admin/settings/health",
                      R"({"breaker_failures":1,"breaker_cooldown_s":600})")
              .status,
            200);
  // The breaker now opens after one failure: the second request finds no
  // account (503) instead of trying the upstream again (502).
  auto ask = [&] {
    return http_request(
             gw->port(), "POST", "/v1/chat/completions",
             R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})",
             "Authorization: Bearer " + key)
      .status;
  };
  EXPECT_EQ(ask(), 502);
  // The account's report of the failure may trail the answer by a moment;
  // four asks stay below the default limit of five failures.
  int later = 0;
  for (int i = 0; i < 4 && later != 503; ++i)
    later = ask();
  EXPECT_EQ(later, 503);
  EXPECT_EQ(bad.stats()["requests"].GetInt(), 1)
    << "the breaker opened after one failure";
}

} // namespace
