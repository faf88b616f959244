// The request path end to end: the real gateway in front of the fake
// upstream, over real sockets.

#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "gateway.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "upstream.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;
using namespace std::chrono_literals;

namespace {

struct ChatTest : ::testing::Test {
  temp_dir dir;
  fake_upstream upstream{dir.path()};
  std::unique_ptr<gateway> gw;
  std::string provider_id;
  std::string key;

  void SetUp() override {
    auto data = dir.file("data");
    gw = std::make_unique<gateway>(data);
    auto r = gw->admin(
      "POST", "/admin/providers",
      R"({"name":"fake","type":"openai","base_url":")" + upstream.base_url()
        + R"(","credentials":{"api_key":"sk-fake-upstream-key"},
                             "config":{"default_model":"gpt-4o-mini"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    provider_id = parse(r.body)["data"]["id"].GetString();
    key = create_key(R"({"name":"tests","rate_limit_rpm":1000})");
  }

  std::string create_key(const std::string& body) {
    auto r = gw->admin("POST", "/admin/keys", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r.body)["data"]["key"].GetString();
  }

  http_reply chat(const std::string& body,
                  const std::string& path = "/v1/chat/completions",
                  const std::string& extra = {}) {
    std::string headers = "Authorization: Bearer " + key;
    if (!extra.empty())
      headers += "\r\n" + extra;
    return http_request(gw->port(), "POST", path, body, headers);
  }

  void spend_one_cent_budget(const std::string& key_name, const char* which);

  /// Every row of usage_logs, oldest first.
  std::vector<std::map<std::string, std::string>> read_log_rows() {
    std::vector<std::map<std::string, std::string>> rows;
    store::database db{dir.file("data") + "/openhinge.db"};
    store::statement st{db, "SELECT request_id, status, http_status,"
                            " model, input_tokens, output_tokens,"
                            " cost_micros, latency_ms, stream,"
                            " error_code, provider_id, soul_id, ttft_ms"
                            " FROM usage_logs ORDER BY id"};
    const char* names[] = {
      "request_id",    "status",      "http_status", "model",  "input_tokens",
      "output_tokens", "cost_micros", "latency_ms",  "stream", "error_code",
      "provider_id",   "soul_id",     "ttft_ms"};
    while (st.step()) {
      std::map<std::string, std::string> row;
      for (int i = 0; i < 13; ++i)
        row[names[i]] = st.is_null(i) ? "NULL" : st.text(i);
      rows.push_back(std::move(row));
    }
    return rows;
  }

  /// The rows of usage_logs once exactly `n` are written (the logger
  /// flushes every 100 ms): a missing row fails after 10 s; a row too many
  /// (a duplicate) fails after waiting two more flushes and counting again.
  std::vector<std::map<std::string, std::string>> log_rows(size_t n) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    auto rows = read_log_rows();
    while (rows.size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
      rows = read_log_rows();
    }
    EXPECT_GE(rows.size(), n) << "the log rows never arrived";
    std::this_thread::sleep_for(250ms);
    rows = read_log_rows();
    EXPECT_EQ(rows.size(), n) << "more log rows than requests";
    return rows;
  }
};

constexpr const char* hello
  = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";

} // namespace

