// Routing and resilience against the real binary: fallback before the first
// byte, clean in-band errors after it, the circuit breaker, rate-limited
// accounts, introspection, metrics and the drain on SIGTERM.

#include <chrono>
#include <future>
#include <regex>
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

std::string stream_text(const std::string& body) {
  std::string text;
  for (auto& e : sse_data(body)) {
    if (e == "[DONE]")
      continue;
    auto ev = parse(e);
    if (!ev.HasMember("choices") || ev["choices"].Empty())
      continue;
    auto& d = ev["choices"][0]["delta"];
    if (d.HasMember("content") && d["content"].IsString())
      text += d["content"].GetString();
  }
  return text;
}

bool has_error_event(const std::string& body) {
  for (auto& e : sse_data(body))
    if (e != "[DONE]" && parse(e).HasMember("error"))
      return true;
  return false;
}

constexpr const char* hello
  = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";
constexpr const char* hello_stream
  = R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]})";

/// Three accounts: "primary" (priority 10) in front of the scripted failing
/// upstream (or a closed port), then "backup" (priority 1) and "reserve"
/// (priority 0) in front of a healthy one.
struct Resilience : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<fake_upstream> bad;
  std::unique_ptr<fake_upstream> good;
  std::unique_ptr<gateway> gw;
  std::string key;
  std::string primary_id;

  void start(const std::string& fault, bool refuse = false,
             const std::string& extra_config = "", int idle_timeout_ms = 400) {
    std::filesystem::create_directories(dir.file("bad"));
    std::filesystem::create_directories(dir.file("good"));
    if (!refuse)
      bad = std::make_unique<fake_upstream>(
        dir.file("bad"),
        // The faults are the generations': the primary still lists its
        // models (listings=ok), so its probes pass and every breaker
        // failure counted here is a request's.
        std::vector<std::string>{"--script", fault + " listings=ok"});
    good = std::make_unique<fake_upstream>(dir.file("good"));
    write_file(
      dir.file("config.json"),
      R"({"breaker":{"failures":3,"cooldown_s":60},"health":{"interval_s":3600})"
        + extra_config + "}");
    gw = std::make_unique<gateway>(
      dir.file("data"), std::map<std::string, std::string>{},
      std::vector<std::string>{"--config", dir.file("config.json")});
    std::string bad_url = refuse ? "http://127.0.0.1:1" : bad->base_url();
    auto r = gw->admin(
      "POST", "/admin/providers",
      R"({"name":"primary","type":"openai","priority":10,"base_url":")"
        + bad_url + R"(","credentials":{"api_key":"sk-a"},
                           "config":{"default_model":"gpt-4o-mini","timeout_ms":400,
                                     "stream_timeout_ms":400,"idle_timeout_ms":)"
        + std::to_string(idle_timeout_ms) + "}}");
    ASSERT_EQ(r.status, 201) << r.body;
    primary_id = parse(r.body)["data"]["id"].GetString();
    r = gw->admin(
      "POST", "/admin/providers",
      R"({"name":"backup","type":"openai","priority":1,"base_url":")"
        + good->base_url() + R"(","credentials":{"api_key":"sk-b"},
                      "config":{"default_model":"gpt-4o-mini"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    // A third account behind the backup: fallback goes by priority.
    r = gw->admin(
      "POST", "/admin/providers",
      R"({"name":"reserve","type":"openai","priority":0,"base_url":")"
        + good->base_url() + R"(","credentials":{"api_key":"sk-c"},
                      "config":{"default_model":"gpt-4o-mini"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    r = gw->admin("POST", "/admin/keys",
                  R"({"name":"k","rate_limit_rpm":1000})");
    key = parse(r.body)["data"]["key"].GetString();
    // Each new account probes its listing at once, and a good probe closes
    // its breaker: wait for the three, or one could land between the
    // failures a test counts.
    bool probed = false;
    for (int i = 0; i < 500 && !probed; ++i) {
      auto list = parse(gw->admin("GET", "/admin/providers").body);
      probed = list["data"].Size() == 3;
      for (auto& p : list["data"].GetArray())
        probed = probed && p["health"]["last_check"].IsString();
      if (!probed)
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(probed) << "the accounts' first probes never finished";
  }

  http_reply chat(const std::string& body) {
    return http_request(gw->port(), "POST", "/v1/chat/completions", body,
                        "Authorization: Bearer " + key);
  }

  int64_t requests_to(fake_upstream& f) {
    return f.stats()["requests"].GetInt64();
  }

  /// The `attempts` JSON of the newest log row, once written.
  json::document last_attempts(size_t rows_expected) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      {
        store::database db{dir.file("data") + "/openhinge.db"};
        store::statement count{db, "SELECT COUNT(*) FROM usage_logs"};
        count.step();
        if (static_cast<size_t>(count.int64(0)) >= rows_expected) {
          store::statement st{
            db, "SELECT attempts FROM usage_logs ORDER BY id DESC"};
          st.step();
          return parse(st.text(0));
        }
      }
      if (std::chrono::steady_clock::now() > deadline)
        return json::document{};
      std::this_thread::sleep_for(20ms);
    }
  }
};

} // namespace

