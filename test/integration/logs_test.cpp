// The request log's read side (SPEC §8) after real traffic through the fake
// upstream: search with every filter, cursors, full text, one request's
// detail with its attempts, and the cost reports.

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "gateway.hpp"
#include "upstream.hpp"
#include "wire.hpp"

namespace oh::test {
namespace {

using namespace std::chrono_literals;

struct Logs : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<fake_upstream> failing;
  std::unique_ptr<fake_upstream> good;
  std::unique_ptr<gateway> gw;
  std::string key_a, key_a_id, key_b, key_b_id;
  std::string primary_id, backup_id, soul_id;
  int sent = 0;

  void SetUp() override {
    std::filesystem::create_directories(dir.file("bad"));
    std::filesystem::create_directories(dir.file("good"));
    failing = std::make_unique<fake_upstream>(
      dir.file("bad"), std::vector<std::string>{"--script", "status=503"});
    good = std::make_unique<fake_upstream>(dir.file("good"));
    gw = std::make_unique<gateway>(dir.file("data"));
    primary_id = account("primary", failing->base_url(), 10);
    backup_id = account("backup", good->base_url(), 5);
    auto s = gw->admin("POST", "/admin/souls",
                       R"({"name":"Critic","system_prompt":"Be brief."})");
    ASSERT_EQ(s.status, 201) << s.body;
    soul_id = parse(s.body)["data"]["id"].GetString();
    std::tie(key_a, key_a_id) = make_key("alpha-laptop");
    std::tie(key_b, key_b_id) = make_key("beta-server");
  }

  std::string account(const std::string& name, const std::string& url,
                      int priority) {
    auto r = gw->admin(
      "POST", "/admin/providers",
      R"({"name":")" + name + R"(","type":"openai","priority":)"
        + std::to_string(priority) + R"(,"base_url":")" + url
        + R"(","credentials":{"api_key":"sk-x"},"config":{"default_model":"gpt-4o"}})");
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r.body)["data"]["id"].GetString();
  }
  std::pair<std::string, std::string> make_key(const std::string& name) {
    auto r = gw->admin("POST", "/admin/keys",
                       R"({"name":")" + name + R"(","rate_limit_rpm":0})");
    EXPECT_EQ(r.status, 201) << r.body;
    auto doc = parse(r.body);
    return {doc["data"]["key"].GetString(), doc["data"]["id"].GetString()};
  }
  http_reply chat(const std::string& key, const std::string& path,
                  const std::string& extra = {}, bool stream = false) {
    ++sent;
    return http_request(
      gw->port(), "POST", path,
      R"({"model":"gpt-4o","stream":)" + std::string{stream ? "true" : "false"}
        + R"(,"messages":[{"role":"user","content":"hi)" + extra + R"("}]})",
      "Authorization: Bearer " + key);
  }
  json::document query(const std::string& params, int expect = 200) {
    auto r = gw->admin("GET", "/admin/cost/logs/query?" + params);
    EXPECT_EQ(r.status, expect) << params << ": " << r.body;
    return parse(r.body);
  }
  /// Waits until the logger has written every request sent.
  void wait_for_rows() {
    for (int i = 0; i < 200; ++i) {
      if (query("per_page=1")["total"].GetInt() >= sent)
        return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "the log never reached " << sent << " rows";
  }
};