TEST_F(ChatTest, NonStreamingAnswerCarriesIdUsageAndGatewayFacts) {
  auto r = chat(hello);
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r.body);
  EXPECT_STREQ(doc["object"].GetString(), "chat.completion");
  EXPECT_STREQ(doc["id"].GetString(), "chatcmpl-fake123");
  EXPECT_STREQ(doc["choices"][0]["message"]["content"].GetString(),
               "Hello from fake upstream");
  EXPECT_STREQ(doc["choices"][0]["finish_reason"].GetString(), "stop");
  EXPECT_GT(doc["usage"]["prompt_tokens"].GetInt(), 0);
  auto& meta = doc["_openhinge"];
  EXPECT_STREQ(meta["provider"].GetString(), "fake");
  EXPECT_STREQ(meta["provider_type"].GetString(), "openai");
  EXPECT_TRUE(meta["soul"].IsNull());
  EXPECT_GT(meta["cost_cents"].GetDouble(), 0.0);
  EXPECT_EQ(r.header("x-request-id"), meta["request_id"].GetString());
  EXPECT_EQ(r.header("x-ratelimit-limit-requests"), "1000");
  EXPECT_EQ(r.header("x-ratelimit-remaining-requests"), "999");
  EXPECT_EQ(r.header("access-control-allow-origin"), "*");
  // The upstream got our key for it, not the client's.
  auto stats = upstream.stats();
  EXPECT_STREQ(stats["last_headers"]["authorization"].GetString(),
               "Bearer sk-fake-upstream-key");
  auto rows = log_rows(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["status"], "success");
  EXPECT_EQ(rows[0]["model"], "gpt-4o-mini");
  EXPECT_EQ(rows[0]["provider_id"], provider_id);
  EXPECT_NE(rows[0]["input_tokens"], "0");
  EXPECT_NE(rows[0]["cost_micros"], "0");
}

TEST_F(ChatTest, StreamingIsExactOpenAiFraming) {
  auto r = chat(R"({"model":"gpt-4o-mini","stream":true,
                    "stream_options":{"include_usage":true},
                    "messages":[{"role":"user","content":"hi [[fake chunks=4]]"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(r.header("cache-control"), "no-cache");
  EXPECT_EQ(r.header("x-accel-buffering"), "no");
  EXPECT_FALSE(r.header("x-request-id").empty());
  EXPECT_EQ(r.header("x-ratelimit-limit-requests"), "1000");
  auto events = sse_data(r.body);
  ASSERT_GE(events.size(), 5u) << r.body;
  EXPECT_EQ(events.back(), "[DONE]");
  auto first = parse(events[0]);
  EXPECT_STREQ(first["choices"][0]["delta"]["role"].GetString(), "assistant");
  std::string id = first["id"].GetString();
  std::string text;
  std::string finish;
  bool usage_seen = false;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    auto ev = parse(events[i]);
    EXPECT_EQ(id, ev["id"].GetString());
    EXPECT_STREQ(ev["object"].GetString(), "chat.completion.chunk");
    if (ev["choices"].Empty()) {
      usage_seen = true;
      EXPECT_GT(ev["usage"]["completion_tokens"].GetInt(), 0);
      continue;
    }
    auto& delta = ev["choices"][0]["delta"];
    if (delta.HasMember("content") && delta["content"].IsString())
      text += delta["content"].GetString();
    if (ev["choices"][0]["finish_reason"].IsString())
      finish = ev["choices"][0]["finish_reason"].GetString();
  }
  EXPECT_EQ(text, "Hello from fake upstream");
  EXPECT_EQ(finish, "stop");
  EXPECT_TRUE(usage_seen);
  auto rows = log_rows(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["stream"], "1");
  EXPECT_EQ(rows[0]["status"], "success");
  EXPECT_NE(rows[0]["output_tokens"], "0"); // usage was asked upstream
  EXPECT_NE(rows[0]["ttft_ms"], "NULL");
}

TEST_F(ChatTest, UsageChunkOnlyWhenTheClientAsks) {
  auto r = chat(R"({"model":"gpt-4o-mini","stream":true,
                    "messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200);
  for (auto& e : sse_data(r.body))
    EXPECT_EQ(e.find("\"usage\""), std::string::npos) << e;
  // The upstream was asked for usage anyway, so the log has tokens.
  auto body = parse(upstream.stats()["last_body"].GetString());
  EXPECT_TRUE(body["stream_options"]["include_usage"].GetBool());
  EXPECT_NE(log_rows(1)[0]["output_tokens"], "0");
}

TEST_F(ChatTest, StreamedToolCallsKeepIndexIdNameAndArgumentPieces) {
  auto r = chat(R"({"model":"gpt-4o-mini","stream":true,
                    "messages":[{"role":"user","content":"weather [[fake tools=2]]"}],
                    "tools":[{"type":"function","function":{"name":"get_weather",
                      "parameters":{"type":"object"}}}]})");
  ASSERT_EQ(r.status, 200);
  std::map<int, std::string> args;
  std::map<int, std::string> ids;
  std::string finish;
  for (auto& e : sse_data(r.body)) {
    if (e == "[DONE]")
      continue;
    auto ev = parse(e);
    if (ev["choices"].Empty())
      continue;
    auto& choice = ev["choices"][0];
    if (choice["finish_reason"].IsString())
      finish = choice["finish_reason"].GetString();
    if (!choice["delta"].HasMember("tool_calls"))
      continue;
    for (auto& tc : choice["delta"]["tool_calls"].GetArray()) {
      int index = tc["index"].GetInt();
      if (tc.HasMember("id"))
        ids[index] = tc["id"].GetString();
      args[index] += tc["function"]["arguments"].GetString();
    }
  }
  EXPECT_EQ(finish, "tool_calls");
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0], R"({"city":"City 0"})");
  EXPECT_EQ(args[1], R"({"city":"City 1"})");
  EXPECT_EQ(ids[1], "call_fake1");
}

