// Provider operations that reach upstreams, reload and app connect (SPEC
// §9.2), against the real binary and the fake upstream.

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "gateway.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "upstream.hpp"
#include "wire.hpp"

namespace oh::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* good_key = "sk-good-key-123456";
constexpr const char* bad_key = "sk-wrong-key-987654";

struct ops_fixture : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<fake_upstream> up;
  std::unique_ptr<gateway> gw;
  void SetUp() override {
    std::filesystem::create_directories(dir.file("up"));
    std::filesystem::create_directories(dir.file("home"));
    up = std::make_unique<fake_upstream>(
      dir.file("up"), std::vector<std::string>{"--api-key", good_key});
    gw = std::make_unique<gateway>(
      dir.file("data"),
      std::map<std::string, std::string>{{"HOME", dir.file("home")}});
  }
  std::string add_account(const std::string& name, const std::string& key) {
    auto r = gw->admin("POST", "/admin/providers",
                       R"({"name":")" + name + R"(","type":"openai",)"
                         + R"("base_url":")" + up->base_url()
                         + R"(","credentials":{"api_key":")" + key + R"("}})");
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r.body)["data"]["id"].GetString();
  }
  std::string audit_text() {
    return gw->admin("GET", "/admin/audit?limit=200").body;
  }
};

using ProviderOps = ops_fixture;

TEST_F(ProviderOps, ProbeTestsCredentialsWithoutSavingThem) {
  auto ok = gw->admin("POST", "/admin/providers/probe",
                      R"({"type":"openai","base_url":")" + up->base_url()
                        + R"(","api_key":")" + good_key + R"("})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto doc = parse(ok.body);
  EXPECT_STREQ(doc["health"]["status"].GetString(), "healthy");
  EXPECT_TRUE(doc["health"]["latency_ms"].IsInt64());
  ASSERT_TRUE(doc["models"].IsArray());
  EXPECT_STREQ(doc["models"][0].GetString(), "gpt-4o");

  auto refused = gw->admin("POST", "/admin/providers/probe",
                           R"({"type":"openai","base_url":")" + up->base_url()
                             + R"(","api_key":")" + bad_key + R"("})");
  ASSERT_EQ(refused.status, 200) << refused.body;
  auto r = parse(refused.body);
  EXPECT_STREQ(r["health"]["status"].GetString(), "down");
  EXPECT_NE(std::string{r["health"]["message"].GetString()}.find("401"),
            std::string::npos);
  EXPECT_EQ(refused.body.find(bad_key), std::string::npos);
  EXPECT_EQ(r["models"].Size(), 0u);

  // Bad input names the field; nothing was saved.
  auto no_type = gw->admin("POST", "/admin/providers/probe", R"({})");
  EXPECT_EQ(no_type.status, 400);
  EXPECT_NE(no_type.body.find("\"field\":\"type\""), std::string::npos);
  auto no_key
    = gw->admin("POST", "/admin/providers/probe", R"({"type":"openai"})");
  EXPECT_EQ(no_key.status, 400);
  EXPECT_NE(no_key.body.find("\"field\":\"api_key\""), std::string::npos);
  auto bad_url = gw->admin("POST", "/admin/providers/probe",
                           R"({"type":"ollama","base_url":"ftp://x"})");
  EXPECT_EQ(bad_url.status, 400);
  EXPECT_NE(bad_url.body.find("\"field\":\"base_url\""), std::string::npos);
  EXPECT_EQ(parse(gw->admin("GET", "/admin/providers").body)["data"].Size(),
            0u);
}

TEST_F(ProviderOps, ASubscriptionTokenIsProbedAsABearerWithTheBetaFlag) {
  // A fake whose only key is a subscription token.
  temp_dir other;
  std::filesystem::create_directories(other.file("up"));
  std::string token = std::string{"sk-ant-oat01-"} + good_key;
  fake_upstream claude_up{other.file("up"), {"--api-key", token}};
  auto r = gw->admin("POST", "/admin/providers/probe",
                     R"({"type":"claude","base_url":")" + claude_up.base_url()
                       + R"(","api_key":")" + token + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STREQ(parse(r.body)["health"]["status"].GetString(), "healthy")
    << r.body;
  EXPECT_EQ(r.body.find(token), std::string::npos);
}