TEST_F(Logs, EveryFilterFindsItsRowsAndOnlyThem) {
  auto first = chat(key_a, "/v1/chat/completions"); // primary fails: fallback
  ASSERT_EQ(first.status, 200) << first.body;
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(chat(key_a, "/v1/chat/completions").status, 200);
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(chat(key_b, "/v1/souls/critic/chat/completions", "", true).status,
              200);
  auto failed = chat(key_b, "/v1/chat/completions", " [[fake status=500]]");
  ASSERT_EQ(failed.status, 502) << failed.body;
  wait_for_rows();

  EXPECT_EQ(query("")["total"].GetInt(), 7);
  EXPECT_EQ(query("api_key_id=" + key_a_id)["total"].GetInt(), 4);
  EXPECT_EQ(query("api_key_id=" + key_b_id)["total"].GetInt(), 3);
  EXPECT_EQ(query("soul_id=" + soul_id)["total"].GetInt(), 2);
  EXPECT_EQ(query("stream=true")["total"].GetInt(), 2);
  EXPECT_EQ(query("status=error")["total"].GetInt(), 1);
  EXPECT_EQ(query("status=success&api_key_id=" + key_b_id)["total"].GetInt(),
            2);
  EXPECT_EQ(query("provider_id=" + backup_id)["total"].GetInt(), 6);
  EXPECT_EQ(query("model=gpt-4o")["total"].GetInt(), 6); // upstream-reported
  EXPECT_EQ(query("endpoint=chat")["total"].GetInt(), 7);
  EXPECT_EQ(query("endpoint=messages")["total"].GetInt(), 0);
  EXPECT_EQ(query("min_latency_ms=3600000")["total"].GetInt(), 0);
  EXPECT_EQ(query("from=2000-01-01&to=2000-01-02")["total"].GetInt(), 0);
  EXPECT_EQ(query("from=2000-01-01%2000:00:00")["total"].GetInt(), 7);
  // Rows carry the names of their key, soul and account.
  auto soul_rows = query("soul_id=" + soul_id);
  EXPECT_STREQ(soul_rows["data"][0]["soul_slug"].GetString(), "critic");
  EXPECT_STREQ(soul_rows["data"][0]["key_name"].GetString(), "beta-server");
  EXPECT_STREQ(soul_rows["data"][0]["provider_name"].GetString(), "backup");

  // Search: a request id exactly; words through the full-text index.
  auto by_id = query("search=" + first.header("x-request-id"));
  ASSERT_EQ(by_id["total"].GetInt(), 1);
  EXPECT_EQ(by_id["data"][0]["request_id"].GetString(),
            first.header("x-request-id"));
  EXPECT_EQ(query("search=alpha-laptop")["total"].GetInt(), 4);
  auto errors = query("status=error");
  std::string message = errors["data"][0]["error_message"].GetString();
  std::string word;
  for (size_t i = 0, start = 0; i <= message.size(); ++i)
    if (i == message.size()
        || !std::isalpha(static_cast<unsigned char>(message[i]))) {
      if (i - start >= 6 && word.empty())
        word = message.substr(start, i - start);
      start = i + 1;
    }
  ASSERT_FALSE(word.empty()) << message;
  auto by_text = query("search=" + word + "&status=error");
  EXPECT_EQ(by_text["total"].GetInt(), 1) << word;

  // One request's detail: the fallback's attempts name the failed account.
  auto detail = gw->admin("GET", "/admin/logs/" + first.header("x-request-id"));
  ASSERT_EQ(detail.status, 200) << detail.body;
  auto d = parse(detail.body);
  ASSERT_TRUE(d["data"]["attempts"].IsArray());
  ASSERT_GE(d["data"]["attempts"].Size(), 1u) << detail.body;
  EXPECT_NE(detail.body.find("primary"), std::string::npos) << detail.body;
  EXPECT_EQ(gw->admin("GET", "/admin/logs/0000000000000000").status, 404);

  // The original's newest-first list.
  auto newest = parse(gw->admin("GET", "/admin/cost/logs?limit=2").body);
  EXPECT_EQ(newest["data"].Size(), 2u);
  EXPECT_STREQ(newest["data"][0]["status"].GetString(), "error");
}

