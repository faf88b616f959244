// Subscription accounts through the real binary (issue #19, SPEC §7): the
// browser login against the fake's OAuth endpoints (callback and paste),
// the three subscription wires in both client dialects, a refused token
// refreshed once and retried, 200 requests across an expiry sharing one
// refresh, and a borrowed Claude Code file followed but never refreshed.

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "gateway.hpp"
#include "upstream.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;
using namespace std::chrono_literals;

namespace {

/// Path and query of an `http://host:port/path?query` URL.
std::string target_of(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

uint16_t port_of(const std::string& url) {
  auto scheme = url.find("://");
  auto colon = url.find(':', scheme + 3);
  return static_cast<uint16_t>(std::stoi(url.substr(colon + 1)));
}

std::string claude_code_file(const std::string& token, int64_t expires_ms) {
  return R"({"claudeAiOauth":{"accessToken":")" + token
         + R"(","refreshToken":"cc-refresh-)" + token + R"(","expiresAt":)"
         + std::to_string(expires_ms)
         + R"(,"scopes":["user:inference"],"subscriptionType":"max"}})";
}

struct SubscriptionsTest : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<fake_upstream> upstream;
  std::unique_ptr<gateway> gw;
  uint16_t callback_port = 0;
  std::string key;

  void start(std::vector<std::string> fake_args = {},
             std::map<std::string, std::string> env = {}) {
    fake_args.insert(fake_args.begin(), {"--flavor", "oauth"});
    upstream = std::make_unique<fake_upstream>(dir.path(), fake_args);
    callback_port = free_port();
    write_file(dir.file("openhinge.json"),
               R"({"oauth":{"endpoint_base":")" + upstream->base_url()
                 + R"(","callback_port":)" + std::to_string(callback_port)
                 + "}}");
    env.emplace("OPENHINGE_CONFIG", dir.file("openhinge.json"));
    env.emplace("HOME", dir.file("home"));
    env.emplace("GEMINI_OAUTH_CLIENT_ID", "gemini-cli-client");
    env.emplace("GEMINI_OAUTH_CLIENT_SECRET", "gemini-cli-secret");
    std::filesystem::create_directories(dir.file("home"));
    gw = std::make_unique<gateway>(dir.file("data"), env);
    auto r = gw->admin("POST", "/admin/keys",
                       R"({"name":"subs","rate_limit_rpm":100000})");
    ASSERT_EQ(r.status, 201) << r.body;
    key = parse(r.body)["data"]["key"].GetString();
  }

  json::document start_login(const std::string& type) {
    auto r = gw->admin("POST", "/admin/providers/auth/start",
                       R"({"type":")" + type + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body);
  }

  /// What the browser does at the authorize URL: the fake logs the user
  /// in at once and redirects; the redirect's address.
  std::string authorize(const std::string& url) {
    auto r = http_request(port_of(url), "GET", target_of(url));
    EXPECT_EQ(r.status, 302) << r.body;
    return r.header("location");
  }

  http_reply complete(const std::string& flow_id, const std::string& pasted) {
    return gw->admin("POST", "/admin/providers/auth/complete",
                     R"({"flow_id":")" + flow_id + R"(","redirect_url":")"
                       + pasted + R"("})");
  }

  http_reply openai_chat(const std::string& body) {
    return http_request(gw->port(), "POST", "/v1/chat/completions", body,
                        "Authorization: Bearer " + key);
  }
  http_reply anthropic_messages(const std::string& body) {
    return http_request(gw->port(), "POST", "/v1/messages", body,
                        "x-api-key: " + key
                          + "\r\nanthropic-version: 2023-06-01");
  }

  json::document provider(const std::string& id) {
    auto r = gw->admin("GET", "/admin/providers/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    auto doc = parse(r.body);
    json::document out;
    if (doc.IsObject() && doc.HasMember("data"))
      out.CopyFrom(doc["data"], out.GetAllocator());
    return out;
  }

  /// Waits for an account's first probe (Code Assist's loadCodeAssist is
  /// recorded by the fake like a request: the test must not mistake it for
  /// its own).
  void wait_probed(const std::string& id) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto a = provider(id);
      if (a.IsObject() && a.HasMember("health")
          && a["health"]["last_check"].IsString())
        return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "account " << id << " was never probed";
  }

  std::string last(const char* what) {
    auto s = upstream->stats();
    if (std::string_view{what} == "last_headers")
      return json::to_string(s["last_headers"]);
    return s[what].IsString() ? s[what].GetString() : json::to_string(s[what]);
  }
  int64_t refreshes() {
    return upstream->stats()["refreshes"].GetInt64();
  }
};

