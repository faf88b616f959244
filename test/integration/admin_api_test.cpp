// The admin API end to end against the real binary over real sockets.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "gateway.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;

namespace {

std::string id_of(const http_reply& r) {
  auto doc = parse(r.body);
  return doc.HasMember("data") ? doc["data"]["id"].GetString() : "";
}

} // namespace

TEST(AdminApi, HealthAnswersWithoutAuthentication) {
  temp_dir dir;
  gateway gw{dir.path()};
  auto r = http_request(gw.port(), "GET", "/health");
  EXPECT_EQ(r.status, 200);
  auto doc = parse(r.body);
  EXPECT_STREQ(doc["status"].GetString(), "ok");
  EXPECT_TRUE(doc["timestamp"].IsString());
  r = http_request(gw.port(), "GET", "/");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.header("location"), "/dashboard/");
}

TEST(AdminApi, NoAdminRouteAnswersWithoutTheToken) {
  temp_dir dir;
  gateway gw{dir.path()};
  const std::vector<std::pair<std::string, std::string>> routes = {
    {"GET", "/admin/providers"},      {"POST", "/admin/providers"},
    {"GET", "/admin/providers/x"},    {"PATCH", "/admin/providers/x"},
    {"PUT", "/admin/providers/x"},    {"DELETE", "/admin/providers/x"},
    {"GET", "/admin/souls"},          {"POST", "/admin/souls"},
    {"GET", "/admin/souls/x"},        {"PATCH", "/admin/souls/x"},
    {"DELETE", "/admin/souls/x"},     {"GET", "/admin/keys"},
    {"POST", "/admin/keys"},          {"GET", "/admin/keys/x"},
    {"PATCH", "/admin/keys/x"},       {"DELETE", "/admin/keys/x"},
    {"POST", "/admin/keys/x/revoke"}, {"POST", "/admin/keys/x/reactivate"},
    {"POST", "/admin/keys/x/rotate"}, {"GET", "/admin/system/status"},
  };
  for (auto& [method, path] : routes) {
    auto r = http_request(gw.port(), method, path, "{}");
    EXPECT_EQ(r.status, 401) << method << " " << path;
    EXPECT_NE(r.body.find("AUTH_REQUIRED"), std::string::npos);
    r = http_request(gw.port(), method, path, "{}",
                     "Authorization: Bearer oha_wrong");
    EXPECT_EQ(r.status, 401) << method << " " << path;
    r = http_request(gw.port(), method, path, "{}", "x-admin-token: nope");
    EXPECT_EQ(r.status, 401) << method << " " << path;
  }
  // The original's x-admin-token header works with the right token.
  auto r = http_request(gw.port(), "GET", "/admin/keys", {},
                        "x-admin-token: " + gw.admin_token());
  EXPECT_EQ(r.status, 200);
}

TEST(AdminApi, ForeignHostNamesAreRefusedOnALoopbackListener) {
  temp_dir dir;
  gateway gw{dir.path()};
  http_connection c{"127.0.0.1", gw.port()};
  c.send_raw("GET /admin/keys HTTP/1.1\r\nHost: evil.example:3700\r\n"
             "Authorization: Bearer "
             + gw.admin_token() + "\r\n\r\n");
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 421);
}

TEST(AdminApi, ErrorsUseTheAdminShapeAndStatuses) {
  temp_dir dir;
  gateway gw{dir.path()};
  auto r = gw.admin("POST", "/admin/providers", "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("code":"VALIDATION")"), std::string::npos);
  r = gw.admin("POST", "/admin/souls", R"({"name":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(R"("field":"system_prompt")"), std::string::npos);
  r = gw.admin("GET", "/admin/keys/doesnotexist");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(R"("code":"NOT_FOUND")"), std::string::npos);
  r = gw.admin("DELETE", "/admin/keys");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "GET, POST");
  r = gw.admin("GET", "/admin/nothing-here");
  EXPECT_EQ(r.status, 404);
  r = gw.admin("POST", "/admin/keys", "[1,2]");
  EXPECT_EQ(r.status, 400);
}