TEST_F(Logs, CursorsVisitEveryRowOnceWhileNewRowsArrive) {
  for (int i = 0; i < 23; ++i)
    ASSERT_EQ(chat(key_a, "/v1/chat/completions").status, 200);
  wait_for_rows();
  std::set<int64_t> seen;
  std::string after;
  int pages = 0;
  for (;;) {
    auto page = query("per_page=5" + (after.empty() ? "" : "&after=" + after));
    for (auto& row : page["data"].GetArray())
      EXPECT_TRUE(seen.insert(row["id"].GetInt64()).second)
        << "row " << row["id"].GetInt64() << " twice";
    ++pages;
    // Newer rows arrive meanwhile; a newest-first cursor does not see them.
    if (pages == 2)
      ASSERT_EQ(chat(key_b, "/v1/chat/completions").status, 200);
    if (page["next"].IsNull())
      break;
    after = page["next"].GetString();
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_EQ(pages, 5);
  // Oldest first, by latency: the order holds across pages too.
  wait_for_rows(); // the row that arrived meanwhile
  std::vector<int64_t> latencies;
  after.clear();
  for (int i = 0; i < 10; ++i) {
    auto page = query("per_page=7&sort=latency_ms&order=asc"
                      + (after.empty() ? "" : "&after=" + after));
    for (auto& row : page["data"].GetArray())
      latencies.push_back(row["latency_ms"].GetInt64());
    if (page["next"].IsNull())
      break;
    after = page["next"].GetString();
  }
  EXPECT_EQ(latencies.size(), 24u);
  EXPECT_TRUE(std::is_sorted(latencies.begin(), latencies.end()));
  // The original's page numbers still work.
  auto second = query("per_page=10&page=2");
  EXPECT_EQ(second["data"].Size(), 10u);
  EXPECT_EQ(second["pages"].GetInt(), 3);
}

/// RFC 4180 records of a CSV text (quoted fields, doubled quotes, CRLF).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      records.back().push_back(std::move(field));
      field.clear();
      records.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  if (records.back().empty())
    records.pop_back();
  return records;
}

TEST_F(Logs, ExportsStreamEveryMatchingRowInBothFormats) {
  // A user agent with a comma, quotes and a line of its own in the CSV.
  for (int i = 0; i < 30; ++i) {
    ++sent;
    auto r = http_request(gw->port(), "POST", "/v1/chat/completions",
                          R"({"messages":[{"role":"user","content":"hi"}]})",
                          "Authorization: Bearer " + (i < 20 ? key_a : key_b)
                            + "\r\nUser-Agent: tester \"quoted\", v1");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  wait_for_rows();
  auto csv = gw->admin("GET", "/admin/cost/logs/export?format=csv&api_key_id="
                                + key_a_id);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("transfer-encoding"), "chunked");
  EXPECT_NE(csv.header("content-type").find("text/csv"), std::string::npos);
  auto records = parse_csv(csv.body);
  ASSERT_EQ(records.size(), 21u) << "header and 20 rows";
  auto& header = records[0];
  auto column = [&](const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<size_t>(it - header.begin());
  };
  for (size_t i = 1; i < records.size(); ++i) {
    ASSERT_EQ(records[i].size(), header.size()) << "record " << i;
    EXPECT_EQ(records[i][column("user_agent")], "tester \"quoted\", v1");
    EXPECT_EQ(records[i][column("key_name")], "alpha-laptop");
  }
  auto nd = gw->admin("GET", "/admin/cost/logs/export?format=ndjson");
  ASSERT_EQ(nd.status, 200);
  size_t lines = 0;
  std::set<std::string> ids;
  for (size_t at = 0; at < nd.body.size();) {
    auto end = nd.body.find('\n', at);
    ASSERT_NE(end, std::string::npos) << "every line ends";
    auto row = parse(nd.body.substr(at, end - at));
    ids.insert(row["request_id"].GetString());
    ++lines;
    at = end + 1;
  }
  EXPECT_EQ(lines, 30u);
  EXPECT_EQ(ids.size(), 30u);
  auto bad = gw->admin("GET", "/admin/cost/logs/export?format=xml");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"field\":\"format\""), std::string::npos);
  EXPECT_EQ(gw->admin("GET", "/admin/cost/logs/export?status=nope").status,
            400);
}

TEST_F(Logs, BadParametersAreNamed) {
  auto named = [&](const std::string& params, const char* field) {
    auto doc = query(params, 400);
    EXPECT_STREQ(doc["error"]["field"].GetString(), field) << params;
  };
  named("per_page=500", "per_page");
  named("page=0", "page");
  named("status=bogus", "status");
  named("stream=maybe", "stream");
  named("from=yesterday", "from");
  named("from=2026-02-02&to=2026-01-01", "to");
  named("sort=name", "sort");
  named("order=sideways", "order");
  named("after=zz", "after");
  named("min_latency_ms=-1", "min_latency_ms");
  // A cursor changed by one character, or used with another order.
  ASSERT_EQ(chat(key_a, "/v1/chat/completions").status, 200);
  ASSERT_EQ(chat(key_a, "/v1/chat/completions").status, 200);
  wait_for_rows();
  std::string cursor = query("per_page=1")["next"].GetString();
  std::string changed = cursor;
  changed[4] = changed[4] == '0' ? '1' : '0';
  named("per_page=1&after=" + changed, "after");
  named("per_page=1&order=asc&after=" + cursor, "after");
  EXPECT_EQ(query("per_page=1&after=" + cursor)["data"].Size(), 1u);
}