/// Text of an OpenAI stream, which must end with its finish and [DONE].
std::string openai_stream_text(const std::string& body, std::string& finish) {
  auto events = sse_data(body);
  EXPECT_FALSE(events.empty()) << body;
  if (events.empty())
    return {};
  EXPECT_EQ(events.back(), "[DONE]") << body;
  std::string text;
  for (auto& e : events) {
    if (e == "[DONE]")
      continue;
    auto doc = parse(e);
    EXPECT_FALSE(doc.HasMember("error")) << e;
    if (!doc.HasMember("choices") || doc["choices"].Empty())
      continue;
    auto& c = doc["choices"][0];
    if (c["delta"].HasMember("content") && c["delta"]["content"].IsString())
      text += c["delta"]["content"].GetString();
    if (c["finish_reason"].IsString())
      finish = c["finish_reason"].GetString();
  }
  return text;
}

/// An Anthropic stream's stop reason; it must end with message_stop.
std::string anthropic_stop_reason(const std::string& body) {
  auto events = sse_data(body);
  EXPECT_FALSE(events.empty()) << body;
  if (events.empty())
    return {};
  EXPECT_EQ(std::string{parse(events.back())["type"].GetString()},
            "message_stop")
    << body;
  for (auto& e : events) {
    auto doc = parse(e);
    if (std::string_view{doc["type"].GetString()} == "message_delta")
      return doc["delta"]["stop_reason"].GetString();
  }
  ADD_FAILURE() << "no message_delta in " << body;
  return {};
}

TEST_F(SubscriptionsTest, BrowserLoginThroughTheCallbackServesBothDialects) {
  start();
  auto flow = start_login("claude");
  ASSERT_TRUE(flow["callback_listening"].GetBool());
  std::string url = flow["auth_url"].GetString();
  EXPECT_NE(url.find("code_challenge_method=S256"), std::string::npos);
  EXPECT_NE(url.find("client_id=9d1c250a-e61b-44d9-88ed-5944d1962f5e"),
            std::string::npos);

  // The browser comes back to the listener on the gateway host.
  auto redirect = authorize(url);
  ASSERT_EQ(port_of(redirect), callback_port) << redirect;
  auto page = http_request(callback_port, "GET", target_of(redirect));
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Connected"), std::string::npos);
  EXPECT_EQ(page.header("content-security-policy").find("default-src 'none'"),
            0u);

  auto status = gw->admin("GET", "/admin/providers/auth/status?flow_id="
                                   + std::string{flow["flow_id"].GetString()});
  auto done = parse(status.body);
  ASSERT_EQ(std::string{done["status"].GetString()}, "complete") << status.body;
  std::string id = done["provider"]["id"].GetString();
  auto account = provider(id);
  EXPECT_EQ(std::string{account["auth_mode"].GetString()}, "oauth");
  auto set = json::to_string(account["credentials_set"]);
  EXPECT_NE(set.find("refresh_token"), std::string::npos) << set;
  // No token ever leaves through the admin API.
  EXPECT_EQ(status.body.find("sk-ant-o"), std::string::npos);
  EXPECT_EQ(json::to_string(account).find("sk-ant-o"), std::string::npos);

  auto r = openai_chat(
    R"({"model":"claude-sonnet-4-6","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
    std::string{parse(r.body)["_openhinge"]["provider_type"].GetString()},
    "claude");
  auto headers = parse(last("last_headers"));
  EXPECT_EQ(std::string{headers["authorization"].GetString()}.rfind(
              "Bearer sk-ant-oat01-", 0),
            0u);
  EXPECT_FALSE(headers.HasMember("x-api-key"));
  EXPECT_EQ(std::string{headers["x-app"].GetString()}, "cli");
  auto sent = parse(last("last_body"));
  EXPECT_EQ(std::string{sent["system"][0]["text"].GetString()},
            "You are Claude Code, Anthropic's official CLI for Claude.");
  EXPECT_EQ(std::string{sent["system"][1]["text"].GetString()}, "Be brief.");

  std::string finish;
  r = openai_chat(
    R"({"model":"claude-sonnet-4-6","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(openai_stream_text(r.body, finish), "Hello from fake upstream");
  EXPECT_EQ(finish, "stop");

  r = anthropic_messages(
    R"({"model":"claude-sonnet-4-6","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi [[fake tools=1]]"}],"tools":[{"name":"get_weather","input_schema":{"type":"object"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(anthropic_stop_reason(r.body), "tool_use");

  // The subscription costs nothing per request.
  EXPECT_EQ(
    parse(
      openai_chat(
        R"({"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]})")
        .body)["_openhinge"]["cost_cents"]
      .GetDouble(),
    0.0);
}