TEST_F(ProviderOps, HealthChecksEveryAccountAtOnceAndOneByItsId) {
  auto good = add_account("good", good_key);
  auto bad = add_account("bad", bad_key);
  auto all = gw->admin("POST", "/admin/providers/health");
  ASSERT_EQ(all.status, 200) << all.body;
  auto doc = parse(all.body);
  ASSERT_EQ(doc["data"].Size(), 2u) << all.body;
  // Sorted by name: bad, good.
  EXPECT_STREQ(doc["data"][0]["id"].GetString(), bad.c_str());
  EXPECT_STREQ(doc["data"][0]["status"].GetString(), "down");
  EXPECT_NE(std::string{doc["data"][0]["message"].GetString()}.find("401"),
            std::string::npos);
  EXPECT_STREQ(doc["data"][1]["id"].GetString(), good.c_str());
  EXPECT_STREQ(doc["data"][1]["status"].GetString(), "healthy");
  EXPECT_GT(doc["data"][1]["models"].GetInt(), 0);
  EXPECT_EQ(all.body.find(bad_key), std::string::npos);

  auto one = gw->admin("POST", "/admin/providers/" + good + "/health");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_STREQ(parse(one.body)["data"]["status"].GetString(), "healthy");
  // The stored health follows the probe.
  auto shown = parse(gw->admin("GET", "/admin/providers/" + bad).body);
  EXPECT_STREQ(shown["data"]["health"]["status"].GetString(), "down");
  EXPECT_EQ(gw->admin("POST", "/admin/providers/nope/health").status, 404);
}

TEST_F(ProviderOps, QuickAddProbesFirstAndSavesOnlyWorkingCredentials) {
  auto added = gw->admin("POST", "/admin/providers/quick-add",
                         R"({"type":"openai","token":")" + std::string{good_key}
                           + R"(","base_url":")" + up->base_url() + R"("})");
  ASSERT_EQ(added.status, 201) << added.body;
  auto doc = parse(added.body);
  EXPECT_STREQ(doc["name"].GetString(), "Openai");
  EXPECT_STREQ(doc["type"].GetString(), "openai");
  EXPECT_STREQ(doc["model"].GetString(), "gpt-4o");
  EXPECT_EQ(doc["data"]["priority"].GetInt(), 50);
  EXPECT_STREQ(doc["data"]["config"]["default_model"].GetString(), "gpt-4o");
  EXPECT_EQ(added.body.find(good_key), std::string::npos);
  std::string id = doc["id"].GetString();

  auto refused = gw->admin("POST", "/admin/providers/quick-add",
                           R"({"type":"openai","token":")"
                             + std::string{bad_key} + R"(","base_url":")"
                             + up->base_url() + R"(","name":"nope"})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("\"field\":\"token\""), std::string::npos);
  EXPECT_EQ(refused.body.find(bad_key), std::string::npos);
  auto missing
    = gw->admin("POST", "/admin/providers/quick-add", R"({"type":"gemini"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("\"field\":\"token\""), std::string::npos);
  auto list = parse(gw->admin("GET", "/admin/providers").body);
  ASSERT_EQ(list["data"].Size(), 1u);
  EXPECT_STREQ(list["data"][0]["id"].GetString(), id.c_str());

  // The account serves at once.
  auto key = parse(gw->admin("POST", "/admin/keys", R"({"name":"k"})").body);
  auto chat = http_request(gw->port(), "POST", "/v1/chat/completions",
                           R"({"messages":[{"role":"user","content":"hi"}]})",
                           std::string{"Authorization: Bearer "}
                             + key["data"]["key"].GetString());
  EXPECT_EQ(chat.status, 200) << chat.body;
  auto audit = audit_text();
  EXPECT_NE(audit.find("\"action\":\"create\""), std::string::npos);
  EXPECT_EQ(audit.find(good_key), std::string::npos);
  EXPECT_EQ(audit.find(bad_key), std::string::npos);
}

TEST_F(ProviderOps, ReloadPicksUpWhatAnotherProcessChangedInTheStore) {
  auto id = add_account("fake", good_key);
  auto k = parse(gw->admin("POST", "/admin/keys", R"({"name":"k"})").body);
  std::string key = k["data"]["key"].GetString();
  std::string key_id = k["data"]["id"].GetString();
  auto chat = [&] {
    return http_request(gw->port(), "POST", "/v1/chat/completions",
                        R"({"messages":[{"role":"user","content":"hi"}]})",
                        "Authorization: Bearer " + key)
      .status;
  };
  ASSERT_EQ(chat(), 200);
  {
    // Another process (a CLI, a restore) edits the database directly.
    store::database db{dir.file("data") + "/openhinge.db"};
    store::statement del{db, "DELETE FROM api_keys WHERE id = ?"};
    del.bind(1, key_id);
    del.step();
    store::statement off{db, "UPDATE providers SET name = 'renamed' WHERE "
                             "id = ?"};
    off.bind(1, id);
    off.step();
  }
  // The running actors still know the old rows until the reload.
  EXPECT_EQ(chat(), 200);
  auto reload = gw->admin("POST", "/admin/system/reload");
  ASSERT_EQ(reload.status, 200) << reload.body;
  EXPECT_TRUE(parse(reload.body)["ok"].GetBool());
  EXPECT_EQ(chat(), 401);
  auto actors = gw->admin("GET", "/admin/actors?kind=provider_account").body;
  EXPECT_NE(actors.find("renamed"), std::string::npos) << actors;
  EXPECT_NE(audit_text().find("\"action\":\"reload\""), std::string::npos);
}

