#pragma once

// Payloads exchanged between actors that are not single records.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "store/records.hpp"

namespace oh::store {
class database;
class credential_vault;
} // namespace oh::store

namespace oh::actors {

/// An entity removed through the admin API.
struct removed_entity {
  enum class kind : uint8_t { provider, soul, api_key };
  kind what;
  std::string id;
};

/// One change the registry applies to the running actors after the store
/// has written it.
using config_change = std::variant<store::provider_record, store::soul_record,
                                   store::api_key_record, removed_entity>;

/// Everything the registry loads at start.
struct config_world {
  std::vector<store::provider_record> providers;
  std::vector<store::soul_record> souls;
  std::vector<store::api_key_record> api_keys;
};

/// What a store job hands to the code it runs on the store thread.
struct store_context {
  store::database& db;
  const store::credential_vault& vault;
};

/// The answer of an admin job: a status and JSON body for the client (or an
/// error to render), plus the changes the registry must apply.
struct admin_reply {
  uint16_t status = 200;
  std::string body;
  std::optional<failure> error;
  std::vector<config_change> changes;
};

/// Work to run on the store actor's thread, where SQLite may block.
using store_job = std::function<admin_reply(store_context&)>;

} // namespace oh::actors