TEST_F(ChatTest, SoulPromptComesFirstAndSoulPathWorks) {
  auto r = gw->admin("POST", "/admin/souls",
                     R"({"name":"Pirate","system_prompt":"Talk like a pirate.",
                         "temperature":0.3})");
  ASSERT_EQ(r.status, 201);
  r = chat(R"({"messages":[{"role":"system","content":"Be brief."},
                           {"role":"user","content":"hi"}]})",
           "/v1/souls/pirate/chat/completions");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STREQ(parse(r.body)["_openhinge"]["soul"].GetString(), "pirate");
  auto sent = parse(upstream.stats()["last_body"].GetString());
  EXPECT_STREQ(sent["messages"][0]["content"].GetString(),
               "Talk like a pirate.");
  EXPECT_STREQ(sent["messages"][1]["content"].GetString(), "Be brief.");
  EXPECT_DOUBLE_EQ(sent["temperature"].GetDouble(), 0.3);
  EXPECT_STREQ(sent["model"].GetString(), "gpt-4o-mini"); // account default
  // The same soul through the header and through model "soul/<slug>".
  EXPECT_EQ(
    chat(hello, "/v1/chat/completions", "X-OpenHinge-Soul: pirate").status,
    200);
  EXPECT_EQ(
    chat(
      R"({"model":"soul/pirate","messages":[{"role":"user","content":"x"}]})")
      .status,
    200);
  EXPECT_EQ(chat(hello, "/v1/souls/nobody/chat/completions").status, 404);
  auto nf = chat(hello, "/v1/chat/completions", "X-OpenHinge-Soul: nobody");
  EXPECT_EQ(nf.status, 404);
  EXPECT_NE(nf.body.find("soul_not_found"), std::string::npos);
}

TEST_F(ChatTest, KeysBoundToSoulsMayUseOnlyThem) {
  auto a = parse(
    gw->admin("POST", "/admin/souls", R"({"name":"A","system_prompt":"a"})")
      .body);
  gw->admin("POST", "/admin/souls", R"({"name":"B","system_prompt":"b"})");
  key = create_key(R"({"name":"bound","soul_ids":[")"
                   + std::string{a["data"]["id"].GetString()} + R"("]})");
  // Bound to exactly one soul: that soul applies without naming it.
  auto r = chat(hello);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STREQ(parse(r.body)["_openhinge"]["soul"].GetString(), "a");
  auto denied = chat(hello, "/v1/souls/b/chat/completions");
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(denied.body.find("soul_access_denied"), std::string::npos);
  EXPECT_EQ(log_rows(2).back()["status"], "denied");
}

