#pragma once

// The request log (SPEC §8): rows, their full-text index, the daily cost
// rollup and the keys' last use, written together in one transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost.hpp"
#include "store/database.hpp"

namespace oh::store {

struct usage_row {
  std::string request_id;
  std::optional<std::string> client_request_id;
  std::string created_at;
  std::optional<std::string> api_key_id;
  std::optional<std::string> soul_id;
  std::optional<int64_t> soul_version;
  std::optional<std::string> provider_id;
  std::optional<std::string> provider_type;
  std::string endpoint = "chat";
  bool stream = false;
  std::optional<std::string> model_requested;
  std::optional<std::string> model;
  /// success | error | cancelled | rate_limited | budget_exceeded | denied
  std::string status = "success";
  int http_status = 200;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  token_usage tokens;
  int64_t cost_micros = 0;
  int64_t latency_ms = 0;
  std::optional<int64_t> ttft_ms;
  std::string attempts_json = "[]";
  std::optional<std::string> client_ip;
  std::optional<std::string> user_agent;
  // Not columns: names for the search index, and whether the key's request
  // count moves (only admitted requests count, SPEC §5.2).
  std::string soul_name;
  std::string provider_name;
  std::string key_name;
  bool admitted = false;
  /// Which thread made the row (usage_queue's origin), so its memory can be
  /// freed there; -1: any.
  int origin = -1;
};

/// What one retention batch did.
struct prune_result {
  int64_t deleted = 0;
  /// Rows whose full-text entry could not be removed (written before the
  /// names were kept with the row); searches never match them again.
  int64_t index_entries_left = 0;
  /// More rows are older than the cutoff.
  bool more = false;
};

/// Separates the soul, account and key names in `search_names`.
inline constexpr char name_separator = '\x1f';

class usage_repo {
public:
  explicit usage_repo(database& db) : db_(db) {}

  /// Settings for the one connection that writes the log (the usage
  /// logger's): SQLite checkpoints the WAL into the database file after
  /// 10 000 pages (~40 MB) instead of 1 000, so the index and FTS pages every
  /// batch touches are copied once per checkpoint rather than ten times; the
  /// write rate rises by ~20 % (tools/bench/logbench, docs/performance.md).
  static void configure_writer(database& db);
  /// Writes all rows in one transaction.
  void insert_batch(const std::vector<usage_row>& rows);
  int64_t count();
  /// Deletes up to `max_rows` of the oldest rows created before `cutoff`
  /// (stored ISO format) with their full-text entries, in one transaction;
  /// cost_daily is kept (retention, SPEC §8).
  prune_result prune_before(std::string_view cutoff, int64_t max_rows);

private:
  database& db_;
};

} // namespace oh::store
