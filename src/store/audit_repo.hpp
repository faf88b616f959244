#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace oh::store {

/// The `admin_audit` trail: who changed what, never secret values.
class audit_repo {
public:
  explicit audit_repo(database& db) : db_(db) {}
  void record(const std::string& actor, const std::string& action,
              const std::string& target_type, const std::string& target_id,
              const std::string& detail_json = "{}");
  int64_t count();

  struct entry {
    int64_t id = 0;
    std::string created_at, actor, action, target_type, target_id, detail;
  };
  /// Newest first, at most `limit`, only ids below `before` (0: from the
  /// newest): keyset paging, no OFFSET.
  std::vector<entry> page(int64_t before, int64_t limit);

private:
  database& db_;
};

} // namespace oh::store
