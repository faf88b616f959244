#pragma once

#include <optional>
#include <string>

#include "store/database.hpp"

namespace oh::store {

/// The `settings` table: JSON values by key.
class settings_repo {
public:
  explicit settings_repo(database& db) : db_(db) {}
  std::optional<std::string> get_raw(const std::string& key);
  void put_raw(const std::string& key, const std::string& value);

private:
  database& db_;
};

} // namespace oh::store