struct FallbackCase {
  const char* name;
  const char* fault;
  bool refuse;
  bool stream_only = false; // a fault of the stream events only
};

class FallbackBeforeFirstByte
  : public Resilience,
    public ::testing::WithParamInterface<FallbackCase> {};

TEST_P(FallbackBeforeFirstByte, TheNextAccountAnswersStreamedAndNot) {
  auto c = GetParam();
  start(c.fault, c.refuse);
  auto check_attempts = [&] {
    // The first request's log row names both attempts.
    auto attempts = last_attempts(1);
    ASSERT_TRUE(attempts.IsArray());
    ASSERT_EQ(attempts.Size(), 2u);
    EXPECT_STREQ(attempts[0]["provider"].GetString(), "primary");
    EXPECT_FALSE(attempts[0]["error"].IsNull());
    EXPECT_STREQ(attempts[1]["provider"].GetString(), "backup");
  };
  if (!c.stream_only) {
    auto r = chat(hello);
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = parse(r.body);
    EXPECT_STREQ(doc["_openhinge"]["provider"].GetString(), "backup");
    ASSERT_TRUE(doc["_openhinge"].HasMember("attempts")) << r.body;
    EXPECT_EQ(doc["_openhinge"]["attempts"].Size(), 2u);
    EXPECT_STREQ(
      doc["_openhinge"]["fallback_attempts"][0]["provider_name"].GetString(),
      "primary");
    check_attempts();
  }

  auto s = chat(hello_stream);
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(stream_text(s.body), "Hello from fake upstream");
  EXPECT_FALSE(has_error_event(s.body)) << s.body; // never two answers
  EXPECT_EQ(sse_data(s.body).back(), "[DONE]");
  if (bad) {
    EXPECT_EQ(bad->stats()["open_streams"].GetInt(), 0);
  }
  if (c.stream_only)
    check_attempts();
}

INSTANTIATE_TEST_SUITE_P(
  Faults, FallbackBeforeFirstByte,
  ::testing::Values(
    FallbackCase{"refused", "", true},
    FallbackCase{"server_error", "status=503", false},
    FallbackCase{"rate_limited", "status=429 retry_after=1", false},
    FallbackCase{"hang_before_headers", "delay_ms=5000", false},
    FallbackCase{"drop_before_content", "drop_after=0", false, true},
    FallbackCase{"hang_before_content", "hang_after=1", false, true}),
  [](const auto& info) {
    return std::string{info.param.name};
  });

TEST_F(Resilience,
       AfterTheFirstByteAStreamEndsWithACleanErrorAndNoSecondAnswer) {
  start("chunks=6 hang_after=3");
  auto s = chat(hello_stream);
  ASSERT_EQ(s.status, 200);
  EXPECT_FALSE(stream_text(s.body).empty()); // the first pieces arrived
  EXPECT_TRUE(has_error_event(s.body)) << s.body;
  EXPECT_EQ(sse_data(s.body).back(), "[DONE]");
  EXPECT_EQ(requests_to(*good), 0); // nothing appended from the backup
  EXPECT_EQ(bad->stats()["open_streams"].GetInt(), 0);
}

