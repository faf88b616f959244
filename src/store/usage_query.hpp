#pragma once

// The request log's read side (SPEC §8): the search behind
// GET /admin/cost/logs/query, one request's detail, and keyset cursors.
// Every filter is bound, never spliced into SQL; every filter combines with
// the created_at indexes of migration 002.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "store/database.hpp"

namespace oh::store {

/// The column a search orders by (then by id, so every order is total).
enum class log_sort : uint8_t { created_at, latency_ms, cost, tokens };

/// Where the previous page ended: the sort column's value and the row id.
struct log_cursor {
  std::string value; // created_at text, or an integer as decimal text
  int64_t id = 0;
};

struct log_query {
  std::optional<std::string> soul_id;
  std::optional<std::string> provider_id;
  std::optional<std::string> api_key_id;
  std::optional<std::string> status;
  std::optional<std::string> model;
  std::optional<std::string> endpoint;
  std::optional<bool> stream;
  std::optional<int64_t> min_latency_ms;
  /// Only rows written after the row with this id (ids grow in write
  /// order), oldest first whatever `sort` says: how `openhinge logs
  /// --follow` asks for what is new.
  std::optional<int64_t> since_id;
  /// Inclusive lower and exclusive upper bound, in the stored ISO format.
  std::optional<std::string> from;
  std::optional<std::string> to;
  /// A request id (exact) or words for the full-text index.
  std::optional<std::string> search;
  log_sort sort = log_sort::created_at;
  bool descending = true;
  int64_t per_page = 50;
  /// 1-based page for the original's clients (OFFSET); ignored with `after`.
  int64_t page = 1;
  std::optional<log_cursor> after;
};

/// Counting stops here; beyond it the total is an estimate.
inline constexpr int64_t exact_total_limit = 10'000;

struct log_page {
  /// Each row as a JSON object (usage columns, the soul's, account's and
  /// key's names, `attempts` as an array).
  std::vector<std::string> rows;
  int64_t total = 0;
  bool total_is_estimate = false;
  /// The cursor after this page's last row; none on the last page.
  std::optional<std::string> next;
};

/// Runs a search. The query is valid by construction (the HTTP layer
/// checked it); storage failures throw store_error.
log_page search_logs(database& db, const log_query& q);

/// Newest first, at most `limit` rows: the original's /admin/cost/logs.
std::vector<std::string> newest_logs(database& db, int64_t limit);

/// One request by its id, with its attempts; nothing when unknown.
std::optional<std::string> log_detail(database& db,
                                      std::string_view request_id);

enum class export_format : uint8_t { csv, ndjson };

/// The CSV header line (with its CRLF) of an export.
std::string csv_header();

/// Every row the query's filters select, in its order, without paging:
/// `emit` gets each row as one CSV record or one JSON line (each with its
/// line end) and returns false to stop (the client went away). Reads one
/// row at a time, so memory stays flat whatever the count.
void export_logs(database& db, const log_query& q, export_format format,
                 const std::function<bool(std::string_view)>& emit);

/// `text` as one RFC 4180 field: quoted when it holds a comma, a quote,
/// CR or LF (quotes doubled), else as it is.
void append_csv_field(std::string& out, std::string_view text);

/// A cursor as opaque text (base64url of the values and a check), and
/// back; a changed or foreign cursor fails, naming `after`.
std::string encode_cursor(const log_cursor& c, log_sort sort, bool descending);
expected<log_cursor> decode_cursor(std::string_view text, log_sort sort,
                                   bool descending);

/// `created_at|latency_ms|cost|tokens` (and the original's `cost_cents`,
/// `latency`, `time`); nothing for another name.
std::optional<log_sort> parse_log_sort(std::string_view name);

} // namespace oh::store
