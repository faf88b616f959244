#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/records.hpp"

namespace oh::store {

/// The `souls` table.
class souls_repo {
public:
  explicit souls_repo(database& db) : db_(db) {}
  std::vector<soul_record> list();
  std::optional<soul_record> get(const std::string& id);
  std::optional<soul_record> get_by_slug(const std::string& slug);
  void insert(const soul_record& rec);
  void update(const soul_record& rec);
  bool remove(const std::string& id);
  /// Ids of souls whose provider_id was nulled by deleting `provider_id`.
  std::vector<std::string> bound_to_provider(const std::string& provider_id);

private:
  std::optional<soul_record> get_where(const char* where,
                                       const std::string& value);
  database& db_;
};

/// Encodes ids as a JSON array and back.
std::string ids_to_json(const std::vector<std::string>& ids);
std::vector<std::string> ids_from_json(const std::string& text);

} // namespace oh::store
