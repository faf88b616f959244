// Dashboard authentication against the real binary (SPEC §9.1): a client
// that behaves like a browser (cookie jar, CSRF header) sets the gateway
// up, logs in, changes the password; a guessed password, a missing CSRF
// header or a reused setup link get nowhere.

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "gateway.hpp"
#include "upstream.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* good_password = "a long enough password";

/// What a browser keeps after a login: the cookie and the CSRF token.
struct browser_session {
  std::string cookie; // "oh_session=<token>"
  std::string csrf;
  std::string token;
  std::string headers(bool with_csrf = true) const {
    std::string h = "Cookie: " + cookie;
    if (with_csrf)
      h += "\r\nX-CSRF-Token: " + csrf;
    return h;
  }
};

struct Auth : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<gateway> gw;

  void SetUp() override {
    gw = std::make_unique<gateway>(dir.file("data"));
  }

  void restart() {
    EXPECT_EQ(gw->stop(), 0);
    std::filesystem::remove(dir.file("data") + "/port");
    gw = std::make_unique<gateway>(dir.file("data"));
  }

  /// The one-time token of the setup link the gateway printed.
  std::string setup_token_from_log() {
    auto log = gw->log();
    auto at = log.find("/dashboard/?setup=");
    EXPECT_NE(at, std::string::npos) << log;
    if (at == std::string::npos)
      return {};
    at += 18;
    auto end = log.find_first_of("\n\r ", at);
    return log.substr(at, end - at);
  }

  http_reply post(const std::string& path, const std::string& body,
                  const std::string& headers = {}) {
    return http_request(gw->port(), "POST", path, body, headers);
  }

  /// The session a successful setup or login answered with.
  browser_session session_of(const http_reply& r) {
    browser_session s;
    auto cookie = r.header("set-cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
    EXPECT_EQ(cookie.find("Secure"), std::string::npos)
      << "plain HTTP: no Secure flag";
    s.cookie = cookie.substr(0, cookie.find(';'));
    auto doc = parse(r.body);
    EXPECT_TRUE(doc["ok"].GetBool());
    s.csrf = doc["csrf"].GetString();
    s.token = doc["token"].GetString();
    EXPECT_EQ(s.cookie, "oh_session=" + s.token);
    return s;
  }

  browser_session set_up() {
    auto r
      = post("/admin/auth/setup", std::string{R"({"password":")"}
                                    + good_password + R"(","setup_token":")"
                                    + setup_token_from_log() + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    return session_of(r);
  }

  browser_session login(const std::string& password = good_password) {
    auto r = post("/admin/auth/login", R"({"password":")" + password + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    return session_of(r);
  }

  int keys_status(const std::string& headers) {
    return http_request(gw->port(), "GET", "/admin/keys", "", headers).status;
  }
};

TEST_F(Auth, StatusIsPublicAndSaysSetupIsNeeded) {
  auto r = http_request(gw->port(), "GET", "/admin/auth/status");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"hasPassword":false,"setupRequired":true})");
  EXPECT_EQ(http_request(gw->port(), "GET", "/admin/keys").status, 401);
}

TEST_F(Auth, SetupNeedsTheOneTimeTokenOfTheSetupLink) {
  auto without = post("/admin/auth/setup",
                      std::string{R"({"password":")"} + good_password + "\"}");
  EXPECT_EQ(without.status, 401) << without.body;
  auto wrong
    = post("/admin/auth/setup", std::string{R"({"password":")"} + good_password
                                  + R"(","setup_token":"ohsetup_guess"})");
  EXPECT_EQ(wrong.status, 401);
  auto short_password
    = post("/admin/auth/setup", R"({"password":"short","setup_token":")"
                                  + setup_token_from_log() + R"("})");
  EXPECT_EQ(short_password.status, 400);
  EXPECT_NE(short_password.body.find("\"field\":\"password\""),
            std::string::npos);
  auto s = set_up();
  auto doc = parse(http_request(gw->port(), "GET", "/admin/auth/status").body);
  EXPECT_TRUE(doc["hasPassword"].GetBool());
  EXPECT_EQ(keys_status(s.headers()), 200);
  // The link is spent, and a password exists: nobody claims it again.
  auto reused
    = post("/admin/auth/setup",
           std::string{R"({"password":"another long password","setup_token":")"}
             + setup_token_from_log() + "\"}");
  EXPECT_EQ(reused.status, 409) << reused.body;
}

