#pragma once

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"

namespace oh::actors {

struct api_key_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  api_key_state() = default;
  store::api_key_record record;
  static inline const char* name = "api_key";
};

/// One API key's actor: it holds the key's settings; admission (rate window,
/// concurrency, budgets) is added by the request-path work.
api_key_actor::behavior_type
api_key(api_key_actor::stateful_pointer<api_key_state> self,
        store::api_key_record record);

} // namespace oh::actors