TEST_F(Logs, CostReportsByDaySoulKeyAccountAndModel) {
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(chat(key_a, "/v1/chat/completions").status, 200);
  ASSERT_EQ(chat(key_b, "/v1/souls/critic/chat/completions").status, 200);
  ASSERT_EQ(chat(key_b, "/v1/chat/completions", " [[fake status=500]]").status,
            502);
  wait_for_rows();
  auto report = parse(gw->admin("GET", "/admin/cost/report").body);
  ASSERT_EQ(report["data"].Size(), 1u) << "one day of traffic";
  EXPECT_GE(report["data"][0]["requests"].GetInt(), 4);
  EXPECT_GT(report["data"][0]["cost_micros"].GetInt64(), 0);
  auto by_soul = parse(gw->admin("GET", "/admin/cost/by-soul?days=7").body);
  ASSERT_EQ(by_soul["data"].Size(), 1u);
  EXPECT_STREQ(by_soul["data"][0]["slug"].GetString(), "critic");
  EXPECT_EQ(by_soul["data"][0]["requests"].GetInt(), 1);
  auto by_key = parse(gw->admin("GET", "/admin/cost/by-key").body);
  ASSERT_EQ(by_key["data"].Size(), 2u);
  std::map<std::string, int> requests, errors;
  for (auto& row : by_key["data"].GetArray()) {
    requests[row["name"].GetString()] = row["requests"].GetInt();
    errors[row["name"].GetString()] = row["errors"].GetInt();
  }
  EXPECT_EQ(requests["alpha-laptop"], 3);
  EXPECT_EQ(requests["beta-server"], 2);
  EXPECT_EQ(errors["beta-server"], 1);
  auto by_provider = parse(gw->admin("GET", "/admin/cost/by-provider").body);
  bool backup_seen = false;
  for (auto& row : by_provider["data"].GetArray())
    backup_seen
      = backup_seen || std::string{row["name"].GetString()} == "backup";
  EXPECT_TRUE(backup_seen) << json::to_string(by_provider);
  auto by_model = parse(gw->admin("GET", "/admin/cost/by-model").body);
  EXPECT_STREQ(by_model["data"][0]["model"].GetString(), "gpt-4o");
  EXPECT_GT(by_model["data"][0]["input_tokens"].GetInt(), 0);
  // Yesterday and before: nothing; a range the wrong way round: named.
  auto old = parse(
    gw->admin("GET", "/admin/cost/by-key?from=2001-01-01&to=2001-01-31").body);
  EXPECT_EQ(old["data"].Size(), 0u);
  auto wrong
    = gw->admin("GET", "/admin/cost/by-model?from=2026-02-01&to=2026-01-01");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("\"field\":\"to\""), std::string::npos);
  EXPECT_EQ(gw->admin("GET", "/admin/cost/report?days=0").status, 400);
}

} // namespace
} // namespace oh::test

#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "store/usage_repo.hpp"