TEST_F(ProviderOps, ConnectPointsOpenClawAtTheGatewayAndDisconnectUndoesIt) {
  auto path = dir.file("home") + "/.openclaw/openclaw.json";
  auto detect = parse(gw->admin("GET", "/admin/connect/detect").body);
  EXPECT_FALSE(detect["apps"][0]["detected"].GetBool());
  EXPECT_STREQ(detect["apps"][0]["configPath"].GetString(), path.c_str());
  add_account("fake", good_key);
  auto k = parse(gw->admin("POST", "/admin/keys", R"({"name":"claw"})").body);
  std::string key = k["data"]["key"].GetString();
  auto missing = gw->admin("POST", "/admin/connect",
                           R"({"app":"openclaw","api_key":")" + key + R"("})");
  EXPECT_EQ(missing.status, 404) << missing.body;

  std::filesystem::create_directories(dir.file("home") + "/.openclaw");
  const std::string original = R"({
    "gateway": {"port": 18789},
    "agents": {"defaults": {"model": {
      "primary": "openhinge/old-model",
      "fallbacks": ["anthropic/claude-opus-4-6", "openhinge/old-model"]}}}
  })";
  write_file(path, original);
  std::filesystem::permissions(path, std::filesystem::perms::owner_read
                                       | std::filesystem::perms::owner_write
                                       | std::filesystem::perms::group_read);
  EXPECT_EQ(gw->admin("POST", "/admin/connect",
                      R"({"app":"openclaw","api_key":"ohk_nope"})")
              .status,
            400);
  EXPECT_EQ(
    gw->admin("POST", "/admin/connect", R"({"app":"emacs","api_key":"x"})")
      .status,
    400);
  // Wait for the account's first probe to list its models.
  for (int i = 0; i < 100; ++i) {
    if (gw->admin("GET", "/admin/providers").body.find("gpt-4o-mini")
        != std::string::npos)
      break;
    std::this_thread::sleep_for(50ms);
  }
  auto connected
    = gw->admin("POST", "/admin/connect",
                R"({"app":"openclaw","api_key":")" + key + R"("})");
  ASSERT_EQ(connected.status, 200) << connected.body;
  auto answer = parse(connected.body);
  EXPECT_GT(answer["models"].Size(), 0u);
  EXPECT_EQ(answer.HasMember("api_key"), false);
  EXPECT_EQ(connected.body.find(key), std::string::npos);

  auto file = parse(read_file(path));
  auto& entry = file["models"]["providers"]["openhinge"];
  EXPECT_EQ(std::string{entry["baseUrl"].GetString()},
            "http://127.0.0.1:" + std::to_string(gw->port()) + "/v1");
  EXPECT_EQ(std::string{entry["apiKey"].GetString()}, key);
  EXPECT_STREQ(entry["api"].GetString(), "openai-completions");
  EXPECT_EQ(entry["models"].Size(), answer["models"].Size());
  EXPECT_EQ(file["gateway"]["port"].GetInt(), 18789); // the rest is kept
  auto& fallbacks = file["agents"]["defaults"]["model"]["fallbacks"];
  EXPECT_STREQ(fallbacks[0].GetString(), "anthropic/claude-opus-4-6");
  for (auto& f : fallbacks.GetArray())
    EXPECT_STRNE(f.GetString(), "openhinge/old-model");
  EXPECT_EQ(std::string{fallbacks[1].GetString()},
            std::string{"openhinge/"} + answer["models"][0].GetString());
  // The user's file was kept aside, and its mode is unchanged.
  std::string backup = answer["backup"].GetString();
  EXPECT_EQ(read_file(backup), original);
  EXPECT_EQ(
    std::filesystem::status(path).permissions() & std::filesystem::perms::all,
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write
      | std::filesystem::perms::group_read);
  EXPECT_TRUE(
    parse(
      gw->admin("GET", "/admin/connect/detect").body)["apps"][0]["connected"]
      .GetBool());

  auto off
    = gw->admin("POST", "/admin/connect/disconnect", R"({"app":"openclaw"})");
  ASSERT_EQ(off.status, 200) << off.body;
  auto after = parse(read_file(path));
  EXPECT_FALSE(after["models"]["providers"].HasMember("openhinge"));
  EXPECT_STREQ(after["agents"]["defaults"]["model"]["primary"].GetString(),
               "anthropic/claude-sonnet-4-6");
  EXPECT_EQ(after["agents"]["defaults"]["model"]["fallbacks"].Size(), 1u);
  EXPECT_FALSE(
    parse(
      gw->admin("GET", "/admin/connect/detect").body)["apps"][0]["connected"]
      .GetBool());
  auto audit = audit_text();
  EXPECT_NE(audit.find("\"action\":\"connect\""), std::string::npos);
  EXPECT_NE(audit.find("\"action\":\"disconnect\""), std::string::npos);
  EXPECT_EQ(audit.find(key), std::string::npos);
}

} // namespace
} // namespace oh::test
