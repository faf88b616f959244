#pragma once

#include <string>

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

private:
  database& db_;
};

} // namespace oh::store