TEST_F(SubscriptionsTest, PastedRedirectsCompleteTwoLoginsAtOnce) {
  start();
  auto chatgpt = start_login("openai");
  auto google = start_login("gemini");
  std::string chatgpt_id = chatgpt["flow_id"].GetString();
  std::string google_id = google["flow_id"].GetString();
  auto chatgpt_redirect = authorize(chatgpt["auth_url"].GetString());
  auto google_redirect = authorize(google["auth_url"].GetString());

  // Another login's redirect is refused and spends nothing.
  auto wrong = complete(chatgpt_id, google_redirect);
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_NE(wrong.body.find("another login"), std::string::npos);

  // Pasted in the other order than started.
  auto g = complete(google_id, google_redirect);
  ASSERT_EQ(g.status, 201) << g.body;
  auto c = complete(chatgpt_id, chatgpt_redirect);
  ASSERT_EQ(c.status, 201) << c.body;
  auto again = complete(chatgpt_id, chatgpt_redirect);
  EXPECT_EQ(again.status, 400) << again.body;
  EXPECT_EQ(upstream->stats()["token_exchanges"].GetInt64(), 2);

  // ChatGPT: the account id came from the id_token.
  auto account = provider(parse(c.body)["provider"]["id"].GetString());
  EXPECT_NE(json::to_string(account["credentials_set"]).find("account_id"),
            std::string::npos);
  auto r = openai_chat(
    R"({"model":"gpt-5.4-mini","temperature":0.3,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto answer = parse(r.body);
  EXPECT_EQ(std::string{answer["choices"][0]["message"]["content"].GetString()},
            "Hello from fake upstream");
  EXPECT_EQ(json::to_string(answer["_openhinge"]["dropped_params"]),
            R"(["temperature"])");
  EXPECT_EQ(last("last_target"), "/responses");
  auto headers = parse(last("last_headers"));
  EXPECT_EQ(std::string{headers["chatgpt-account-id"].GetString()},
            "acct_fake");
  std::string finish;
  r = openai_chat(
    R"({"model":"gpt-5.4-mini","stream":true,"messages":[{"role":"user","content":"weather? [[fake tools=2]]"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  openai_stream_text(r.body, finish);
  EXPECT_EQ(finish, "tool_calls");
  r = anthropic_messages(
    R"({"model":"gpt-5.4-mini","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(anthropic_stop_reason(r.body), "end_turn");

  // Gemini: Code Assist's wrapped wire with the discovered project.
  wait_probed(parse(g.body)["provider"]["id"].GetString());
  r = openai_chat(
    R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(last("last_target"), "/v1internal:generateContent");
  EXPECT_EQ(std::string{parse(last("last_body"))["project"].GetString()},
            "proj-fake");
  r = anthropic_messages(
    R"({"model":"gemini-2.5-flash","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi [[fake tools=1]]"}],"tools":[{"name":"get_weather","input_schema":{"type":"object"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(anthropic_stop_reason(r.body), "tool_use");
}

TEST_F(SubscriptionsTest, ARefusedTokenIsRefreshedOnceAndTheRequestRetried) {
  start();
  auto flow = start_login("claude");
  auto r = complete(flow["flow_id"].GetString(),
                    authorize(flow["auth_url"].GetString()));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string body
    = R"({"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]})";
  ASSERT_EQ(openai_chat(body).status, 200);
  EXPECT_EQ(refreshes(), 0);

  // The vendor revokes the access token: 401, one refresh, one retry.
  http_request(upstream->port(), "POST", "/_fake/revoke");
  auto retried = openai_chat(body);
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(refreshes(), 1);
  ASSERT_EQ(openai_chat(body).status, 200);
  EXPECT_EQ(refreshes(), 1);
  auto metrics = gw->admin("GET", "/metrics").body;
  EXPECT_NE(metrics.find("openhinge_token_refresh_total{provider=\"Claude "
                         "(Subscription)\",result=\"success\"} 1"),
            std::string::npos)
    << metrics;

  // A refresh that fails: the account says why and the request fails over
  // to nobody (one account), with no second refresh for it.
  http_request(upstream->port(), "POST", "/_fake/fail-refresh?on=1");
  http_request(upstream->port(), "POST", "/_fake/revoke");
  auto refused = openai_chat(body);
  EXPECT_EQ(refused.status, 502) << refused.body;
  EXPECT_EQ(refreshes(), 2);
  auto health = json::to_string(
    provider(parse(r.body)["provider"]["id"].GetString())["health"]);
  EXPECT_NE(health.find("token refresh failed"), std::string::npos) << health;
}

TEST_F(SubscriptionsTest, TwoHundredRequestsAcrossTheExpiryShareOneRefresh) {
  start({"--refresh-delay-ms", "300"});
  // A token the fake knows, one second from its expiry: inside the
  // refresh margin, so the first request starts the refresh and every
  // other one waits for it.
  ASSERT_EQ(
    http_request(
      upstream->port(), "POST", "/_fake/tokens",
      R"({"access_token":"sk-ant-oat01-old","refresh_token":"sk-ant-ort01-old","expires_in":3600})")
      .status,
    200);
  auto expires = clock::now_ms() + 1000;
  auto made = gw->admin(
    "POST", "/admin/providers/claude-oauth",
    R"({"access_token":"sk-ant-oat01-old","refresh_token":"sk-ant-ort01-old","expires_at":)"
      + std::to_string(expires) + R"(,"base_url":")" + upstream->base_url()
      + R"("})");
  ASSERT_EQ(made.status, 201) << made.body;

  const std::string body
    = R"({"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]})";
  std::vector<std::future<int>> replies;
  for (int i = 0; i < 200; ++i)
    replies.push_back(std::async(std::launch::async, [&] {
      return openai_chat(body).status;
    }));
  int ok = 0;
  for (auto& f : replies)
    ok += f.get() == 200 ? 1 : 0;
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(refreshes(), 1);
  // The rotated refresh token was stored: the old one is spent at the fake.
  auto listed = gw->admin("GET", "/admin/providers").body;
  EXPECT_EQ(listed.find("1970-"), std::string::npos) << listed;
}

