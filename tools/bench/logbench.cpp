// logbench: the request log's write rate and search latency (issue #6 item
// 3). Writes rows exactly as the usage logger does (usage_repo::insert_batch,
// 512 rows per transaction, WAL, FTS and cost_daily maintained), fills the
// table to --rows, then times the queries the log search API issues
// (SPEC §8: newest page, each indexed filter with a time range, request id,
// full-text search, keyset deep page, exact-or-estimated total). Prints one
// JSON object; timings are measurements, never assertions.
//
//   logbench --dir DIR [--rows 10000000] [--rate-rows 200000] [--runs 30]
//            [--ids random|ordered]   (request ids as the gateway makes them,
//                                      64 random bits; or time-ordered)
//            [--setup-sql SQL]        (run after the schema: a pragma or an
//                                      index change under trial)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/statement.hpp"
#include "store/usage_repo.hpp"

namespace {

using namespace oh;
using steady = std::chrono::steady_clock;

double ms_since(steady::time_point t0) {
  return std::chrono::duration<double, std::milli>(steady::now() - t0).count();
}

/// Realistic variety: 50 keys, 8 accounts, 12 souls, 10 models, 3 % errors.
std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(v));
  return buf;
}

struct row_maker {
  std::mt19937_64 rng{42};
  int64_t start_ms = clock::now_ms() - int64_t{30} * 86'400'000; // 30 days ago
  int64_t step_ms = 1;
  int64_t n = 0;
  /// Request ids as the gateway makes them (64 random bits) or, with
  /// --ids ordered, time-ordered (milliseconds and a sequence), to show what
  /// random ids cost the request_id index.
  bool random_ids = true;

  std::string id_for(int64_t i) const {
    if (random_ids) {
      std::mt19937_64 g{static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull};
      return hex16(g());
    }
    return hex16((static_cast<uint64_t>(start_ms + i * step_ms) << 20)
                 | (static_cast<uint64_t>(i) & 0xFFFFF));
  }

  static constexpr const char* models[]
    = {"gpt-4o-mini",      "gpt-4o",           "claude-sonnet-4-6",
       "claude-haiku-4-5", "gemini-2.5-flash", "gemini-2.5-pro",
       "qwen3:8b",         "gpt-4.1",          "o3-mini",
       "claude-opus-4-6"};
  static constexpr const char* errors[]
    = {"openai-main: upstream timeout after 60000 ms",
       "claude-team: the provider answered HTTP 529: Overloaded",
       "rate limit exceeded: 60 requests per minute",
       "gemini: the provider ended the stream before it finished"};

  store::usage_row next() {
    store::usage_row r;
    auto k = rng();
    r.request_id = id_for(n);
    r.created_at = clock::format_iso(start_ms + n * step_ms);
    r.api_key_id = "key" + std::to_string(k % 50);
    r.key_name = "key name " + std::to_string(k % 50);
    if ((k >> 8) % 3 == 0) {
      r.soul_id = "soul" + std::to_string((k >> 12) % 12);
      r.soul_name = "soul-" + std::to_string((k >> 12) % 12);
      r.soul_version = 1;
    }
    r.provider_id = "acct" + std::to_string((k >> 16) % 8);
    r.provider_name = "account " + std::to_string((k >> 16) % 8);
    r.provider_type = "openai";
    r.model = models[(k >> 20) % 10];
    r.model_requested = r.model;
    r.stream = (k >> 24) % 2 == 0;
    if ((k >> 28) % 100 < 3) {
      r.status = "error";
      r.http_status = 502;
      r.error_code = "upstream_failed";
      r.error_message = errors[(k >> 32) % 4];
    }
    r.tokens.input = static_cast<int64_t>((k >> 36) % 4000);
    r.tokens.output = static_cast<int64_t>((k >> 40) % 800);
    r.cost_micros = r.tokens.input * 3 + r.tokens.output * 15;
    r.latency_ms = static_cast<int64_t>((k >> 44) % 5000);
    r.client_ip = "10.0.0." + std::to_string((k >> 50) % 250);
    r.user_agent = "OpenAI/JS 6.30.1";
    r.admitted = r.status == "success";
    ++n;
    return r;
  }
};