TEST_F(Resilience, DroppedConnectionAfterContentEndsInBand) {
  start("chunks=6 drop_after=3");
  auto s = chat(hello_stream);
  ASSERT_EQ(s.status, 200);
  EXPECT_TRUE(has_error_event(s.body)) << s.body;
  EXPECT_EQ(requests_to(*good), 0);
}

TEST_F(Resilience, SlowTrickleWithinTheIdleTimeoutSucceeds) {
  // Eight gaps of 200 ms: the stream outlasts the 1 s idle timeout, each
  // gap stays five times below it (room for a loaded sanitizer run).
  start("chunks=8 interval_ms=200", false, "", 1000);
  auto s = chat(hello_stream);
  ASSERT_EQ(s.status, 200);
  EXPECT_EQ(stream_text(s.body), "Hello from fake upstream");
  EXPECT_EQ(requests_to(*good), 0);
}

TEST_F(Resilience, BreakerOpensAndIsVisibleInActorsAndMetrics) {
  start("status=503");
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(chat(hello).status, 200);
  EXPECT_EQ(requests_to(*bad), 3);
  // Open now: the selector skips the primary without trying it.
  ASSERT_EQ(chat(hello).status, 200);
  EXPECT_EQ(requests_to(*bad), 3);

  auto actors = gw->admin("GET", "/admin/actors?kind=provider_account");
  ASSERT_EQ(actors.status, 200) << actors.body;
  auto doc = parse(actors.body);
  bool seen = false;
  for (auto& a : doc["data"].GetArray()) {
    EXPECT_STREQ(a["kind"].GetString(), "provider_account");
    EXPECT_TRUE(a["mailbox"].IsInt());
    EXPECT_TRUE(a["handled"].IsInt());
    if (std::string{a["name"].GetString()} == "primary") {
      seen = true;
      EXPECT_GT(a["handled"].GetInt(), 0);
      EXPECT_STREQ(a["state"]["circuit"].GetString(), "open");
      EXPECT_STREQ(a["state"]["health"].GetString(), "down");
    }
  }
  EXPECT_TRUE(seen);
  auto one = gw->admin("GET", "/admin/actors/" + primary_id);
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(gw->admin("GET", "/admin/actors/nope").status, 404);
  auto provider
    = parse(gw->admin("GET", "/admin/providers/" + primary_id).body);
  EXPECT_STREQ(provider["data"]["health"]["circuit"].GetString(), "open");

  auto metrics = http_request(gw->port(), "GET", "/metrics", {},
                              "Authorization: Bearer " + gw->admin_token());
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(
    metrics.body.find(R"(openhinge_circuit_state{provider="primary"} 2)"),
    std::string::npos)
    << metrics.body;
  EXPECT_NE(metrics.body.find(
              R"(openhinge_fallbacks_total{from="primary",to="backup"} 3)"),
            std::string::npos);
  EXPECT_NE(
    metrics.body.find(
      R"(openhinge_upstream_errors_total{provider="primary",kind="server_error"} 3)"),
    std::string::npos);
}

