// logbench: the request log's write rate and search latency (issue #6 item
// 3). Writes rows exactly as the usage logger does (usage_repo::insert_batch,
// 512 rows per transaction, WAL, FTS and the daily rollups maintained),
// fills the table to --rows, then times the log API's own functions
// (store/usage_query, store/cost_reports — not copies of their SQL): the
// newest page, each filter alone and with a day, request id, full text, a
// deep cursor page (each with its capped total), one request's detail, each
// cost report over 30 days; and the export's rows/s and resident-memory
// growth in both formats. Prints one JSON object; timings are measurements,
// never assertions.
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

#include <unistd.h>

#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/statement.hpp"
#include "store/cost_reports.hpp"
#include "store/usage_query.hpp"
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
  // --reuse 1: time the queries on a table an earlier run filled (same
  // --rows and --ids), after applying any new migrations to it.
  bool reuse = false;
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
    else if (a == "--reuse")
      reuse = std::string{argv[i + 1]} == "1";
  }
  if (dir.empty()) {
    std::cerr << "usage: logbench --dir DIR [--rows N] [--rate-rows N] "
                 "[--runs N] [--ids ordered|random] [--setup-sql SQL]\n";
    return 2;
  }
  std::filesystem::create_directories(dir);
  auto path = dir + "/logbench.db";
  if (!reuse) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
  }
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

  double write_ms = 0, fill_ms = 0, late_ms = 0;
  double rows_per_s = 0, late_rows_per_s = 0;
  if (reuse) {
    store::statement count{db, "SELECT COUNT(*), MIN(created_at)"
                               " FROM usage_logs"};
    count.step();
    maker.n = count.int64(0);
    maker.start_ms = clock::parse_timestamp(count.text(1)).value_or(0);
  } else {
    // 1. Write rate on an empty table, as the logger writes.
    rate_rows = std::min(rate_rows, total_rows);
    write_ms = insert(db, maker, rate_rows);
    rows_per_s = static_cast<double>(rate_rows) / (write_ms / 1000.0);

    // 2. Fill to the full size, timing the rate at the end too.
    fill_ms = insert(db, maker, total_rows - rate_rows - rate_rows / 4);
    late_ms = insert(db, maker, rate_rows / 4);
    late_rows_per_s = static_cast<double>(rate_rows / 4) / (late_ms / 1000.0);
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.exec("ANALYZE");

  // 3. The log API's own functions (store/usage_query, store/cost_reports:
  // what GET /admin/cost/logs/query, /admin/logs/{id}, the exports and the
  // cost reports run), each with fresh random parameters.
  std::mt19937_64 rng{7};
  auto key = [&] {
    return "key" + std::to_string(rng() % 50);
  };
  auto day = [&](store::log_query q) {
    // A one-day window somewhere in the 30 days.
    auto d = static_cast<int64_t>(rng() % 29);
    auto from = maker.start_ms + d * 86'400'000;
    q.from = clock::format_iso(from);
    q.to = clock::format_iso(from + 86'400'000);
    return q;
  };
  std::vector<timing> results;
  auto time_it
    = [&](const std::string& name, const std::function<int64_t()>& run) {
        timing t{name, {}, 0};
        for (int i = 0; i < runs; ++i) {
          auto t0 = steady::now();
          t.rows_returned += run();
          t.ms.push_back(ms_since(t0));
        }
        results.push_back(std::move(t));
      };
  auto search = [&](const std::string& name,
                    const std::function<store::log_query()>& make) {
    time_it(name, [&] {
      auto q = make();
      return static_cast<int64_t>(store::search_logs(db, q).rows.size());
    });
  };
  using store::log_query;
  search("newest_page", [] {
    return log_query{};
  });
  search("by_key", [&] {
    log_query q;
    q.api_key_id = key();
    return q;
  });
  search("by_key_one_day", [&] {
    log_query q;
    q.api_key_id = key();
    return day(q);
  });
  search("by_soul_one_day", [&] {
    log_query q;
    q.soul_id = "soul" + std::to_string(rng() % 12);
    return day(q);
  });
  search("by_provider_one_day", [&] {
    log_query q;
    q.provider_id = "acct" + std::to_string(rng() % 8);
    return day(q);
  });
  search("errors_newest", [] {
    log_query q;
    q.status = "error";
    return q;
  });
  search("errors_one_day", [&] {
    log_query q;
    q.status = "error";
    return day(q);
  });
  search("by_model_one_day", [&] {
    log_query q;
    q.model = row_maker::models[rng() % 10];
    return day(q);
  });
  search("one_day", [&] {
    return day(log_query{});
  });
  search("key_and_status_one_day", [&] {
    log_query q;
    q.api_key_id = key();
    q.status = "error";
    return day(q);
  });
  search("request_id_exact", [&] {
    log_query q;
    q.search = maker.id_for(static_cast<int64_t>(rng() % maker.n));
    return q;
  });
  search("fulltext", [&] {
    const char* words[] = {"timeout", "overloaded", "rate limit", "stream"};
    log_query q;
    q.search = words[rng() % 4];
    return q;
  });
  search("keyset_deep_page", [&] {
    // A cursor somewhere in the middle of the table (`after`).
    auto at = static_cast<int64_t>(rng() % maker.n);
    log_query q;
    q.after = store::log_cursor{
      clock::format_iso(maker.start_ms + at * maker.step_ms), at};
    return q;
  });
  time_it("request_detail", [&] {
    return store::log_detail(
             db, maker.id_for(static_cast<int64_t>(rng() % maker.n)))
             ? 1
             : 0;
  });
  store::day_range month{
    clock::format_iso(maker.start_ms).substr(0, 10),
    clock::format_iso(maker.start_ms + int64_t{30} * 86'400'000).substr(0, 10)};
  time_it("report_by_day_30d", [&] {
    return static_cast<int64_t>(store::cost_by_day(db, month).size());
  });
  time_it("report_by_soul_30d", [&] {
    return static_cast<int64_t>(store::cost_by_soul(db, month).size());
  });
  for (auto [name, group] :
       {std::pair{"report_by_key_30d", store::cost_group::key},
        std::pair{"report_by_provider_30d", store::cost_group::provider},
        std::pair{"report_by_model_30d", store::cost_group::model}})
    time_it(name, [&, group = group] {
      return static_cast<int64_t>(store::cost_by(db, group, month).size());
    });

  // 4. Export: rows per second and what it adds to resident memory, over
  // one key's rows (a fiftieth of the table) in both formats.
  auto resident_kib = [] {
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
      std::fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
  };
  struct export_figure {
    const char* format;
    int64_t rows = 0;
    double rows_per_s = 0;
    long rss_growth_kib = 0;
  };
  std::vector<export_figure> exports;
  for (auto format :
       {store::export_format::csv, store::export_format::ndjson}) {
    export_figure e{format == store::export_format::csv ? "csv" : "ndjson"};
    log_query q;
    q.api_key_id = "key7";
    auto before = resident_kib();
    long peak = before;
    size_t bytes = 0;
    auto t0 = steady::now();
    store::export_logs(db, q, format, [&](std::string_view line) {
      bytes += line.size(); // as a client reading at full speed
      if (++e.rows % 10'000 == 0)
        peak = std::max(peak, resident_kib());
      return true;
    });
    e.rows_per_s = static_cast<double>(e.rows) / (ms_since(t0) / 1000.0);
    e.rss_growth_kib = std::max(peak, resident_kib()) - before;
    exports.push_back(e);
  }

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
  std::printf("],\"exports\":[");
  for (size_t i = 0; i < exports.size(); ++i)
    std::printf("%s{\"format\":\"%s\",\"rows\":%lld,\"rows_per_s\":%.0f,"
                "\"rss_growth_kib\":%ld}",
                i > 0 ? "," : "", exports[i].format,
                static_cast<long long>(exports[i].rows), exports[i].rows_per_s,
                exports[i].rss_growth_kib);
  std::printf("]}\n");
  return 0;
}
