#pragma once

#include <memory>
#include <optional>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "store/credential_vault.hpp"
#include "store/database.hpp"

namespace oh::actors {

struct store_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  store_state() = default;
  std::shared_ptr<store::database> db;
  std::optional<store::credential_vault> vault;
  uint64_t handled = 0;
  static inline const char* name = "store";
};

/// The store actor: spawned detached (its own thread) so SQLite calls can
/// block without holding up a scheduler thread (DESIGN §6).
store_actor::behavior_type
store(store_actor::stateful_pointer<store_state> self,
      std::shared_ptr<store::database> db, store::credential_vault vault);

} // namespace oh::actors
