#pragma once

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"

namespace oh::actors {

struct soul_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  soul_state() = default;
  store::soul_record record;
  static inline const char* name = "soul";
};

/// One soul's actor: it holds the persona; planning a request is added by the
/// request-path work.
soul_actor::behavior_type soul(soul_actor::stateful_pointer<soul_state> self,
                               store::soul_record record);

} // namespace oh::actors