TEST_F(Auth, LoginByPasswordOrTokenGivesASessionUsableAsBearer) {
  set_up();
  auto by_password = login();
  auto by_token = post("/admin/auth/login",
                       R"({"admin_token":")" + gw->admin_token() + "\"}");
  ASSERT_EQ(by_token.status, 200) << by_token.body;
  session_of(by_token);
  // The returned token works as the original's scripts send it.
  EXPECT_EQ(keys_status("Authorization: Bearer " + by_password.token), 200);
  EXPECT_EQ(keys_status("x-admin-token: " + by_password.token), 200);
  auto verify = post("/admin/auth/verify", "",
                     "Authorization: Bearer " + by_password.token);
  EXPECT_EQ(verify.status, 200);
  EXPECT_EQ(
    post("/admin/auth/login", R"({"password":"not the password"})").status,
    401);
  EXPECT_EQ(keys_status("Authorization: Bearer ohs_not_a_session"), 401);
}

TEST_F(Auth, ACookieWithoutItsCsrfTokenCannotChangeAnything) {
  auto s = set_up();
  auto no_csrf = http_request(gw->port(), "POST", "/admin/keys",
                              R"({"name":"k"})", s.headers(false));
  EXPECT_EQ(no_csrf.status, 403) << no_csrf.body;
  auto wrong
    = http_request(gw->port(), "POST", "/admin/keys", R"({"name":"k"})",
                   "Cookie: " + s.cookie + "\r\nX-CSRF-Token: 00");
  EXPECT_EQ(wrong.status, 403);
  auto with = http_request(gw->port(), "POST", "/admin/keys", R"({"name":"k"})",
                           s.headers());
  EXPECT_EQ(with.status, 201) << with.body;
  // Reading needs no CSRF token; the Bearer form needs none either.
  EXPECT_EQ(keys_status(s.headers(false)), 200);
  auto bearer
    = http_request(gw->port(), "POST", "/admin/keys", R"({"name":"k2"})",
                   "Authorization: Bearer " + s.token);
  EXPECT_EQ(bearer.status, 201);
}

TEST_F(Auth, ABrowserSetsUpLogsInAndManagesEverything) {
  // What the dashboard does: a cookie jar, the CSRF header, and the Origin
  // a browser sends with every change: the scheme and the Host it
  // addressed (the test client's Host is "127.0.0.1").
  std::string origin = "Origin: http://127.0.0.1";
  std::string setup_token = setup_token_from_log();
  auto s = set_up();
  auto as_browser = [&](const browser_session& b) {
    return b.headers() + "\r\n" + origin;
  };
  auto call = [&](const browser_session& b, const std::string& method,
                  const std::string& path, const std::string& body = {}) {
    return http_request(gw->port(), method, path, body, as_browser(b));
  };
  auto provider = call(s, "POST", "/admin/providers",
                       R"({"name":"local","type":"ollama",)"
                       R"("base_url":"http://127.0.0.1:1"})");
  ASSERT_EQ(provider.status, 201) << provider.body;
  std::string provider_id = parse(provider.body)["data"]["id"].GetString();
  auto soul = call(s, "POST", "/admin/souls",
                   R"({"name":"Reviewer","system_prompt":"Review.",)"
                   R"("provider_id":")"
                     + provider_id + R"("})");
  ASSERT_EQ(soul.status, 201) << soul.body;
  auto key = call(s, "POST", "/admin/keys", R"({"name":"laptop"})");
  ASSERT_EQ(key.status, 201) << key.body;
  std::string key_id = parse(key.body)["data"]["id"].GetString();
  EXPECT_EQ(
    call(s, "PATCH", "/admin/keys/" + key_id, R"({"rate_limit_rpm":5})").status,
    200);
  EXPECT_EQ(
    call(s, "PUT", "/admin/settings/routing", R"({"max_attempts":2})").status,
    200);
  // The password changes; the browser carries on with the new session.
  auto changed = call(s, "POST", "/admin/auth/change-password",
                      std::string{R"({"current_password":")"} + good_password
                        + R"(","new_password":"another long password"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto next = session_of(changed);
  EXPECT_EQ(call(next, "DELETE", "/admin/providers/" + provider_id).status,
            200);
  EXPECT_EQ(call(s, "GET", "/admin/keys").status, 401);

  // Nobody else gets anywhere: a reused setup link, another origin, a
  // missing CSRF header, a guessed password.
  auto again = post("/admin/auth/setup",
                    R"({"password":"someone elses password","setup_token":")"
                      + setup_token + R"("})");
  EXPECT_NE(again.status, 200) << again.body;
  EXPECT_EQ(http_request(gw->port(), "POST", "/admin/keys", R"({"name":"x"})",
                         next.headers() + "\r\nOrigin: https://evil.example")
              .status,
            403);
  EXPECT_EQ(http_request(gw->port(), "POST", "/admin/keys", R"({"name":"x"})",
                         next.headers(false) + "\r\n" + origin)
              .status,
            403);
  EXPECT_EQ(
    post("/admin/auth/login", R"({"password":"a guessed password"})").status,
    401);
  auto keys = parse(call(next, "GET", "/admin/keys").body);
  EXPECT_EQ(keys["data"].Size(), 1u);
}

