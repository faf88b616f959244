#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/records.hpp"

namespace oh::store {

/// Spend of one key, from the daily cost rollup.
struct key_spend {
  double today_cents = 0;
  double month_cents = 0;
};

/// The `api_keys` table with its `api_key_souls` bindings. Callers wrap
/// insert/update in a transaction so a key and its bindings land together.
class api_keys_repo {
public:
  explicit api_keys_repo(database& db) : db_(db) {}
  std::vector<api_key_record> list();
  std::optional<api_key_record> get(const std::string& id);
  void insert(const api_key_record& rec);
  void update(const api_key_record& rec);
  bool remove(const std::string& id);
  key_spend spend(const std::string& id, const std::string& today,
                  const std::string& month_start);
  /// Spend in micro-dollars: (today, this month).
  std::pair<int64_t, int64_t> spend_micros(const std::string& id,
                                           const std::string& today,
                                           const std::string& month_start);
  /// Ids of keys bound to a soul (their binding disappears with the soul).
  std::vector<std::string> bound_to_soul(const std::string& soul_id);

private:
  void write_bindings(const api_key_record& rec);
  std::vector<std::string> read_bindings(const std::string& id);
  database& db_;
};

} // namespace oh::store