namespace oh::test {
namespace {

TEST(LogRetention, OldRowsGoWithTheirSearchEntriesAndTheDailyCostsStay) {
  temp_dir dir;
  std::string data = dir.file("data");
  {
    gateway first{data}; // creates the database
    EXPECT_EQ(first.stop(), 0);
  }
  std::string db_path = data + "/openhinge.db";
  auto rows_at = [](int64_t when_ms, int n, const std::string& key_name) {
    std::vector<store::usage_row> rows;
    for (int i = 0; i < n; ++i) {
      store::usage_row r;
      r.request_id = crypto::new_id();
      r.created_at = clock::format_iso(when_ms + i);
      r.api_key_id = "k-" + key_name;
      r.key_name = key_name;
      r.model = "gpt-4o";
      r.cost_micros = 10;
      rows.push_back(std::move(r));
    }
    return rows;
  };
  int64_t now = clock::now_ms();
  {
    store::database db{db_path};
    store::usage_repo repo{db};
    repo.insert_batch(
      rows_at(now - int64_t{60} * 86'400'000, 700, "ancient-key"));
    repo.insert_batch(rows_at(now - 3'600'000, 5, "recent-key"));
  }
  write_file(dir.file("config.json"), R"({"log":{"retention_days":30}})");
  gateway gw{data, {}, {"--config", dir.file("config.json")}};
  auto count = [&](const std::string& params) {
    return parse(
             gw.admin("GET", "/admin/cost/logs/query?" + params).body)["total"]
      .GetInt();
  };
  for (int i = 0; i < 300 && count("per_page=1") != 5; ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(count("per_page=1"), 5) << gw.log();
  EXPECT_EQ(count("search=recent-key"), 5);
  EXPECT_EQ(count("search=ancient-key"), 0);
  {
    // The search index forgot them too, and the daily costs stay.
    store::database db{db_path};
    store::statement fts{db, "SELECT COUNT(*) FROM usage_logs_fts WHERE"
                             " usage_logs_fts MATCH '\"ancient-key\"'"};
    fts.step();
    EXPECT_EQ(fts.int64(0), 0);
    store::statement daily{db, "SELECT SUM(total_requests) FROM cost_daily"
                               " WHERE api_key_id = 'k-ancient-key'"};
    daily.step();
    EXPECT_EQ(daily.int64(0), 700);
  }
  auto metrics = gw.admin("GET", "/metrics").body;
  EXPECT_NE(metrics.find("openhinge_log_rows_deleted_total 700"),
            std::string::npos);
  EXPECT_NE(gw.log().find("log retention: deleted 700 row(s)"),
            std::string::npos)
    << gw.log();
}

} // namespace
} // namespace oh::test

#include <atomic>

namespace oh::test {
namespace {

TEST(Backup, UnderLoadTheCopyIsWholeAndStartsAFreshGateway) {
  temp_dir dir;
  std::filesystem::create_directories(dir.file("up"));
  fake_upstream up{dir.file("up")};
  std::string data = dir.file("data");
  gateway gw{data};
  ASSERT_EQ(gw.admin("POST", "/admin/providers",
                     R"({"name":"fake","type":"openai","base_url":")"
                       + up.base_url()
                       + R"(","credentials":{"api_key":"sk-x"}})")
              .status,
            201);
  auto k = parse(
    gw.admin("POST", "/admin/keys", R"({"name":"load","rate_limit_rpm":0})")
      .body);
  std::string key = k["data"]["key"].GetString();
  // Traffic all along: the backup must not stop the gateway answering.
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread load([&] {
    while (!stop) {
      auto r = http_request(gw.port(), "POST", "/v1/chat/completions",
                            R"({"messages":[{"role":"user","content":"hi"}]})",
                            "Authorization: Bearer " + key);
      (r.status == 200 ? ok : failed) += 1;
    }
  });
  // Rows in the log before the copy (the logger writes every 100 ms).
  for (int i = 0; i < 500; ++i) {
    auto q = parse(gw.admin("GET", "/admin/cost/logs/query?per_page=1").body);
    if (q["total"].GetInt() >= 50)
      break;
    std::this_thread::sleep_for(10ms);
  }
  auto backup = gw.admin("POST", "/admin/system/backup", R"({"name":"b1.db"})");
  int ok_after_admin = ok;
  // The CLI, as a second process, while the gateway writes.
  child_process cli{OH_BINARY,
                    {"backup", dir.file("cli.db"), "--data-dir", data},
                    {{"OPENHINGE_CONFIG", ""}},
                    dir.file("cli.log")};
  int cli_status = cli.wait();
  while (ok < ok_after_admin + 20)
    std::this_thread::sleep_for(10ms);
  stop = true;
  load.join();
  ASSERT_EQ(backup.status, 200) << backup.body;
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(cli_status, 0) << read_file(dir.file("cli.log"));
  EXPECT_NE(read_file(dir.file("cli.log")).find("integrity check ok"),
            std::string::npos);
  auto answer = parse(backup.body);
  std::string path = answer["path"].GetString();
  EXPECT_EQ(path, data + "/backups/b1.db");
  EXPECT_GT(answer["bytes"].GetInt64(), 0);
  for (auto& copy : {path, dir.file("cli.db")}) {
    store::database db{copy};
    store::statement check{db, "PRAGMA integrity_check"};
    check.step();
    EXPECT_EQ(check.text(0), "ok") << copy;
    store::statement rows{db, "SELECT COUNT(*) FROM usage_logs"};
    rows.step();
    EXPECT_GT(rows.int64(0), 0) << copy;
  }
  // The same name again is refused; a path is never a name.
  EXPECT_EQ(
    gw.admin("POST", "/admin/system/backup", R"({"name":"b1.db"})").status,
    409);
  auto bad = gw.admin("POST", "/admin/system/backup", R"({"name":"../x.db"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"field\":\"name\""), std::string::npos);
  EXPECT_NE(gw.admin("GET", "/admin/audit").body.find("\"action\":\"backup\""),
            std::string::npos);

