// Crash safety (SPEC §14): `kill -9` in the middle of mixed traffic. The
// usage log loses at most what was queued for its next flush, the database
// passes `PRAGMA integrity_check`, and the gateway starts again on the same
// files and serves at once.

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "gateway.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "upstream.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

// The usage logger's flush interval (SPEC §10: every 100 ms or 512 rows).
constexpr auto flush_window = 100ms;
// What a loaded two-core machine (a sanitizer build, the load generator on
// the same cores) may add to one flush's transaction before it is durable.
constexpr auto commit_allowance = 400ms;
// The offered load: 2 000 requests a second from eight connections.
constexpr int clients = 8;
constexpr int rate_per_client = 250;
constexpr auto traffic = 3s;

struct completed {
  std::string request_id;
  steady::time_point at;
};

std::string integrity_of(const std::string& db_path) {
  store::database db{db_path};
  store::statement st{db, "PRAGMA integrity_check"};
  std::string out;
  while (st.step())
    out += st.text(0) + "\n";
  return out;
}

std::set<std::string> logged_request_ids(const std::string& db_path) {
  store::database db{db_path};
  store::statement st{db, "SELECT request_id FROM usage_logs"};
  std::set<std::string> out;
  while (st.step())
    out.insert(st.text(0));
  return out;
}

/// One of four requests in turn: each dialect, streamed and not.
std::string request_bytes(int n, const std::string& key) {
  bool stream = n % 2 == 1;
  bool anthropic = (n / 2) % 2 == 1;
  std::string body
    = anthropic
        ? std::string{R"({"model":"gpt-4o-mini","max_tokens":32,"stream":)"}
            + (stream ? "true" : "false")
            + R"(,"messages":[{"role":"user","content":"hi"}]})"
        : std::string{R"({"model":"gpt-4o-mini","stream":)"}
            + (stream ? "true" : "false")
            + R"(,"messages":[{"role":"user","content":"hi"}]})";
  return std::string{"POST "}
         + (anthropic ? "/v1/messages" : "/v1/chat/completions")
         + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key
         + "\r\nanthropic-version: 2023-06-01\r\nContent-Type: "
           "application/json\r\nContent-Length: "
         + std::to_string(body.size()) + "\r\n\r\n" + body;
}

} // namespace

TEST(CrashSafety, KillNineUnderLoadLosesAtMostTheFlushWindow) {
  temp_dir dir;
  fake_upstream upstream{dir.path()};
  auto data = dir.file("data");
  auto db_path = data + "/openhinge.db";
  auto gw = std::make_unique<gateway>(data);
  auto r = gw->admin("POST", "/admin/providers",
                     R"({"name":"fake","type":"openai","base_url":")"
                       + upstream.base_url()
                       + R"(","credentials":{"api_key":"sk-fake-upstream-key"},
           "config":{"default_model":"gpt-4o-mini"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  r = gw->admin("POST", "/admin/keys", R"({"name":"load","rate_limit_rpm":0})");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string key = parse(r.body)["data"]["key"].GetString();
  auto port = gw->port();

  std::mutex mu;
  std::vector<completed> done;
  std::atomic<bool> stop{false};
  std::atomic<int> failed_before_kill{0};
  std::atomic<bool> killed{false};
  std::vector<std::thread> threads;
  auto started = steady::now();
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      std::vector<completed> mine;
      try {
        http_connection conn{"127.0.0.1", port};
        for (int n = c; !stop; ++n) {
          // Paced: request i of this client is not sent before i / rate.
          auto due = started
                     + std::chrono::microseconds(int64_t(n / clients)
                                                 * 1'000'000 / rate_per_client);
          std::this_thread::sleep_until(due);
          conn.send_raw(request_bytes(n, key));
          auto reply = conn.read_reply(10s);
          if (!reply || !reply->complete)
            break; // the gateway died under this request
          if (reply->status != 200) {
            if (!killed)
              ++failed_before_kill;
            continue;
          }
          mine.push_back({reply->header("x-request-id"), steady::now()});
        }
      } catch (const std::exception&) {
        // A reset or a refused connection: the kill came.
      }
      std::lock_guard guard{mu};
      done.insert(done.end(), mine.begin(), mine.end());
    });

  std::this_thread::sleep_for(traffic);
  auto kill_at = steady::now();
  killed = true;
  EXPECT_EQ(gw->stop(SIGKILL), 128 + SIGKILL);
  stop = true;
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failed_before_kill, 0);

  auto seconds = std::chrono::duration<double>(kill_at - started).count();
  ASSERT_GT(done.size(), 100u) << "too little traffic to prove anything";
  std::cout << "offered " << clients * rate_per_client << " req/s, completed "
            << done.size() << " in " << seconds << " s ("
            << static_cast<int>(done.size() / seconds) << " req/s)\n";
  ::testing::Test::RecordProperty("completed_per_second",
                                  static_cast<int>(done.size() / seconds));

  // The files as the kill left them: SQLite recovers the WAL on open.
  EXPECT_EQ(integrity_of(db_path), "ok\n");
  auto logged = logged_request_ids(db_path);
  size_t lost_in_window = 0;
  size_t lost_before = 0;
  for (auto& c : done) {
    if (logged.count(c.request_id))
      continue;
    if (c.at >= kill_at - flush_window - commit_allowance) {
      ++lost_in_window;
      continue;
    }
    if (++lost_before <= 3)
      ADD_FAILURE() << c.request_id << " completed "
                    << std::chrono::duration_cast<std::chrono::milliseconds>(
                         kill_at - c.at)
                         .count()
                    << " ms before the kill and has no log row";
  }
  EXPECT_EQ(lost_before, 0u) << "rows lost from before the last flush";
  std::cout << "rows lost (completed within the last flush): " << lost_in_window
            << " of " << done.size() << "\n";
  ::testing::Test::RecordProperty("rows_lost_in_window",
                                  static_cast<int>(lost_in_window));

  // The same files start again (the stale port file is the dead one's) and
  // serve the very first request.
  std::filesystem::remove(data + "/port");
  auto restart_began = steady::now();
  gw = std::make_unique<gateway>(data);
  auto first = http_request(
    gw->port(), "POST", "/v1/chat/completions",
    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})",
    "Authorization: Bearer " + key);
  EXPECT_EQ(first.status, 200) << first.body;
  std::cout << "restarted and answered in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                 steady::now() - restart_began)
                 .count()
            << " ms\n";
  EXPECT_EQ(integrity_of(db_path), "ok\n");
  // Nothing the first process wrote went missing on the second start.
  auto after = logged_request_ids(db_path);
  for (auto& id : logged)
    if (!after.count(id)) {
      ADD_FAILURE() << id << " was logged before the restart, not after";
      break;
    }
}