TEST_F(ChatTest, AuthenticationFailuresAre401WithOneMessage) {
  auto missing
    = http_request(gw->port(), "POST", "/v1/chat/completions", hello);
  EXPECT_EQ(missing.status, 401);
  auto shape = parse(missing.body);
  EXPECT_STREQ(shape["error"]["type"].GetString(), "authentication_error");
  EXPECT_STREQ(shape["error"]["code"].GetString(), "invalid_api_key");
  auto bad = http_request(gw->port(), "POST", "/v1/chat/completions", hello,
                          "Authorization: Bearer sk-not-ours");
  EXPECT_EQ(bad.status, 401);
  std::string unknown_key = "ohk_" + std::string(43, 'A');
  auto unknown = http_request(gw->port(), "POST", "/v1/chat/completions", hello,
                              "Authorization: Bearer " + unknown_key);
  auto r = gw->admin("GET", "/admin/keys");
  auto id = std::string{parse(r.body)["data"][0]["id"].GetString()};
  gw->admin("POST", "/admin/keys/" + id + "/revoke");
  auto revoked = chat(hello);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(parse(unknown.body)["error"]["message"].GetString(),
            std::string{parse(revoked.body)["error"]["message"].GetString()});
  // x-api-key works like Bearer.
  gw->admin("POST", "/admin/keys/" + id + "/reactivate");
  EXPECT_EQ(http_request(gw->port(), "POST", "/v1/chat/completions", hello,
                         "x-api-key: " + key)
              .status,
            200);
}