TEST_F(Auth, GuessingIsStoppedAfterFiveFailures) {
  set_up();
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(post("/admin/auth/login", R"({"password":"wrong guess"})").status,
              401);
  auto sixth = post("/admin/auth/login", R"({"password":"wrong guess"})");
  EXPECT_EQ(sixth.status, 429) << sixth.body;
  EXPECT_GE(std::stoi(sixth.header("retry-after")), 1);
  // Even the right password waits now.
  auto right = post("/admin/auth/login",
                    std::string{R"({"password":")"} + good_password + "\"}");
  EXPECT_EQ(right.status, 429);
}

TEST_F(Auth, ChangingThePasswordEndsEverySession) {
  set_up();
  auto a = login();
  auto b = login();
  auto wrong = http_request(
    gw->port(), "POST", "/admin/auth/change-password",
    R"({"current_password":"not it","new_password":"the new long password"})",
    a.headers());
  EXPECT_EQ(wrong.status, 401);
  auto changed
    = http_request(gw->port(), "POST", "/admin/auth/change-password",
                   std::string{R"({"current_password":")"} + good_password
                     + R"(","new_password":"the new long password"})",
                   a.headers());
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto fresh = session_of(changed);
  EXPECT_EQ(keys_status(b.headers()), 401);
  EXPECT_EQ(keys_status(a.headers()), 401);
  EXPECT_EQ(keys_status(fresh.headers()), 200);
  EXPECT_EQ(post("/admin/auth/login",
                 std::string{R"({"password":")"} + good_password + "\"}")
              .status,
            401);
  login("the new long password");
}

TEST_F(Auth, SessionsSurviveARestartAndCanBeEnded) {
  set_up();
  auto a = login();
  auto b = login();
  restart();
  EXPECT_EQ(keys_status(a.headers()), 200);
  EXPECT_EQ(gw->log().find("/dashboard/?setup="), std::string::npos)
    << "no setup link once a password is set";
  auto list
    = http_request(gw->port(), "GET", "/admin/auth/sessions", "", a.headers());
  ASSERT_EQ(list.status, 200);
  auto doc = parse(list.body);
  std::string other;
  int current = 0;
  for (auto& s : doc["data"].GetArray()) {
    if (s["current"].GetBool())
      ++current;
    else
      other = s["id"].GetString();
    EXPECT_EQ(std::string{s["id"].GetString()}.size(), 16u);
  }
  EXPECT_EQ(current, 1);
  ASSERT_FALSE(other.empty());
  EXPECT_EQ(list.body.find(a.token), std::string::npos);
  // End the other sessions; this one stays.
  auto ended = http_request(gw->port(), "DELETE", "/admin/auth/sessions", "",
                            a.headers());
  EXPECT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(keys_status(a.headers()), 200);
  EXPECT_EQ(keys_status(b.headers()), 401);
  auto out
    = http_request(gw->port(), "POST", "/admin/auth/logout", "", a.headers());
  EXPECT_EQ(out.status, 200);
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(keys_status(a.headers()), 401);
}

