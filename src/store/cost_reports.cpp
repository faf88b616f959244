#include "store/cost_reports.hpp"

#include "core/json.hpp"
#include "store/statement.hpp"

namespace oh::store {

namespace {

std::string cents(int64_t micros) {
  return json::to_string(json::value(static_cast<double>(micros) / 10'000.0));
}

/// `{"data":[…]}` with one object per result row, written by `row`.
template<class Row>
std::string data_list(statement& st, Row&& row) {
  std::string out = "{\"data\":[";
  bool first = true;
  while (st.step()) {
    if (!first)
      out += ",";
    first = false;
    row(out);
  }
  return out + "]}";
}

} // namespace

std::string cost_by_day(database& db, const day_range& days) {
  // Every row has one key total (possibly the '' key): their sum is the day.
  statement st{db, "SELECT date, SUM(requests), SUM(input_tokens),"
                   " SUM(output_tokens), SUM(cost_micros) FROM usage_daily"
                   " WHERE dimension = 'key' AND date >= ?1 AND date <= ?2"
                   " GROUP BY date ORDER BY date DESC"};
  st.bind(1, days.from).bind(2, days.to);
  return data_list(st, [&](std::string& out) {
    out += "{\"date\":";
    json::append_quoted(out, st.text(0));
    out += ",\"requests\":" + std::to_string(st.int64(1))
           + ",\"input_tokens\":" + std::to_string(st.int64(2))
           + ",\"output_tokens\":" + std::to_string(st.int64(3))
           + ",\"cost_cents\":" + cents(st.int64(4))
           + ",\"cost_micros\":" + std::to_string(st.int64(4)) + "}";
  });
}

std::string cost_by_soul(database& db, const day_range& days) {
  statement st{db, "SELECT s.id, s.name, s.slug, SUM(d.requests),"
                   " SUM(d.cost_micros) FROM usage_daily d"
                   " JOIN souls s ON s.id = d.value"
                   " WHERE d.dimension = 'soul' AND d.date >= ?1"
                   " AND d.date <= ?2"
                   " GROUP BY s.id ORDER BY SUM(d.cost_micros) DESC, s.name"};
  st.bind(1, days.from).bind(2, days.to);
  return data_list(st, [&](std::string& out) {
    out += "{\"soul_id\":";
    json::append_quoted(out, st.text(0));
    out += ",\"soul_name\":";
    json::append_quoted(out, st.text(1));
    out += ",\"slug\":";
    json::append_quoted(out, st.text(2));
    out += ",\"requests\":" + std::to_string(st.int64(3))
           + ",\"cost_cents\":" + cents(st.int64(4))
           + ",\"cost_micros\":" + std::to_string(st.int64(4)) + "}";
  });
}

std::string cost_by(database& db, cost_group group, const day_range& days) {
  // From the daily rollup: a few rows per day and group, not the log. The
  // group's name comes from the current rows (a deleted key or account
  // keeps its id; its name is then null).
  const char* dimension = "key";
  const char* name_sql = "(SELECT name FROM api_keys WHERE id = d.value)";
  const char* id_name = "api_key_id";
  if (group == cost_group::provider) {
    dimension = "provider";
    name_sql = "(SELECT name FROM providers WHERE id = d.value)";
    id_name = "provider_id";
  } else if (group == cost_group::model) {
    dimension = "model";
    name_sql = "d.value";
    id_name = "model";
  }
  std::string sql
    = std::string{"SELECT NULLIF(d.value, ''), "} + name_sql
      + ", SUM(d.requests), SUM(d.errors), SUM(d.input_tokens),"
        " SUM(d.output_tokens), SUM(d.cache_read_tokens),"
        " SUM(d.cache_write_tokens), SUM(d.reasoning_tokens),"
        " SUM(d.cost_micros) FROM usage_daily d"
        " WHERE d.dimension = ?3 AND d.date >= ?1 AND d.date <= ?2"
        " GROUP BY d.value ORDER BY SUM(d.cost_micros) DESC,"
        " SUM(d.requests) DESC";
  statement st{db, sql};
  st.bind(1, days.from).bind(2, days.to).bind(3, dimension);
  return data_list(st, [&](std::string& out) {
    out += "{\"";
    out += id_name;
    out += "\":";
    if (auto id = st.opt_text(0))
      json::append_quoted(out, *id);
    else
      out += "null";
    out += ",\"name\":";
    if (auto name = st.opt_text(1))
      json::append_quoted(out, *name);
    else
      out += "null";
    out += ",\"requests\":" + std::to_string(st.int64(2))
           + ",\"errors\":" + std::to_string(st.int64(3))
           + ",\"input_tokens\":" + std::to_string(st.int64(4))
           + ",\"output_tokens\":" + std::to_string(st.int64(5))
           + ",\"cache_read_tokens\":" + std::to_string(st.int64(6))
           + ",\"cache_write_tokens\":" + std::to_string(st.int64(7))
           + ",\"reasoning_tokens\":" + std::to_string(st.int64(8))
           + ",\"cost_micros\":" + std::to_string(st.int64(9))
           + ",\"cost_cents\":" + cents(st.int64(9)) + "}";
  });
}

} // namespace oh::store
