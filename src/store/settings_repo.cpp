#include "store/settings_repo.hpp"

#include "core/clock.hpp"
#include "store/statement.hpp"

namespace oh::store {

std::optional<std::string> settings_repo::get_raw(const std::string& key) {
  statement st{db_, "SELECT value FROM settings WHERE key = ?1"};
  st.bind(1, key);
  if (!st.step())
    return std::nullopt;
  return st.text(0);
}

void settings_repo::put_raw(const std::string& key, const std::string& value) {
  statement st{db_,
               "INSERT INTO settings(key, value, updated_at)"
               " VALUES (?1, ?2, ?3) ON CONFLICT(key) DO UPDATE SET"
               " value = excluded.value, updated_at = excluded.updated_at"};
  st.bind(1, key).bind(2, value).bind(3, clock::now_iso()).run();
}

} // namespace oh::store