  // A fresh gateway on the copy (with the same encryption key) has it all.
  std::string fresh = dir.file("fresh");
  std::filesystem::create_directories(fresh);
  std::filesystem::permissions(fresh, std::filesystem::perms::owner_all);
  std::filesystem::copy_file(path, fresh + "/openhinge.db");
  std::filesystem::copy_file(data + "/encryption.key",
                             fresh + "/encryption.key");
  gateway second{fresh};
  auto providers = parse(second.admin("GET", "/admin/providers").body);
  ASSERT_EQ(providers["data"].Size(), 1u);
  EXPECT_STREQ(providers["data"][0]["name"].GetString(), "fake");
  auto chat = http_request(second.port(), "POST", "/v1/chat/completions",
                           R"({"messages":[{"role":"user","content":"hi"}]})",
                           "Authorization: Bearer " + key);
  EXPECT_EQ(chat.status, 200) << chat.body;
}

} // namespace
} // namespace oh::test

namespace oh::test {
namespace {

// The dashboard's overview (SPEC §13.1): the last minutes from the request
// actors' own counters, today's totals from the rollup, the accounts' health.
TEST_F(Logs, OverviewCountsTheTrafficLiveAndForToday) {
  auto before = parse(gw->admin("GET", "/admin/overview").body);
  ASSERT_TRUE(before.HasMember("data")) << json::to_string(before);
  EXPECT_EQ(before["data"]["live"]["requests"].GetInt(), 0);
  EXPECT_TRUE(before["data"]["live"]["latency_p50_ms"].IsNull());
  EXPECT_EQ(before["data"]["series"].Size(), 60u);

  ASSERT_EQ(chat(key_a, "/v1/chat/completions").status, 200); // with fallback
  ASSERT_EQ(chat(key_a, "/v1/chat/completions", "", true).status, 200);
  ASSERT_EQ(chat(key_b, "/v1/chat/completions", " [[fake status=500]]").status,
            502);
  wait_for_rows();

  auto r = gw->admin("GET", "/admin/overview?minutes=5");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r.body);
  auto& d = doc["data"];
  EXPECT_EQ(d["series"].Size(), 5u);
  EXPECT_EQ(d["live"]["requests"].GetInt(), 3);
  EXPECT_EQ(d["live"]["errors"].GetInt(), 1);
  EXPECT_FALSE(d["live"]["latency_p95_ms"].IsNull());
  EXPECT_FALSE(d["live"]["ttft_p50_ms"].IsNull()) << "the stream's first token";
  EXPECT_GT(d["live"]["tokens"].GetInt(), 0);
  EXPECT_EQ(d["today"]["requests"].GetInt(), 3);
  EXPECT_EQ(d["today"]["errors"].GetInt(), 1);
  EXPECT_GT(d["today"]["cost_micros"].GetInt64(), 0);
  EXPECT_EQ(d["open_streams"].GetInt(), 0);
  EXPECT_EQ(d["providers"]["total"].GetInt(), 2);

  EXPECT_EQ(gw->admin("GET", "/admin/overview?minutes=0").status, 400);
  EXPECT_EQ(gw->admin("GET", "/admin/overview?minutes=61").status, 400);
  EXPECT_EQ(http_request(gw->port(), "GET", "/admin/overview", "").status, 401);
}

} // namespace
} // namespace oh::test