TEST(AdminApi, ProviderSoulAndKeyLifecycleSurvivesARestart) {
  temp_dir dir;
  std::string provider, soul, key, secret;
  {
    gateway gw{dir.path()};
    auto r = gw.admin("POST", "/admin/providers",
                      R"({"name":"OpenAI","type":"openai","priority":10,
                          "credentials":{"api_key":"sk-integration-secret-1"},
                          "config":{"default_model":"gpt-4o-mini"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    provider = id_of(r);
    r = gw.admin("POST", "/admin/souls",
                 R"({"name":"Reviewer","system_prompt":"Review code.",
                     "provider_id":")"
                   + provider + R"(","temperature":0.3})");
    ASSERT_EQ(r.status, 201) << r.body;
    soul = id_of(r);
    r = gw.admin("POST", "/admin/keys",
                 R"({"name":"ci","soul_ids":[")" + soul
                   + R"("],"rate_limit_rpm":30,"daily_budget_cents":500})");
    ASSERT_EQ(r.status, 201) << r.body;
    key = id_of(r);
    secret = parse(r.body)["data"]["key"].GetString();

    r = gw.admin("PATCH", "/admin/souls/" + soul, R"({"model":"gpt-4o"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(parse(r.body)["data"]["version"].GetInt(), 2);
    r = gw.admin("POST", "/admin/keys/" + key + "/revoke");
    EXPECT_EQ(r.body, R"({"ok":true})");

    // The running actors have the changes: the registry counts them.
    r = gw.admin("GET", "/admin/system/status");
    auto status = parse(r.body);
    EXPECT_EQ(status["actors"]["api_keys"].GetInt(), 1);
    EXPECT_EQ(status["actors"]["souls"].GetInt(), 1);
    EXPECT_EQ(status["actors"]["provider_accounts"].GetInt(), 1);
    EXPECT_EQ(gw.stop(), 0);
  }
  gateway gw{dir.path()};
  auto r = gw.admin("GET", "/admin/providers/" + provider);
  ASSERT_EQ(r.status, 200);
  auto p = parse(r.body);
  EXPECT_STREQ(p["data"]["name"].GetString(), "OpenAI");
  EXPECT_STREQ(p["data"]["config"]["default_model"].GetString(), "gpt-4o-mini");
  EXPECT_STREQ(p["data"]["credentials_set"][0].GetString(), "api_key");
  r = gw.admin("GET", "/admin/souls/" + soul);
  auto s = parse(r.body);
  EXPECT_STREQ(s["data"]["model"].GetString(), "gpt-4o");
  EXPECT_STREQ(s["data"]["provider_id"].GetString(), provider.c_str());
  r = gw.admin("GET", "/admin/keys/" + key);
  auto k = parse(r.body);
  EXPECT_FALSE(k["data"]["is_enabled"].GetBool());
  EXPECT_EQ(k["data"]["rate_limit_rpm"].GetInt(), 30);
  EXPECT_STREQ(k["data"]["soul_ids"][0].GetString(), soul.c_str());
  auto status = parse(gw.admin("GET", "/admin/system/status").body);
  EXPECT_EQ(status["actors"]["api_keys"].GetInt(), 1);

  // Deletes answer ok and are gone afterwards.
  EXPECT_EQ(gw.admin("DELETE", "/admin/keys/" + key).body, R"({"ok":true})");
  EXPECT_EQ(gw.admin("GET", "/admin/keys/" + key).status, 404);
  EXPECT_EQ(gw.admin("DELETE", "/admin/souls/" + soul).status, 200);
  EXPECT_EQ(gw.admin("DELETE", "/admin/providers/" + provider).status, 200);
  status = parse(gw.admin("GET", "/admin/system/status").body);
  EXPECT_EQ(status["actors"]["api_keys"].GetInt(), 0);
  EXPECT_EQ(status["actors"]["souls"].GetInt(), 0);
  EXPECT_EQ(status["actors"]["provider_accounts"].GetInt(), 0);
  EXPECT_EQ(gw.stop(), 0);

  // No secret ever reached the log.
  auto log = gw.log();
  EXPECT_EQ(log.find("sk-integration-secret-1"), std::string::npos);
  EXPECT_EQ(log.find(secret), std::string::npos);
  EXPECT_EQ(log.find(gw.admin_token()), std::string::npos);
}

TEST(AdminApi, SecretsNeverAppearInAnyResponse) {
  temp_dir dir;
  gateway gw{dir.path()};
  auto r = gw.admin("POST", "/admin/providers",
                    R"({"name":"C","type":"claude",
                        "credentials":{"api_key":"sk-ant-api03-hidden"}})");
  ASSERT_EQ(r.status, 201);
  auto id = id_of(r);
  for (auto path : {std::string{"/admin/providers"}, "/admin/providers/" + id})
    EXPECT_EQ(gw.admin("GET", path).body.find("hidden"), std::string::npos);
  r = gw.admin("PATCH", "/admin/providers/" + id, R"({"name":"C2"})");
  EXPECT_EQ(r.body.find("hidden"), std::string::npos);
}