TEST_F(Auth, RotatingTheAdminTokenRetiresTheOldOne) {
  auto old_token = gw->admin_token();
  auto r = post("/admin/auth/rotate-token", "",
                "Authorization: Bearer " + old_token);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string fresh = parse(r.body)["token"].GetString();
  EXPECT_TRUE(fresh.starts_with("oha_"));
  EXPECT_EQ(gw->admin_token(), fresh) << "admin.token holds the new token";
  EXPECT_EQ(keys_status("Authorization: Bearer " + old_token), 401);
  EXPECT_EQ(keys_status("Authorization: Bearer " + fresh), 200);
}

TEST_F(Auth, TheAuditTrailNamesWhoButNoSecret) {
  auto s = set_up();
  auto k = http_request(gw->port(), "POST", "/admin/keys", R"({"name":"k"})",
                        s.headers());
  ASSERT_EQ(k.status, 201);
  login();
  EXPECT_EQ(gw->stop(), 0);
  store::database db{dir.file("data") + "/openhinge.db"};
  store::statement st{db, "SELECT actor, action, target_type, detail FROM"
                          " admin_audit ORDER BY id"};
  std::vector<std::string> actions;
  std::string all;
  while (st.step()) {
    actions.push_back(st.text(1) + " " + st.text(2));
    all += st.text(0) + st.text(1) + st.text(2) + st.text(3) + "\n";
    EXPECT_TRUE(st.text(0).starts_with("session:")) << st.text(0);
  }
  EXPECT_NE(std::find(actions.begin(), actions.end(), "setup session"),
            actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "login session"),
            actions.end());
  EXPECT_EQ(all.find(good_password), std::string::npos) << all;
  EXPECT_EQ(all.find(s.token), std::string::npos) << all;
  EXPECT_EQ(all.find(s.csrf), std::string::npos) << all;
  // Sessions are stored by hash only.
  store::statement sessions{db, "SELECT id_hash FROM admin_sessions"};
  while (sessions.step())
    EXPECT_EQ(sessions.text(0).find("ohs_"), std::string::npos);
  for (auto& entry :
       std::filesystem::recursive_directory_iterator(dir.file("data")))
    if (entry.is_regular_file()) {
      auto bytes = read_file(entry.path().string());
      EXPECT_EQ(bytes.find(good_password), std::string::npos) << entry.path();
      EXPECT_EQ(bytes.find(s.token), std::string::npos) << entry.path();
    }
}

} // namespace