TEST_F(Resilience, A429LimitsTheAccountUntilItsReset) {
  start("status=429 retry_after=30");
  ASSERT_EQ(chat(hello).status, 200);
  ASSERT_EQ(chat(hello).status, 200);
  EXPECT_EQ(requests_to(*bad), 1); // the second went straight to the backup
  auto provider
    = parse(gw->admin("GET", "/admin/providers/" + primary_id).body);
  ASSERT_TRUE(provider["data"]["health"]["limited_until"].IsString());
  // A date 30 s ahead (the accounts run on a steady clock; shown as UTC).
  auto until = clock::parse_timestamp(
    provider["data"]["health"]["limited_until"].GetString());
  ASSERT_TRUE(until);
  auto ahead = *until - clock::now_ms();
  EXPECT_GT(ahead, 20'000)
    << provider["data"]["health"]["limited_until"].GetString();
  EXPECT_LE(ahead, 30'000);
  EXPECT_STREQ(provider["data"]["health"]["status"].GetString(), "degraded");
}

TEST_F(Resilience, EveryAccountFailingIsA502WithTheAttempts) {
  start("status=500");
  gw->admin("PATCH", "/admin/providers/" + primary_id, R"({"priority":10})");
  // Make the backup fail too by scripting it through the message.
  auto r
    = chat(R"({"messages":[{"role":"user","content":"[[fake status=502]]"}]})");
  EXPECT_EQ(r.status, 502);
  EXPECT_STREQ(parse(r.body)["error"]["type"].GetString(), "upstream_error");
  EXPECT_EQ(last_attempts(1).Size(), 3u); // routing.max_attempts
}

TEST_F(Resilience, MetricsAreValidPrometheusTextWithEveryFamily) {
  start("status=503");
  chat(hello);
  chat(hello_stream);
  http_request(gw->port(), "POST", "/v1/chat/completions", hello); // 401
  EXPECT_EQ(http_request(gw->port(), "GET", "/metrics").status, 401);
  auto m = http_request(gw->port(), "GET", "/metrics", {},
                        "Authorization: Bearer " + gw->admin_token());
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.header("content-type"),
            "text/plain; version=0.0.4; charset=utf-8");
  std::regex help(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::regex type(
    R"(^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$)");
  std::regex sample(
    R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$)");
  std::set<std::string> families;
  size_t pos = 0;
  while (pos < m.body.size()) {
    auto end = m.body.find('\n', pos);
    ASSERT_NE(end, std::string::npos) << "the text must end with a newline";
    auto line = m.body.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, type)) << line;
      families.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (line.rfind("# HELP ", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, help)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
    }
  }
  for (auto name :
       {"openhinge_requests_total", "openhinge_request_duration_seconds",
        "openhinge_ttft_seconds", "openhinge_tokens_total",
        "openhinge_cost_usd_total", "openhinge_upstream_errors_total",
        "openhinge_fallbacks_total", "openhinge_rate_limited_total",
        "openhinge_auth_failures_total", "openhinge_open_streams",
        "openhinge_connections", "openhinge_circuit_state",
        "openhinge_log_queue_depth", "openhinge_log_dropped_total",
        "openhinge_token_refresh_total", "openhinge_unpriced_requests_total",
        "process_resident_memory_bytes", "process_cpu_seconds_total"})
    EXPECT_TRUE(families.count(name)) << name;
  EXPECT_NE(
    m.body.find(
      R"(openhinge_requests_total{endpoint="chat",status="200",provider="backup",soul="none"} 2)"),
    std::string::npos)
    << m.body;
  EXPECT_NE(m.body.find("openhinge_auth_failures_total 1"), std::string::npos);
}

namespace {

/// Opens `n` streams and returns their bodies when they end; a stream cut
/// before its last chunk fails the test unless `may_be_cut`.
std::vector<std::future<std::string>>
open_streams(uint16_t port, const std::string& key, int n,
             const std::string& script, bool may_be_cut = false) {
  std::vector<std::future<std::string>> out;
  for (int i = 0; i < n; ++i)
    out.push_back(std::async(std::launch::async, [=] {
      http_connection c{"127.0.0.1", port};
      std::string body
        = R"({"stream":true,"messages":[{"role":"user","content":"[[fake )"
          + script + R"(]]"}]})";
      c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: "
                 "x\r\nAuthorization: Bearer "
                 + key
                 + "\r\nContent-Type: application/json\r\nContent-Length: "
                 + std::to_string(body.size()) + "\r\n\r\n" + body);
      auto r = c.read_reply(30s);
      if (r && !r->complete && !may_be_cut)
        ADD_FAILURE() << "a stream was cut before its last chunk: " << r->body;
      return r ? r->body : std::string{};
    }));
  return out;
}

void wait_for_open_streams(fake_upstream& f, int n) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (f.stats()["open_streams"].GetInt() < n
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  ASSERT_GE(f.stats()["open_streams"].GetInt(), n)
    << "the upstream never had " << n << " streams open";
}

} // namespace

