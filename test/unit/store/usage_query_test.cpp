// The log search's pure parts (cursors, CSV fields, parameters) and its
// query plans: every filter the dashboard uses reaches an index.

#include "store/usage_query.hpp"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "http/handlers/admin_logs.hpp"
#include "store/migrations.hpp"
#include "store/statement.hpp"
#include "support/temp_dir.hpp"

namespace oh::store {
namespace {

TEST(LogCursor, RoundTripsAndRefusesChangesAndOtherOrders) {
  log_cursor c{"2026-12-01T10:00:00.123Z", 4242};
  auto text = encode_cursor(c, log_sort::created_at, true);
  auto back = decode_cursor(text, log_sort::created_at, true);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->value, c.value);
  EXPECT_EQ(back->id, 4242);
  for (size_t i = 0; i < text.size(); ++i) {
    auto changed = text;
    changed[i] = changed[i] == 'a' ? 'b' : 'a';
    auto r = decode_cursor(changed, log_sort::created_at, true);
    EXPECT_FALSE(r) << "changed at " << i;
    if (!r)
      EXPECT_EQ(r.error().field, "after");
  }
  EXPECT_FALSE(decode_cursor(text, log_sort::created_at, false));
  EXPECT_FALSE(decode_cursor(text, log_sort::latency_ms, true));
  EXPECT_FALSE(decode_cursor("", log_sort::created_at, true));
  EXPECT_FALSE(
    decode_cursor(std::string(5000, 'a'), log_sort::created_at, true));
}

TEST(LogExport, CsvFieldsAreQuotedPerRfc4180) {
  auto field = [](std::string_view s) {
    std::string out;
    append_csv_field(out, s);
    return out;
  };
  EXPECT_EQ(field("plain"), "plain");
  EXPECT_EQ(field("a,b"), "\"a,b\"");
  EXPECT_EQ(field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(field(""), "");
  EXPECT_EQ(csv_header().substr(0, 14), "id,request_id,");
  EXPECT_TRUE(csv_header().ends_with("key_name\r\n"));
}

TEST(LogQueryParameters, DatesInBothFormsAndWholeDays) {
  using http::handlers::read_log_query;
  auto q = read_log_query("from=2026-12-01%2010:30:00&to=2026-12-02");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->from, "2026-12-01T10:30:00.000Z");
  EXPECT_EQ(*q->to, "2026-12-03T00:00:00.000Z") << "a date as `to` is the "
                                                   "whole day";
  auto iso = read_log_query("from=2026-12-01T10:30:00%2B02:00");
  ASSERT_TRUE(iso);
  EXPECT_EQ(*iso->from, "2026-12-01T08:30:00.000Z");
  EXPECT_EQ(read_log_query("from=12/01/2026").error().field, "from");
  EXPECT_EQ(read_log_query("per_page=0").error().field, "per_page");
  auto limit = read_log_query("limit=7");
  ASSERT_TRUE(limit);
  EXPECT_EQ(limit->per_page, 7);
  auto days = http::handlers::read_day_range("days=7", 1'764'700'000'000);
  ASSERT_TRUE(days);
  EXPECT_EQ(days->to, "2025-12-02");
  EXPECT_EQ(days->from, "2025-11-26");
}

/// The plan SQLite chooses for a search, as one line of text.
std::string plan_of(database& db, const log_query& q) {
  // The statement the search runs, explained: search_logs is run through
  // SQLite's own trace of the statements it prepares.
  std::string plans;
  sqlite3_trace_v2(
    db.handle(), SQLITE_TRACE_STMT,
    [](unsigned, void* ctx, void* stmt, void*) -> int {
      auto* out = static_cast<std::string*>(ctx);
      char* sql = sqlite3_expanded_sql(static_cast<sqlite3_stmt*>(stmt));
      if (sql != nullptr) {
        *out += sql;
        *out += "\n";
        sqlite3_free(sql);
      }
      return 0;
    },
    &plans);
  (void)search_logs(db, q);
  sqlite3_trace_v2(db.handle(), 0, nullptr, nullptr);
  std::string out;
  size_t at = 0;
  while (at < plans.size()) {
    auto end = plans.find('\n', at);
    auto sql = plans.substr(at, end - at);
    at = end + 1;
    if (sql.find("usage_logs u") == std::string::npos
        || sql.starts_with("SELECT COUNT(*) FROM (SELECT 1"))
      continue; // the page query only
    statement st{db, "EXPLAIN QUERY PLAN " + sql};
    while (st.step())
      out += st.text(3) + "; ";
  }
  return out;
}

TEST(LogQueryPlans, EveryDashboardFilterUsesAnIndex) {
  test::temp_dir dir;
  database db{dir.file("oh.db")};
  ASSERT_TRUE(migrate(db, embedded_migrations()));
  db.exec("ANALYZE");
  auto day = [](log_query q) {
    q.from = "2026-12-01T00:00:00.000Z";
    q.to = "2026-12-02T00:00:00.000Z";
    return q;
  };
  std::vector<std::pair<std::string, log_query>> shapes;
  shapes.emplace_back("newest", log_query{});
  log_query by_key;
  by_key.api_key_id = "k";
  shapes.emplace_back("key", by_key);
  shapes.emplace_back("key+day", day(by_key));
  log_query by_soul;
  by_soul.soul_id = "s";
  shapes.emplace_back("soul+day", day(by_soul));
  log_query by_provider;
  by_provider.provider_id = "p";
  shapes.emplace_back("provider+day", day(by_provider));
  log_query by_status;
  by_status.status = "error";
  shapes.emplace_back("status", by_status);
  shapes.emplace_back("status+day", day(by_status));
  log_query by_model;
  by_model.model = "gpt-4o";
  shapes.emplace_back("model+day", day(by_model));
  shapes.emplace_back("day", day(log_query{}));
  log_query by_id;
  by_id.search = "0123456789abcdef";
  shapes.emplace_back("request id", by_id);
  log_query words;
  words.search = "upstream timeout";
  shapes.emplace_back("words", words);
  shapes.emplace_back("key+status+day", [&] {
    log_query q;
    q.api_key_id = "k";
    q.status = "error";
    return day(q);
  }());
  log_query cursor;
  cursor.after = log_cursor{"2026-12-01T00:00:00.000Z", 5};
  shapes.emplace_back("cursor", cursor);
  log_query tail;
  tail.since_id = 5;
  tail.descending = false;
  shapes.emplace_back("since id", tail);
  for (auto& [name, q] : shapes) {
    auto plan = plan_of(db, q);
    EXPECT_FALSE(plan.empty()) << name;
    // A walk of an index in the page's order is fine (it stops after the
    // page); a walk of the table, or sorting what was found, is not.
    EXPECT_EQ(plan.find("SCAN u; "), std::string::npos) << name << ": " << plan;
    if (name != "request id") // one row: nothing to sort
      EXPECT_EQ(plan.find("USE TEMP B-TREE FOR ORDER BY"), std::string::npos)
        << name << ": " << plan;
    // Every filter finds its rows through an index, not by walking one.
    if (name == "words" || name == "since id") // rows by their id
      EXPECT_NE(plan.find("SEARCH u USING INTEGER PRIMARY KEY"),
                std::string::npos)
        << plan;
    else if (name != "newest")
      EXPECT_NE(plan.find("SEARCH u USING INDEX"), std::string::npos)
        << name << ": " << plan;
    if (name == "key+status+day")
      EXPECT_NE(plan.find("idx_usage_key_status"), std::string::npos) << plan;
  }
}

} // namespace
} // namespace oh::store
