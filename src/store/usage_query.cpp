#include "store/usage_query.hpp"

#include <charconv>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "store/statement.hpp"

namespace oh::store {

namespace {

/// The row as the admin API shows it; `u` is usage_logs, the names come
/// from the current souls, accounts and keys (a deleted one shows null).
constexpr const char* row_columns
  = "u.id, u.request_id, u.client_request_id, u.created_at, u.api_key_id,"
    " u.soul_id, u.soul_version, u.provider_id, u.provider_type, u.endpoint,"
    " u.stream, u.model_requested, u.model, u.status, u.http_status,"
    " u.error_code, u.error_message, u.input_tokens, u.output_tokens,"
    " u.cache_read_tokens, u.cache_write_tokens, u.reasoning_tokens,"
    " u.cost_micros, u.cost_cents, u.latency_ms, u.ttft_ms, u.attempts,"
    " u.client_ip, u.user_agent, s.name, s.slug, p.name, k.name";

constexpr const char* name_joins
  = " LEFT JOIN souls s ON s.id = u.soul_id"
    " LEFT JOIN providers p ON p.id = u.provider_id"
    " LEFT JOIN api_keys k ON k.id = u.api_key_id";
constexpr const char* logs_from = " FROM usage_logs u";
/// A word search starts from the full-text index, newest entry first (FTS5
/// walks its rowids in either order without sorting), then joins the rows.
constexpr const char* fts_from
  = " FROM usage_logs_fts f JOIN usage_logs u ON u.id = f.rowid";

bool is_text_search(const log_query& q);

/// Where a search reads from and in which order; shared by the page query
/// and the export so both walk the rows the same way.
struct row_order {
  std::string from;   // the FROM clause, before the name joins
  std::string column; // the sort column
  const char* dir;    // ASC | DESC
  std::string clause; // " ORDER BY …" with the id as tie-break
};

void put_text(std::string& out, const char* name,
              const std::optional<std::string>& v) {
  out += ",\"";
  out += name;
  out += "\":";
  if (v)
    json::append_quoted(out, *v);
  else
    out += "null";
}

void put_int(std::string& out, const char* name,
             const std::optional<int64_t>& v) {
  out += ",\"";
  out += name;
  out += "\":";
  out += v ? std::to_string(*v) : "null";
}

std::string row_json(const statement& st) {
  std::string out = "{\"id\":" + std::to_string(st.int64(0));
  put_text(out, "request_id", st.opt_text(1));
  put_text(out, "client_request_id", st.opt_text(2));
  put_text(out, "created_at", st.opt_text(3));
  put_text(out, "api_key_id", st.opt_text(4));
  put_text(out, "soul_id", st.opt_text(5));
  put_int(out, "soul_version", st.opt_int64(6));
  put_text(out, "provider_id", st.opt_text(7));
  put_text(out, "provider_type", st.opt_text(8));
  put_text(out, "endpoint", st.opt_text(9));
  out += ",\"stream\":";
  out += st.int64(10) != 0 ? "true" : "false";
  put_text(out, "model_requested", st.opt_text(11));
  put_text(out, "model", st.opt_text(12));
  put_text(out, "status", st.opt_text(13));
  put_int(out, "http_status", st.opt_int64(14));
  put_text(out, "error_code", st.opt_text(15));
  put_text(out, "error_message", st.opt_text(16));
  put_int(out, "input_tokens", st.int64(17));
  put_int(out, "output_tokens", st.int64(18));
  put_int(out, "cache_read_tokens", st.int64(19));
  put_int(out, "cache_write_tokens", st.int64(20));
  put_int(out, "reasoning_tokens", st.int64(21));
  put_int(out, "cost_micros", st.int64(22));
  out += ",\"cost_cents\":" + json::to_string(json::value(st.real(23)));
  put_int(out, "latency_ms", st.int64(24));
  put_int(out, "ttft_ms", st.opt_int64(25));
  // Attempts are JSON the gateway wrote; anything else is shown as none.
  auto attempts = st.opt_text(26).value_or("[]");
  auto parsed = json::parse(attempts);
  out += ",\"attempts\":";
  out += parsed && parsed->IsArray() ? attempts : "[]";
  put_text(out, "client_ip", st.opt_text(27));
  put_text(out, "user_agent", st.opt_text(28));
  put_text(out, "soul_name", st.opt_text(29));
  put_text(out, "soul_slug", st.opt_text(30));
  put_text(out, "provider_name", st.opt_text(31));
  put_text(out, "key_name", st.opt_text(32));
  return out + "}";
}

const char* sort_column(log_sort s) {
  switch (s) {
    case log_sort::latency_ms:
      return "u.latency_ms";
    case log_sort::cost:
      return "u.cost_micros";
    case log_sort::tokens:
      return "(u.input_tokens + u.output_tokens)";
    case log_sort::created_at:
      break;
  }
  return "u.created_at";
}

bool is_request_id(std::string_view s) {
  if (s.size() != 16)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

/// Words for FTS5 as quoted phrases (ANDed): no query syntax reaches it.
std::string fts_phrases(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    size_t start = i;
    while (i < text.size()
           && !std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    if (i == start)
      break;
    if (!out.empty())
      out += ' ';
    out += '"';
    for (char c : text.substr(start, i - start)) {
      if (c == '"')
        out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

/// The WHERE clause and its values, in bind order.
struct where_clause {
  std::string sql;
  std::vector<std::string> texts; // bound as text or, for ints, parsed back
  std::vector<bool> is_int;

  void add(const std::string& condition, std::string value, bool integer) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += condition;
    texts.push_back(std::move(value));
    is_int.push_back(integer);
  }
  void bind(statement& st) const {
    for (size_t i = 0; i < texts.size(); ++i) {
      int at = static_cast<int>(i) + 1;
      if (is_int[i])
        st.bind(at, static_cast<int64_t>(std::stoll(texts[i])));
      else
        st.bind(at, texts[i]);
    }
  }
};

where_clause filters_of(const log_query& q) {
  where_clause w;
  auto eq = [&](const char* column, const std::optional<std::string>& v) {
    if (v)
      w.add(std::string{column} + " = ?" + std::to_string(w.texts.size() + 1),
            *v, false);
  };
  eq("u.soul_id", q.soul_id);
  eq("u.provider_id", q.provider_id);
  eq("u.api_key_id", q.api_key_id);
  eq("u.status", q.status);
  eq("u.model", q.model);
  eq("u.endpoint", q.endpoint);
  auto next = [&] {
    return "?" + std::to_string(w.texts.size() + 1);
  };
  if (q.stream)
    w.add("u.stream = " + next(), *q.stream ? "1" : "0", true);
  if (q.min_latency_ms)
    w.add("u.latency_ms >= " + next(), std::to_string(*q.min_latency_ms), true);
  if (q.since_id)
    w.add("u.id > " + next(), std::to_string(*q.since_id), true);
  if (q.from)
    w.add("u.created_at >= " + next(), *q.from, false);
  if (q.to)
    w.add("u.created_at < " + next(), *q.to, false);
  if (q.search && !q.search->empty()) {
    if (is_request_id(*q.search))
      w.add("u.request_id = " + next(), *q.search, false);
    else if (auto phrases = fts_phrases(*q.search); !phrases.empty())
      w.add("usage_logs_fts MATCH " + next(), phrases, false);
  }
  return w;
}

std::string check_of(std::string_view payload) {
  return crypto::sha256_hex(std::string{"oh-log-cursor:"}
                            + std::string{payload})
    .substr(0, 12);
}

char sort_code(log_sort s) {
  return static_cast<char>('a' + static_cast<int>(s));
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    auto r = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (r.ec != std::errc{} || r.ptr != hex.data() + i + 2)
      return std::nullopt;
    out += static_cast<char>(v);
  }
  return out;
}

bool is_text_search(const log_query& q) {
  return q.search && !q.search->empty() && !is_request_id(*q.search)
         && !fts_phrases(*q.search).empty();
}

row_order order_of(const log_query& q) {
  row_order o;
  bool text = is_text_search(q);
  o.from = text ? fts_from : logs_from;
  // Word searches newest first go by the index's own order (rows are
  // written in time order, so the row id is the time order) instead of
  // sorting every match.
  o.column = text && q.sort == log_sort::created_at
               ? std::string{"f.rowid"}
               : std::string{sort_column(q.sort)};
  o.dir = q.descending ? "DESC" : "ASC";
  if (q.since_id) {
    // A tail (`logs --follow`): the new rows by the primary key, oldest
    // first, so each poll reads only what was written since the last.
    o.column = "u.id";
    o.dir = "ASC";
    o.clause = " ORDER BY u.id ASC";
    return o;
  }
  // The id breaks ties, unless it is the order already (a second term would
  // keep FTS5 from giving rows in its own order).
  o.clause = " ORDER BY " + o.column + " " + o.dir;
  if (o.column != "f.rowid")
    o.clause += std::string{", u.id "} + o.dir;
  return o;
}

} // namespace

std::optional<log_sort> parse_log_sort(std::string_view name) {
  if (name == "created_at" || name == "time" || name == "date")
    return log_sort::created_at;
  if (name == "latency_ms" || name == "latency")
    return log_sort::latency_ms;
  if (name == "cost" || name == "cost_cents" || name == "cost_micros")
    return log_sort::cost;
  if (name == "tokens")
    return log_sort::tokens;
  return std::nullopt;
}

std::string encode_cursor(const log_cursor& c, log_sort sort, bool descending) {
  std::string payload;
  payload += sort_code(sort);
  payload += descending ? 'd' : 'a';
  payload += std::to_string(c.id) + "|" + c.value;
  auto hex = crypto::to_hex(reinterpret_cast<const uint8_t*>(payload.data()),
                            payload.size());
  return hex + check_of(payload);
}

expected<log_cursor> decode_cursor(std::string_view text, log_sort sort,
                                   bool descending) {
  auto refused = [](const char* why) {
    return failure{errc::invalid_value, std::string{"after: "} + why, "after"};
  };
  if (text.size() < 12 + 8 || text.size() > 600)
    return refused("not a cursor of this search");
  auto payload = from_hex(text.substr(0, text.size() - 12));
  if (!payload || check_of(*payload) != text.substr(text.size() - 12))
    return refused("not a cursor of this search");
  auto& p = *payload;
  if (p.size() < 4 || p[0] != sort_code(sort)
      || p[1] != (descending ? 'd' : 'a'))
    return refused("the cursor belongs to another sort order");
  auto bar = p.find('|', 2);
  if (bar == std::string::npos)
    return refused("not a cursor of this search");
  log_cursor c;
  auto r = std::from_chars(p.data() + 2, p.data() + bar, c.id);
  if (r.ec != std::errc{} || r.ptr != p.data() + bar)
    return refused("not a cursor of this search");
  c.value = p.substr(bar + 1);
  return c;
}

log_page search_logs(database& db, const log_query& q) {
  auto w = filters_of(q);
  auto order = order_of(q);
  const auto& from = order.from;
  log_page page;
  // The total: counted exactly up to the limit, estimated beyond it.
  {
    std::string sql = "SELECT COUNT(*) FROM (SELECT 1" + from + w.sql
                      + " LIMIT " + std::to_string(exact_total_limit + 1) + ")";
    statement st{db, sql};
    w.bind(st);
    st.step();
    page.total = st.int64(0);
    if (page.total > exact_total_limit) {
      page.total_is_estimate = true;
      // Unfiltered, the id range is close (retention removes the oldest);
      // filtered, the limit is what is known: at least that many.
      if (w.texts.empty()) {
        // Two lookups at the ends of the rowid tree (one query with both
        // aggregates reads the whole table: 2.4 s at 10 M rows).
        statement range{db, "SELECT (SELECT MAX(id) FROM usage_logs)"
                            " - (SELECT MIN(id) FROM usage_logs) + 1"};
        range.step();
        page.total = std::max(range.int64(0), exact_total_limit + 1);
      }
    }
  }
  const auto& column = order.column;
  const char* beyond = q.descending ? "<" : ">";
  auto keyset = w;
  if (q.after) {
    auto a = std::to_string(keyset.texts.size() + 1);
    auto b = std::to_string(keyset.texts.size() + 2);
    bool integer = column != "u.created_at";
    // A range on the sort column the indexes can use, then the tie-break.
    std::string or_equal = std::string{beyond} + "=";
    keyset.add(column + " " + or_equal + " ?" + a + " AND (" + column + " "
                 + beyond + " ?" + a + " OR u.id " + beyond + " ?" + b + ")",
               q.after->value, integer);
    keyset.texts.push_back(std::to_string(q.after->id));
    keyset.is_int.push_back(true);
  }
  std::string sql = std::string{"SELECT "} + row_columns + ", " + column + from
                    + name_joins + keyset.sql + order.clause + " LIMIT "
                    + std::to_string(q.per_page + 1);
  if (!q.after && q.page > 1)
    sql += " OFFSET " + std::to_string((q.page - 1) * q.per_page);
  statement st{db, sql};
  keyset.bind(st);
  std::optional<log_cursor> last;
  while (st.step()) {
    if (static_cast<int64_t>(page.rows.size()) == q.per_page) {
      // One row more than the page: there is a next page.
      page.next = encode_cursor(*last, q.sort, q.descending);
      break;
    }
    page.rows.push_back(row_json(st));
    last = log_cursor{st.text(33), st.int64(0)};
  }
  return page;
}

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
}

namespace {

/// Columns of a CSV export, in the order of row_columns.
constexpr const char* csv_names[] = {"id",
                                     "request_id",
                                     "client_request_id",
                                     "created_at",
                                     "api_key_id",
                                     "soul_id",
                                     "soul_version",
                                     "provider_id",
                                     "provider_type",
                                     "endpoint",
                                     "stream",
                                     "model_requested",
                                     "model",
                                     "status",
                                     "http_status",
                                     "error_code",
                                     "error_message",
                                     "input_tokens",
                                     "output_tokens",
                                     "cache_read_tokens",
                                     "cache_write_tokens",
                                     "reasoning_tokens",
                                     "cost_micros",
                                     "cost_cents",
                                     "latency_ms",
                                     "ttft_ms",
                                     "attempts",
                                     "client_ip",
                                     "user_agent",
                                     "soul_name",
                                     "soul_slug",
                                     "provider_name",
                                     "key_name"};

void append_csv_record(std::string& out, const statement& st) {
  for (int col = 0; col < 33; ++col) {
    if (col > 0)
      out += ',';
    if (st.is_null(col))
      continue; // empty field
    append_csv_field(out, st.text(col));
  }
  out += "\r\n";
}

} // namespace

std::string csv_header() {
  std::string out;
  for (size_t i = 0; i < std::size(csv_names); ++i) {
    if (i > 0)
      out += ',';
    out += csv_names[i];
  }
  return out + "\r\n";
}

void export_logs(database& db, const log_query& q, export_format format,
                 const std::function<bool(std::string_view)>& emit) {
  auto w = filters_of(q);
  auto order = order_of(q);
  statement st{db, std::string{"SELECT "} + row_columns + order.from
                     + name_joins + w.sql + order.clause};
  w.bind(st);
  std::string line;
  while (st.step()) {
    line.clear();
    if (format == export_format::csv) {
      append_csv_record(line, st);
    } else {
      line = row_json(st);
      line += '\n';
    }
    if (!emit(line))
      return;
  }
}

std::vector<std::string> newest_logs(database& db, int64_t limit) {
  statement st{db, std::string{"SELECT "} + row_columns + logs_from + name_joins
                     + " ORDER BY u.created_at DESC, u.id DESC LIMIT ?1"};
  st.bind(1, limit);
  std::vector<std::string> out;
  while (st.step())
    out.push_back(row_json(st));
  return out;
}

std::optional<std::string> log_detail(database& db,
                                      std::string_view request_id) {
  statement st{db, std::string{"SELECT "} + row_columns + logs_from + name_joins
                     + " WHERE u.request_id = ?1 ORDER BY u.id DESC LIMIT 1"};
  st.bind(1, request_id);
  if (!st.step())
    return std::nullopt;
  return row_json(st);
}

} // namespace oh::store