TEST_F(Resilience, SigtermLetsOpenStreamsFinishBeforeTheDeadline) {
  start("status=503");
  auto streams = open_streams(gw->port(), key, 12, "chunks=10 interval_ms=100");
  wait_for_open_streams(*good, 12);
  gw->process().signal(SIGTERM);
  for (auto& s : streams) {
    auto body = s.get();
    EXPECT_EQ(stream_text(body), "Hello from fake upstream");
    EXPECT_FALSE(has_error_event(body)) << body; // none cut before the deadline
    ASSERT_FALSE(sse_data(body).empty());
    EXPECT_EQ(sse_data(body).back(), "[DONE]");
  }
  EXPECT_EQ(gw->process().wait(), 0);
  EXPECT_EQ(good->stats()["open_streams"].GetInt(), 0);
}

TEST_F(Resilience, ASecondSigtermExitsAtOnceButWritesTheQueuedLogRows) {
  start("status=503");
  auto before_rows = [&] {
    store::database db{dir.file("data") + "/openhinge.db"};
    store::statement st{db, "SELECT COUNT(*) FROM usage_logs WHERE stream = 1"};
    st.step();
    return st.int64(0);
  };
  auto streamed_before = before_rows();
  // One stream still running when the first SIGTERM comes; it finishes
  // during the drain, and its row is queued for the logger (which writes
  // every 100 ms). The second SIGTERM comes right after its last byte.
  // A longer one keeps the drain waiting until the second signal.
  auto streams = open_streams(gw->port(), key, 1, "chunks=10 interval_ms=50");
  // The second signal cuts it: exiting at once is what that signal asks.
  auto long_one
    = open_streams(gw->port(), key, 1, "chunks=200 interval_ms=50", true);
  wait_for_open_streams(*good, 2);
  gw->process().signal(SIGTERM);
  auto body = streams[0].get();
  ASSERT_FALSE(sse_data(body).empty()) << body;
  EXPECT_EQ(sse_data(body).back(), "[DONE]");
  std::this_thread::sleep_for(5ms);
  gw->process().signal(SIGTERM);
  EXPECT_EQ(gw->process().wait(), 0);
  EXPECT_NE(gw->log().find("second signal"), std::string::npos) << gw->log();
  EXPECT_EQ(before_rows(), streamed_before + 1)
    << "the finished stream's row was lost: " << gw->log();
}

TEST_F(Resilience, AtTheDrainDeadlineStreamsEndWithACleanShutdownError) {
  start("status=503", false);
  gw->stop();
  // Restart with a one-second drain deadline.
  gw = std::make_unique<gateway>(
    dir.file("data"), std::map<std::string, std::string>{},
    std::vector<std::string>{"--config", dir.file("config.json"), "--drain",
                             "1"});
  auto streams = open_streams(gw->port(), key, 5, "chunks=100 interval_ms=100");
  wait_for_open_streams(*good, 5);
  auto started = std::chrono::steady_clock::now();
  gw->process().signal(SIGTERM);
  for (auto& s : streams) {
    auto body = s.get();
    EXPECT_TRUE(has_error_event(body)) << body;
    EXPECT_NE(body.find("shutting down"), std::string::npos);
    ASSERT_FALSE(sse_data(body).empty());
    EXPECT_EQ(sse_data(body).back(), "[DONE]");
  }
  EXPECT_EQ(gw->process().wait(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);
  EXPECT_EQ(good->stats()["open_streams"].GetInt(), 0);
}

TEST_F(Resilience, TheTotalStreamDeadlineEndsTheStreamInBand) {
  start("status=503");
  auto r = gw->admin("GET", "/admin/providers");
  std::string backup;
  auto providers = parse(r.body); // keep the document alive while iterating
  for (auto& p : providers["data"].GetArray())
    if (std::string{p["name"].GetString()} == "backup")
      backup = p["id"].GetString();
  ASSERT_FALSE(backup.empty());
  r = gw->admin("PATCH", "/admin/providers/" + backup,
                R"({"config":{"max_stream_ms":500}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto s
    = chat(R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user",)"
           R"("content":"[[fake chunks=20 interval_ms=100]]"}]})");
  ASSERT_EQ(s.status, 200);
  EXPECT_FALSE(stream_text(s.body).empty());
  EXPECT_TRUE(has_error_event(s.body)) << s.body;
  EXPECT_EQ(sse_data(s.body).back(), "[DONE]");
}