TEST_F(ChatTest, RateLimitAnswers429ExactlyAtTheLimit) {
  key = create_key(R"({"name":"slow","rate_limit_rpm":3})");
  for (int i = 0; i < 3; ++i) {
    auto r = chat(hello);
    ASSERT_EQ(r.status, 200) << i;
    EXPECT_EQ(r.header("x-ratelimit-remaining-requests"),
              std::to_string(2 - i));
  }
  auto limited = chat(hello);
  EXPECT_EQ(limited.status, 429);
  auto e = parse(limited.body);
  EXPECT_STREQ(e["error"]["type"].GetString(), "rate_limit_error");
  EXPECT_STREQ(e["error"]["code"].GetString(), "rate_limit_exceeded");
  int retry = std::stoi(limited.header("retry-after"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
  EXPECT_EQ(limited.header("x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(upstream.stats()["requests"].GetInt(), 3);
  EXPECT_EQ(log_rows(4).back()["status"], "rate_limited");
}

/// Spends a key's one-cent budget request by request, each next request
/// sent only once the key's actor has settled the previous one, and checks
/// the refusal came exactly when the settled spend reached the budget.
void ChatTest::spend_one_cent_budget(const std::string& key_name,
                                     const char* which) {
  const std::string body
    = R"({"model":"gpt-4o","messages":[{"role":"user","content":"[[fake text=)"
      + std::string(200, 'x') + R"(]]"}]})";
  int64_t spent_micros = 0;
  int successes = 0;
  for (int i = 0; i < 50; ++i) {
    auto r = chat(body);
    if (r.status == 402) {
      auto e = parse(r.body);
      EXPECT_STREQ(e["error"]["code"].GetString(), "budget_exceeded");
      EXPECT_STREQ(e["error"]["type"].GetString(), "insufficient_quota");
      EXPECT_NE(std::string{e["error"]["message"].GetString()}.find(
                  std::string{which} + " budget exceeded"),
                std::string::npos)
        << r.body;
      ASSERT_GE(successes, 1) << "refused before anything was spent";
      EXPECT_GE(spent_micros, 10'000) << "refused below the budget";
      auto rows = log_rows(successes + 1);
      ASSERT_EQ(rows.size(), size_t(successes + 1));
      for (int k = 0; k < successes; ++k)
        EXPECT_EQ(rows[k]["status"], "success");
      EXPECT_EQ(rows.back()["status"], "budget_exceeded");
      EXPECT_EQ(rows.back()["http_status"], "402");
      EXPECT_EQ(rows.back()["cost_micros"], "0");
      return;
    }
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_LT(spent_micros, 10'000) << "admitted with the budget spent";
    ++successes;
    spent_micros += std::llround(
      parse(r.body)["_openhinge"]["cost_cents"].GetDouble() * 10'000);
    // Settled by the key's actor before the next request is sent.
    bool settled = false;
    for (int w = 0; w < 200 && !settled; ++w) {
      auto doc = parse(gw->admin("GET", "/admin/actors?kind=api_key").body);
      for (auto& a : doc["data"].GetArray())
        if (a["name"].GetString() == key_name)
          settled
            = std::llround(a["state"]["spent_today_cents"].GetDouble() * 10'000)
                == spent_micros
              || std::llround(a["state"]["spent_month_cents"].GetDouble()
                              * 10'000)
                   == spent_micros;
      if (!settled)
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(settled) << "the key never settled " << spent_micros;
  }
  FAIL() << "the " << which << " budget never ran out";
}

TEST_F(ChatTest, TheDailyBudgetIsReachedFromBelowThenIs402) {
  key = create_key(R"({"name":"cheap","daily_budget_cents":1})");
  spend_one_cent_budget("cheap", "daily");
}

TEST_F(ChatTest, TheMonthlyBudgetIsReachedFromBelowThenIs402) {
  key = create_key(R"({"name":"cheap-month","monthly_budget_cents":1})");
  spend_one_cent_budget("cheap-month", "monthly");
}

TEST_F(ChatTest, BadRequestsAre400NamingTheField) {
  auto r = chat("{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_STREQ(parse(r.body)["error"]["code"].GetString(), "invalid_json");
  r = chat(R"({"model":"gpt-4o-mini"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_STREQ(parse(r.body)["error"]["param"].GetString(), "messages");
  r = chat(R"({"messages":[{"role":"wizard","content":"x"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_STREQ(parse(r.body)["error"]["param"].GetString(), "messages[0].role");
  r = chat(R"({"messages":[{"role":"user","content":"x"}],"temperature":5})");
  EXPECT_EQ(r.status, 400);
  EXPECT_STREQ(parse(r.body)["error"]["param"].GetString(), "temperature");
  EXPECT_EQ(upstream.stats()["requests"].GetInt(), 0);
  EXPECT_EQ(log_rows(4).size(), 4u);
}

TEST_F(ChatTest, BodyOverTheLimitIs413) {
  // The gateway refuses on the Content-Length alone, before the body.
  http_connection c{"127.0.0.1", gw->port()};
  c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: "
             "Bearer "
             + key
             + "\r\nContent-Type: application/json\r\n"
               "Content-Length: 9437184\r\n\r\n{\"messages\":");
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_STREQ(parse(r->body)["error"]["code"].GetString(),
               "request_too_large");
}

TEST_F(ChatTest, UpstreamErrorsBecomeCleanStatuses) {
  auto r
    = chat(R"({"messages":[{"role":"user","content":"[[fake status=400]]"}]})");
  EXPECT_EQ(r.status, 400); // the upstream's verdict on the request
  EXPECT_NE(r.body.find("fake failure 400"), std::string::npos);
  r = chat(R"({"messages":[{"role":"user","content":"[[fake status=503]]"}]})");
  EXPECT_EQ(r.status, 502);
  auto e = parse(r.body);
  EXPECT_STREQ(e["error"]["type"].GetString(), "upstream_error");
  EXPECT_EQ(r.body.find("sk-fake-upstream-key"), std::string::npos);
}

TEST_F(ChatTest, UnknownModelIs404AndNoAccountIs503) {
  auto r = chat(
    R"({"model":"claude-sonnet-4","messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_STREQ(parse(r.body)["error"]["code"].GetString(), "model_not_found");
  gw->admin("PATCH", "/admin/providers/" + provider_id,
            R"({"is_enabled":false})");
  r = chat(hello);
  EXPECT_EQ(r.status, 503);
  EXPECT_STREQ(parse(r.body)["error"]["code"].GetString(), "no_providers");
  EXPECT_FALSE(r.header("retry-after").empty());
}

TEST_F(ChatTest, ClientDisconnectMidStreamClosesTheUpstreamStream) {
  http_connection c{"127.0.0.1", gw->port()};
  std::string body = R"({"stream":true,"messages":[{"role":"user","content":)"
                     R"("[[fake chunks=50 interval_ms=100]]"}]})";
  c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: "
             "Bearer "
             + key
             + "\r\nContent-Type: application/json\r\n"
               "Content-Length: "
             + std::to_string(body.size()) + "\r\n\r\n" + body);
  auto first = c.read_some(10s);
  EXPECT_NE(first.find("200 OK"), std::string::npos);
  EXPECT_EQ(upstream.stats()["open_streams"].GetInt(), 1);
  c.close();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (upstream.stats()["open_streams"].GetInt() != 0
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(upstream.stats()["open_streams"].GetInt(), 0);
  auto rows = log_rows(1);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["status"], "cancelled");
}

TEST_F(ChatTest, UpstreamBreakingOffMidStreamEndsWithAnInBandError) {
  auto r = chat(R"({"stream":true,"messages":[{"role":"user","content":)"
                R"("[[fake chunks=5 drop_after=3]]"}]})");
  ASSERT_EQ(r.status, 200);
  auto events = sse_data(r.body);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back(), "[DONE]");
  auto err = parse(events[events.size() - 2]);
  EXPECT_TRUE(err.HasMember("error")) << r.body;
  EXPECT_EQ(log_rows(1)[0]["status"], "error");
}

TEST_F(ChatTest, FallsBackToTheNextAccountBeforeTheFirstByte) {
  // A second account on a port where nothing listens, with higher priority.
  auto r = gw->admin("POST", "/admin/providers",
                     R"({"name":"dead","type":"openai","priority":100,
                         "base_url":"http://127.0.0.1:1",
                         "credentials":{"api_key":"sk-dead"},
                         "config":{"default_model":"gpt-4o-mini"}})");
  ASSERT_EQ(r.status, 201);
  r = chat(hello);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_STREQ(parse(r.body)["_openhinge"]["provider"].GetString(), "fake");
}

TEST_F(ChatTest, ModelsListsAccountModelsAndSouls) {
  gw->admin("POST", "/admin/souls", R"({"name":"Helper","system_prompt":"x"})");
  auto r = http_request(gw->port(), "GET", "/v1/models", {},
                        "Authorization: Bearer " + key);
  ASSERT_EQ(r.status, 200);
  auto doc = parse(r.body);
  EXPECT_STREQ(doc["object"].GetString(), "list");
  std::set<std::string> ids;
  for (auto& m : doc["data"].GetArray())
    ids.insert(m["id"].GetString());
  EXPECT_TRUE(ids.count("gpt-4o-mini"));
  EXPECT_TRUE(ids.count("soul/helper"));
  EXPECT_EQ(http_request(gw->port(), "GET", "/v1/models").status, 401);
}

TEST_F(ChatTest, FirstByteTimeoutIs504) {
  auto r
    = gw->admin("PATCH", "/admin/providers/" + provider_id,
                R"({"config":{"timeout_ms":200,"stream_timeout_ms":200}})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = chat(
    R"({"messages":[{"role":"user","content":"[[fake delay_ms=3000]]"}]})");
  EXPECT_EQ(r.status, 504);
  EXPECT_STREQ(parse(r.body)["error"]["code"].GetString(), "upstream_timeout");
  r = chat(
    R"({"stream":true,"messages":[{"role":"user","content":"[[fake delay_ms=3000]]"}]})");
  EXPECT_EQ(r.status, 504);
}

namespace {

/// A self-signed certificate for DNS:localhost, made with the openssl CLI.
void make_certificate(const temp_dir& dir) {
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1"
                    " -subj /CN=localhost -addext subjectAltName=DNS:localhost"
                    " -keyout '"
                    + dir.file("key.pem") + "' -out '" + dir.file("cert.pem")
                    + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

/// Adds an account named `name` and asks it by name (`name/model`).
http_reply chat_through(gateway& gw, const std::string& name,
                        const std::string& base_url) {
  auto r = gw.admin("POST", "/admin/providers",
                    R"({"name":")" + name + R"(","type":"openai","base_url":")"
                      + base_url + R"(","credentials":{"api_key":"sk-tls"}})");
  EXPECT_EQ(r.status, 201) << r.body;
  r = gw.admin("POST", "/admin/keys", R"({"name":"k"})");
  std::string key = parse(r.body)["data"]["key"].GetString();
  return http_request(gw.port(), "POST", "/v1/chat/completions",
                      R"({"model":")" + name + R"(/gpt-4o-mini",
                          "messages":[{"role":"user","content":"hi"}]})",
                      "Authorization: Bearer " + key);
}

} // namespace

TEST(ChatTls, HttpsUpstreamsAreVerifiedAgainstTrustedCertificates) {
  temp_dir dir;
  make_certificate(dir);
  fake_upstream tls_upstream{
    dir.path(),
    {"--tls-cert", dir.file("cert.pem"), "--tls-key", dir.file("key.pem")}};
  auto base = "https://localhost:" + std::to_string(tls_upstream.port());
  {
    // Trusted (the test CA through OpenSSL's SSL_CERT_FILE) and the name
    // matches: the answer comes through TLS with SNI.
    gateway gw{dir.file("trusted"), {{"SSL_CERT_FILE", dir.file("cert.pem")}}};
    auto r = chat_through(gw, "by-name", base);
    EXPECT_EQ(r.status, 200) << r.body;
    // The certificate is for localhost, not 127.0.0.1: refused.
    auto wrong_name = chat_through(
      gw, "by-ip", "https://127.0.0.1:" + std::to_string(tls_upstream.port()));
    EXPECT_EQ(wrong_name.status, 502);
  }
  {
    // Not trusted: verification is on, so the request fails cleanly.
    gateway gw{dir.file("untrusted"),
               {{"SSL_CERT_FILE", dir.file("no-such-file.pem")}}};
    auto r = chat_through(gw, "untrusted", base);
    EXPECT_EQ(r.status, 502);
    EXPECT_NE(r.body.find("TLS"), std::string::npos) << r.body;
  }
}

namespace {

/// The reason a denied request was logged with, once its row is written.
std::string denied_reason(const std::string& db_path,
                          const std::string& request_id) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    store::database db{db_path};
    store::statement st{db, "SELECT status, http_status, error_message"
                            " FROM usage_logs WHERE request_id = ?1"};
    st.bind(1, request_id);
    if (st.step())
      return st.text(0) + " " + st.text(1) + " " + st.text(2);
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "no log row for " << request_id;
  return {};
}

/// The error object of a 401, without what differs per request.
std::string error_of(const http_reply& r) {
  auto doc = parse(r.body);
  return json::to_string(doc["error"]);
}

} // namespace

// SPEC §5.1: an expired key gets exactly the answer an unknown key gets; the
// reason is only in its log row. Also for a key that expires while the
// gateway runs (the check is made per request, not at load).
TEST_F(ChatTest, ExpiredKeysGetTheUnknownKeyAnswerAndADeniedRow) {
  auto send = [&](const std::string& key) {
    return http_request(gw->port(), "POST", "/v1/chat/completions", hello,
                        "Authorization: Bearer " + key);
  };
  auto unknown = send("ohk_" + std::string(43, 'x'));
  ASSERT_EQ(unknown.status, 401);
  auto expect_refused_as_expired = [&](const std::string& key) {
    auto r = send(key);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(error_of(r), error_of(unknown));
    auto id = r.header("x-request-id");
    ASSERT_FALSE(id.empty());
    EXPECT_EQ(denied_reason(dir.file("data") + "/openhinge.db", id),
              "denied 401 key expired");
  };

  expect_refused_as_expired(
    create_key(R"({"name":"old","expires_at":"2020-01-01T00:00:00Z"})"));

  // Expires three seconds from now: served until then, refused after.
  auto soon = clock::format_iso(clock::now_ms() + 3'000);
  auto later = create_key(R"({"name":"soon","expires_at":")" + soon + "\"}");
  auto first = send(later);
  ASSERT_EQ(first.status, 200) << first.body;
  auto until = clock::parse_timestamp(soon).value();
  while (clock::now_ms() <= until + 50)
    std::this_thread::sleep_for(50ms);
  expect_refused_as_expired(later);
}
