#pragma once

// The lookup snapshot (DESIGN §4): an immutable map from key hash to key
// actor and from soul slug to soul actor, swapped atomically by the registry.
// Sessions read it without a message hop or a lock.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/actors.hpp"

namespace oh::actors {

struct key_entry {
  std::string id;
  std::string name;
  std::string key_hash;
  api_key_actor actor;
  bool enabled = true;
  std::optional<int64_t> expires_at_ms;
  std::vector<std::string> soul_ids;
};

struct soul_entry {
  std::string id;
  soul_actor actor;
  bool enabled = true;
};

/// A model served by an account, for GET /v1/models.
struct model_entry {
  std::string id;
  std::string owned_by; // the account type
  int64_t created = 0;  // epoch seconds the account was added
  std::vector<std::pair<std::string, std::string>> accounts; // id, name
};

struct lookup_snapshot {
  selector_actor selector;
  /// Every model of every enabled account, deduplicated, sorted by id.
  std::vector<model_entry> models;
  /// Account names by id (metrics labels, introspection).
  std::map<std::string, std::string> account_names;
  /// Slugs of enabled souls (listed as `soul/<slug>` models).
  std::vector<std::string> soul_slugs;
  std::unordered_map<std::string, key_entry> keys_by_hash;
  /// Keys imported from the original with their scrypt hashes (in
  /// `key_hash`), by their 12-character prefix (SPEC §5.1): verified once,
  /// then re-stored as SHA-256 and found in keys_by_hash.
  std::unordered_multimap<std::string, key_entry> legacy_by_prefix;
  std::unordered_map<std::string, soul_entry> souls_by_slug;
  std::unordered_map<std::string, provider_account_actor> accounts_by_id;
};

class snapshot_holder {
public:
  snapshot_holder();
  std::shared_ptr<const lookup_snapshot> load() const noexcept;
  void publish(std::shared_ptr<const lookup_snapshot> next) noexcept;

private:
  std::shared_ptr<const lookup_snapshot> current_;
};

} // namespace oh::actors