TEST_F(SubscriptionsTest, ABorrowedClaudeCodeFileIsFollowedAndNeverRefreshed) {
  start();
  auto creds = dir.file("home/.claude/.credentials.json");
  std::filesystem::create_directories(dir.file("home/.claude"));
  auto hour = clock::now_ms() + 3'600'000;
  http_request(
    upstream->port(), "POST", "/_fake/tokens",
    R"({"access_token":"cc-token-1","refresh_token":"cc-refresh-cc-token-1"})");
  write_file(creds, claude_code_file("cc-token-1", hour));

  auto detect = gw->admin("GET", "/admin/providers/detect");
  ASSERT_EQ(detect.status, 200) << detect.body;
  EXPECT_NE(detect.body.find("\"source\":\"claude_code\""), std::string::npos)
    << detect.body;
  EXPECT_EQ(detect.body.find("cc-token-1"), std::string::npos);
  EXPECT_NE(detect.body.find("signed out"), std::string::npos);

  // A copy must acknowledge that refreshing signs Claude Code out.
  auto copy = gw->admin("POST", "/admin/providers/import",
                        R"({"source":"claude_code","mode":"copy"})");
  EXPECT_EQ(copy.status, 400) << copy.body;
  EXPECT_NE(copy.body.find("acknowledge_sign_out"), std::string::npos);

  auto made
    = gw->admin("POST", "/admin/providers/import",
                R"({"source":"claude_code","mode":"borrowed","base_url":")"
                  + upstream->base_url() + R"("})");
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(std::string{parse(made.body)["data"]["auth_mode"].GetString()},
            "borrowed");
  const std::string body
    = R"({"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]})";
  ASSERT_EQ(openai_chat(body).status, 200);
  EXPECT_EQ(
    std::string{parse(last("last_headers"))["authorization"].GetString()},
    "Bearer cc-token-1");

  // Claude Code refreshes its own token: the file changes underneath.
  http_request(upstream->port(), "POST", "/_fake/revoke");
  http_request(
    upstream->port(), "POST", "/_fake/tokens",
    R"({"access_token":"cc-token-2","refresh_token":"cc-refresh-cc-token-2"})");
  write_file(creds, claude_code_file("cc-token-2", hour));
  std::this_thread::sleep_for(1100ms); // the file is stat-ed once a second
  auto r = openai_chat(body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
    std::string{parse(last("last_headers"))["authorization"].GetString()},
    "Bearer cc-token-2");

  // Expired in the file: the account waits for Claude Code, never refreshes.
  write_file(creds, claude_code_file("cc-token-3", clock::now_ms() - 1000));
  std::this_thread::sleep_for(1100ms);
  r = openai_chat(body);
  EXPECT_EQ(r.status, 503) << r.body;
  auto listed = gw->admin("GET", "/admin/providers").body;
  EXPECT_NE(listed.find("waiting for Claude Code to refresh"),
            std::string::npos)
    << listed;
  EXPECT_EQ(refreshes(), 0);
  EXPECT_EQ(listed.find("cc-token"), std::string::npos);
}

