#pragma once

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"

namespace oh::actors {

struct provider_account_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  provider_account_state() = default;
  store::provider_record record;
  static inline const char* name = "provider_account";
};

/// One provider account's actor: it holds the account and its decrypted
/// credential; leases, health and refresh come with the request path.
provider_account_actor::behavior_type provider_account(
  provider_account_actor::stateful_pointer<provider_account_state> self,
  store::provider_record record);

} // namespace oh::actors