double insert(store::database& db, row_maker& maker, int64_t rows) {
  auto t0 = steady::now();
  std::vector<store::usage_row> batch;
  batch.reserve(512);
  for (int64_t i = 0; i < rows; ++i) {
    batch.push_back(maker.next());
    if (batch.size() == 512 || i + 1 == rows) {
      store::usage_repo{db}.insert_batch(batch);
      batch.clear();
    }
  }
  return ms_since(t0);
}

struct timing {
  std::string name;
  std::vector<double> ms;
  int64_t rows_returned = 0;
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  auto i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

} // namespace

int main(int argc, char** argv) {
  std::string dir;
  int64_t total_rows = 10'000'000;
  int64_t rate_rows = 200'000;
  int runs = 30;
  bool random_ids = true;
  std::string setup_sql;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--dir")
      dir = argv[i + 1];
    else if (a == "--rows")
      total_rows = std::stoll(argv[i + 1]);
    else if (a == "--rate-rows")
      rate_rows = std::stoll(argv[i + 1]);
    else if (a == "--runs")
      runs = std::stoi(argv[i + 1]);
    else if (a == "--ids")
      random_ids = std::string{argv[i + 1]} == "random";
    else if (a == "--setup-sql")
      setup_sql = argv[i + 1];
  }
  if (dir.empty()) {
    std::cerr << "usage: logbench --dir DIR [--rows N] [--rate-rows N] "
                 "[--runs N] [--ids ordered|random] [--setup-sql SQL]\n";
    return 2;
  }
  std::filesystem::create_directories(dir);
  auto path = dir + "/logbench.db";
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  store::database db{path};
  if (auto st = store::migrate(db, store::embedded_migrations()); !st) {
    std::cerr << "migrate: " << st.error().message << "\n";
    return 1;
  }
  store::usage_repo::configure_writer(db); // as the usage logger does
  if (!setup_sql.empty())
    db.exec(setup_sql); // a pragma or schema variant under trial
  row_maker maker;
  maker.random_ids = random_ids;
  // Spread the table over 30 days whatever its size.
  maker.step_ms = std::max<int64_t>(1, int64_t{30} * 86'400'000 / total_rows);

  // 1. Write rate on an empty table, as the logger writes.
  rate_rows = std::min(rate_rows, total_rows);
  double write_ms = insert(db, maker, rate_rows);
  double rows_per_s = static_cast<double>(rate_rows) / (write_ms / 1000.0);

  // 2. Fill to the full size, timing the rate at the end too.
  double fill_ms = insert(db, maker, total_rows - rate_rows - rate_rows / 4);
  double late_ms = insert(db, maker, rate_rows / 4);
  double late_rows_per_s
    = static_cast<double>(rate_rows / 4) / (late_ms / 1000.0);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.exec("ANALYZE");

  // 3. The search API's queries, each with fresh random parameters.
  std::mt19937_64 rng{7};
  auto key = [&] {
    return "key" + std::to_string(rng() % 50);
  };
  auto day = [&] {
    // A one-day window somewhere in the 30 days.
    auto d = static_cast<int64_t>(rng() % 29);
    auto from = maker.start_ms + d * 86'400'000;
    return std::pair{clock::format_iso(from),
                     clock::format_iso(from + 86'400'000)};
  };
  const char* cols = "SELECT id, request_id, created_at, api_key_id, soul_id,"
                     " provider_id, model, status, http_status, error_message,"
                     " input_tokens, output_tokens, cost_micros, latency_ms"
                     " FROM usage_logs ";
  std::vector<timing> results;
  auto time_query = [&](const std::string& name,
                        const std::function<void(store::statement&)>& bind,
                        const std::string& sql) {
    timing t{name, {}, 0};
    for (int i = 0; i < runs; ++i) {
      auto t0 = steady::now();
      store::statement st{db, sql};
      bind(st);
      int64_t n = 0;
      while (st.step())
        ++n;
      t.ms.push_back(ms_since(t0));
      t.rows_returned += n;
    }
    results.push_back(std::move(t));
  };
  std::string order = " ORDER BY created_at DESC, id DESC LIMIT 50";
  time_query(
    "newest_page", [](store::statement&) {}, std::string{cols} + order);
  time_query(
    "by_key",
    [&](store::statement& st) {
      st.bind(1, key());
    },
    std::string{cols} + "WHERE api_key_id = ?1" + order);
  time_query(
    "by_provider_one_day",
    [&](store::statement& st) {
      auto [from, to] = day();
      st.bind(1, "acct" + std::to_string(rng() % 8)).bind(2, from).bind(3, to);
    },
    std::string{cols}
      + "WHERE provider_id = ?1 AND created_at >= ?2 AND created_at < ?3"
      + order);
  time_query(
    "errors_newest",
    [](store::statement& st) {
      st.bind(1, std::string{"error"});
    },
    std::string{cols} + "WHERE status = ?1" + order);
  time_query(
    "by_model_one_day",
    [&](store::statement& st) {
      auto [from, to] = day();
      st.bind(1, std::string{row_maker::models[rng() % 10]})
        .bind(2, from)
        .bind(3, to);
    },
    std::string{cols}
      + "WHERE model = ?1 AND created_at >= ?2 AND created_at < ?3" + order);
  time_query(
    "key_and_status_one_day",
    [&](store::statement& st) {
      auto [from, to] = day();
      st.bind(1, key()).bind(2, std::string{"error"}).bind(3, from).bind(4, to);
    },
    std::string{cols}
      + "WHERE api_key_id = ?1 AND status = ?2 AND created_at >= ?3"
        " AND created_at < ?4"
      + order);
  time_query(
    "request_id_exact",
    [&](store::statement& st) {
      st.bind(1, maker.id_for(static_cast<int64_t>(rng() % maker.n)));
    },
    std::string{cols} + "WHERE request_id = ?1");
  time_query(
    "fulltext",
    [&](store::statement& st) {
      const char* words[]
        = {"timeout", "overloaded", "\"rate limit\"", "stream"};
      st.bind(1, std::string{words[rng() % 4]});
    },
    std::string{cols}
      + "WHERE id IN (SELECT rowid FROM usage_logs_fts WHERE usage_logs_fts"
        " MATCH ?1 ORDER BY rowid DESC LIMIT 50) ORDER BY id DESC");
  time_query(
    "keyset_deep_page",
    [&](store::statement& st) {
      // A cursor somewhere in the middle of the table (`after`).
      auto at = static_cast<int64_t>(rng() % maker.n);
      st.bind(1, clock::format_iso(maker.start_ms + at * maker.step_ms))
        .bind(2, at);
    },
    std::string{cols} + "WHERE (created_at, id) < (?1, ?2)" + order);
  time_query(
    "total_capped_10000",
    [&](store::statement& st) {
      st.bind(1, key());
    },
    "SELECT count(*) FROM (SELECT 1 FROM usage_logs WHERE api_key_id = ?1"
    " LIMIT 10001)");

  std::printf("{\"rows\":%lld,\"write_rows_per_s\":%.0f,"
              "\"write_rows_per_s_at_full_size\":%.0f,\"fill_s\":%.1f,"
              "\"db_mib\":%.0f,\"queries\":[",
              static_cast<long long>(maker.n), rows_per_s, late_rows_per_s,
              (write_ms + fill_ms + late_ms) / 1000.0,
              static_cast<double>(std::filesystem::file_size(path))
                / (1024.0 * 1024.0));
  for (size_t i = 0; i < results.size(); ++i) {
    auto& t = results[i];
    std::printf("%s{\"query\":\"%s\",\"p50_ms\":%.2f,\"p95_ms\":%.2f,"
                "\"max_ms\":%.2f,\"rows\":%lld}",
                i > 0 ? "," : "", t.name.c_str(), percentile(t.ms, 0.5),
                percentile(t.ms, 0.95), percentile(t.ms, 1.0),
                static_cast<long long>(t.rows_returned / runs));
  }
  std::printf("]}\n");
  return 0;
}