TEST_F(SubscriptionsTest, EachAccountSendsOnlyItsOwnToken) {
  start();
  for (auto* t : {"sk-ant-oat01-alpha", "sk-ant-oat01-beta"})
    http_request(upstream->port(), "POST", "/_fake/tokens",
                 std::string{R"({"access_token":")"} + t
                   + R"(","refresh_token":"sk-ant-ort01-)" + t + "\"}");
  for (auto* name : {"alpha", "beta"}) {
    auto r = gw->admin(
      "POST", "/admin/providers/claude-oauth",
      std::string{R"({"name":")"} + name + R"(","access_token":"sk-ant-oat01-)"
        + name + R"(","refresh_token":"sk-ant-ort01-sk-ant-oat01-)" + name
        + R"(","expires_at":)" + std::to_string(clock::now_ms() + 3'600'000)
        + R"(,"base_url":")" + upstream->base_url() + R"("})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto ask = [&](const std::string& account) {
    auto r = openai_chat(
      R"({"model":")" + account
      + R"(/claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string{
      parse(last("last_headers"))["authorization"].GetString()};
  };
  EXPECT_EQ(ask("alpha"), "Bearer sk-ant-oat01-alpha");
  EXPECT_EQ(ask("beta"), "Bearer sk-ant-oat01-beta");
  // alpha's token is refused and refreshed: beta keeps its own.
  http_request(upstream->port(), "POST", "/_fake/revoke");
  http_request(upstream->port(), "POST", "/_fake/tokens",
               R"({"access_token":"sk-ant-oat01-beta"})");
  auto alpha = ask("alpha");
  EXPECT_NE(alpha, "Bearer sk-ant-oat01-alpha");
  EXPECT_NE(alpha, "Bearer sk-ant-oat01-beta");
  EXPECT_EQ(refreshes(), 1);
  EXPECT_EQ(ask("beta"), "Bearer sk-ant-oat01-beta");
  EXPECT_EQ(refreshes(), 1);
}

TEST_F(SubscriptionsTest, AGcloudLoginServesGeminiThroughCodeAssist) {
  // Google's refresh tokens do not rotate: the fake keeps them valid.
  start({"--reuse-refresh"});
  http_request(
    upstream->port(), "POST", "/_fake/tokens",
    R"({"access_token":"ya29.seed","refresh_token":"1//adc-refresh"})");
  std::filesystem::create_directories(dir.file("home/.config/gcloud"));
  auto adc
    = dir.file("home/.config/gcloud/application_default_credentials.json");
  const std::string file
    = R"({"type":"authorized_user","client_id":"adc-client.apps.googleusercontent.com","client_secret":"adc-secret","refresh_token":"1//adc-refresh"})";
  write_file(adc, file);

  auto made
    = gw->admin("POST", "/admin/providers/import",
                R"({"source":"gcloud_adc","mode":"borrowed","base_url":")"
                  + upstream->base_url() + R"("})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto account = parse(made.body);
  EXPECT_EQ(std::string{account["data"]["auth_mode"].GetString()}, "borrowed");
  wait_probed(account["data"]["id"].GetString());
  EXPECT_NE(
    json::to_string(account["data"]["credentials_set"]).find("project_id"),
    std::string::npos)
    << made.body;

  auto r = openai_chat(
    R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(last("last_target"), "/v1internal:generateContent");
  EXPECT_EQ(std::string{parse(last("last_body"))["project"].GetString()},
            "proj-fake");
  // Refreshed in memory from the file's token; the file is never written.
  EXPECT_EQ(read_file(adc), file);
  auto refreshed = refreshes();
  EXPECT_GE(refreshed, 2); // the import's discovery, then the account
  ASSERT_EQ(
    openai_chat(
      R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"again"}]})")
      .status,
    200);
  EXPECT_EQ(refreshes(), refreshed);
}

} // namespace