namespace {

TEST(AdminCors, OnlyConfiguredOriginsGetCorsAndPreflights) {
  temp_dir dir;
  write_file(dir.file("config.json"),
             R"({"cors":{"admin_origins":["https://ops.example"]}})");
  gateway gw{dir.file("data"),
             {},
             std::vector<std::string>{"--config", dir.file("config.json")}};
  auto token = "Authorization: Bearer " + gw.admin_token();
  auto preflight = [&](const std::string& origin) {
    http_connection c{"127.0.0.1", gw.port()};
    return c.request("OPTIONS", "/admin/keys", "",
                     "Origin: " + origin
                       + "\r\nAccess-Control-Request-Method: POST");
  };
  auto allowed = preflight("https://ops.example");
  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(allowed.header("access-control-allow-origin"),
            "https://ops.example");
  EXPECT_EQ(allowed.header("access-control-allow-credentials"), "true");
  EXPECT_NE(allowed.header("access-control-allow-headers").find("x-csrf-token"),
            std::string::npos);
  auto other = preflight("https://evil.example");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.header("access-control-allow-origin"), "");
  // Plain answers: CORS for the configured origin only; security headers
  // for everyone.
  auto read = http_request(gw.port(), "GET", "/admin/keys", "",
                           token + "\r\nOrigin: https://ops.example");
  EXPECT_EQ(read.header("access-control-allow-origin"), "https://ops.example");
  auto foreign = http_request(gw.port(), "GET", "/admin/keys", "",
                              token + "\r\nOrigin: https://evil.example");
  EXPECT_EQ(foreign.status, 200);
  EXPECT_EQ(foreign.header("access-control-allow-origin"), "");
  EXPECT_EQ(foreign.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(foreign.header("x-frame-options"), "DENY");
  EXPECT_EQ(foreign.header("referrer-policy"), "no-referrer");
  // A configured origin may change things (with the token).
  auto create
    = http_request(gw.port(), "POST", "/admin/keys", R"({"name":"from ops"})",
                   token + "\r\nOrigin: https://ops.example");
  EXPECT_EQ(create.status, 201) << create.body;
  // /v1 is unaffected: any origin, no credentials.
  auto v1 = http_connection{"127.0.0.1", gw.port()}.request(
    "OPTIONS", "/v1/chat/completions", "", "Origin: https://evil.example");
  EXPECT_EQ(v1.header("access-control-allow-origin"), "*");
}

} // namespace

namespace {

TEST(AdminSystem, DeepHealthChecksTheStoreAndTheActors) {
  temp_dir dir;
  gateway gw{dir.file("data")};
  auto r = http_request(gw.port(), "GET", "/health?deep=1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r.body);
  EXPECT_STREQ(doc["status"].GetString(), "ok");
  EXPECT_STREQ(doc["checks"]["store"].GetString(), "ok");
  EXPECT_STREQ(doc["checks"]["actors"].GetString(), "ok");
  // The plain check stays the original's shape.
  auto plain = parse(http_request(gw.port(), "GET", "/health").body);
  EXPECT_FALSE(plain.HasMember("checks"));
}

TEST(AdminSystem, TheAuditListIsNewestFirstAndPagedByCursor) {
  temp_dir dir;
  gateway gw{dir.file("data")};
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(gw.admin("POST", "/admin/keys",
                       R"({"name":"k)" + std::to_string(i) + "\"}")
                .status,
              201);
  auto first = gw.admin("GET", "/admin/audit?limit=3");
  ASSERT_EQ(first.status, 200) << first.body;
  auto page1 = parse(first.body);
  ASSERT_EQ(page1["data"].Size(), 3u);
  EXPECT_GT(page1["data"][0]["id"].GetInt64(),
            page1["data"][1]["id"].GetInt64());
  EXPECT_STREQ(page1["data"][0]["actor"].GetString(), "token");
  EXPECT_STREQ(page1["data"][0]["action"].GetString(), "create");
  ASSERT_TRUE(page1["next"].IsInt64());
  auto second = gw.admin("GET", "/admin/audit?limit=3&before="
                                  + std::to_string(page1["next"].GetInt64()));
  auto page2 = parse(second.body);
  ASSERT_EQ(page2["data"].Size(), 2u);
  EXPECT_TRUE(page2["next"].IsNull());
  EXPECT_LT(page2["data"][0]["id"].GetInt64(),
            page1["data"][2]["id"].GetInt64());
  // The key secrets never appear in the trail.
  EXPECT_EQ(first.body.find("ohk_"), std::string::npos);
  EXPECT_EQ(gw.admin("GET", "/admin/audit?limit=0").status, 400);
  EXPECT_EQ(gw.admin("GET", "/admin/audit?before=x").status, 400);
}

} // namespace

namespace {

TEST(AdminSystem, StatusCountsWhatRunsAndItsMemory) {
  temp_dir dir;
  gateway gw{dir.file("data")};
  ASSERT_EQ(gw.admin("POST", "/admin/keys", R"({"name":"k"})").status, 201);
  ASSERT_EQ(
    gw.admin("POST", "/admin/souls", R"({"name":"S","system_prompt":"x"})")
      .status,
    201);
  auto r = gw.admin("GET", "/admin/system/status");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r.body);
  EXPECT_STREQ(doc["status"].GetString(), "running");
  EXPECT_EQ(doc["providers"].GetInt(), 0);
  EXPECT_EQ(doc["souls"].GetInt(), 1);
  EXPECT_EQ(doc["api_keys"].GetInt(), 1);
  EXPECT_EQ(doc["total_requests"].GetInt(), 0);
  EXPECT_EQ(doc["today_requests"].GetInt(), 0);
  EXPECT_GT(doc["memory"]["rss_bytes"].GetInt64(), 1'000'000);
  EXPECT_GT(doc["memory"]["rss"].GetDouble(), 1.0);
  EXPECT_EQ(doc["open_streams"].GetInt(), 0);
  EXPECT_TRUE(doc["actors"].IsObject());
  // Still behind authentication (the original's was public).
  EXPECT_EQ(http_request(gw.port(), "GET", "/admin/system/status").status, 401);
}

TEST(AdminProviders, ModelsAreTheListTheLastProbeFound) {
  temp_dir dir;
  std::filesystem::create_directories(dir.file("up"));
  fake_upstream up{dir.file("up")};
  gateway gw{dir.file("data")};
  auto created
    = gw.admin("POST", "/admin/providers",
               R"({"name":"fake","type":"openai","base_url":")" + up.base_url()
                 + R"(","credentials":{"api_key":"sk-x"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = parse(created.body)["data"]["id"].GetString();
  // A new account probes at once; wait for its list to be stored.
  std::string body;
  for (int i = 0; i < 100; ++i) {
    auto r = gw.admin("GET", "/admin/providers/" + id + "/models");
    ASSERT_EQ(r.status, 200) << r.body;
    body = r.body;
    if (body.find("gpt-4o-mini") != std::string::npos)
      break;
    std::this_thread::sleep_for(50ms);
  }
  auto doc = parse(body);
  ASSERT_TRUE(doc["data"].IsArray());
  bool found = false;
  for (auto& m : doc["data"].GetArray())
    found = found || std::string{m["id"].GetString()} == "gpt-4o-mini";
  EXPECT_TRUE(found) << body;
  EXPECT_EQ(gw.admin("GET", "/admin/providers/nope/models").status, 404);
}

} // namespace

namespace {

TEST(AdminProviders, BulkEnablesDisablesDeletesAndChecks) {
  temp_dir dir;
  std::filesystem::create_directories(dir.file("up"));
  fake_upstream up{dir.file("up")};
  gateway gw{dir.file("data")};
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = gw.admin("POST", "/admin/providers",
                      R"({"name":"p)" + std::to_string(i)
                        + R"(","type":"openai","base_url":")" + up.base_url()
                        + R"(","credentials":{"api_key":"sk-x"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(parse(r.body)["data"]["id"].GetString());
  }
  auto enabled = [&](const std::string& id) {
    return parse(gw.admin("GET", "/admin/providers/" + id)
                   .body)["data"]["is_enabled"]
      .GetBool();
  };
  auto disable = gw.admin("POST", "/admin/providers/bulk",
                          R"({"action":"disable","ids":[")" + ids[0] + R"(",")"
                            + ids[1] + R"(","unknown"]})");
  ASSERT_EQ(disable.status, 200) << disable.body;
  EXPECT_EQ(parse(disable.body)["affected"].GetInt(), 2);
  EXPECT_FALSE(enabled(ids[0]));
  EXPECT_FALSE(enabled(ids[1]));
  EXPECT_TRUE(enabled(ids[2]));
  auto enable = gw.admin("POST", "/admin/providers/bulk",
                         R"({"action":"enable","ids":[")" + ids[0] + R"("]})");
  EXPECT_EQ(parse(enable.body)["affected"].GetInt(), 1);
  EXPECT_TRUE(enabled(ids[0]));
  auto health = gw.admin("POST", "/admin/providers/bulk",
                         R"({"action":"health","ids":[")" + ids[2] + R"("]})");
  EXPECT_EQ(parse(health.body)["affected"].GetInt(), 1);
  auto removed = gw.admin("POST", "/admin/providers/bulk",
                          R"({"action":"delete","ids":[")" + ids[1] + R"("]})");
  EXPECT_EQ(parse(removed.body)["affected"].GetInt(), 1);
  EXPECT_EQ(gw.admin("GET", "/admin/providers/" + ids[1]).status, 404);
  EXPECT_EQ(parse(gw.admin("GET", "/admin/providers").body)["data"].Size(), 2u);
  auto bad = gw.admin("POST", "/admin/providers/bulk",
                      R"({"action":"explode","ids":["x"]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"field\":\"action\""), std::string::npos);
  EXPECT_EQ(
    gw.admin("POST", "/admin/providers/bulk", R"({"action":"enable"})").status,
    400);
  // Each change is in the audit trail.
  auto audit = gw.admin("GET", "/admin/audit?limit=50").body;
  EXPECT_NE(audit.find("\"action\":\"disable\""), std::string::npos);
}

} // namespace
