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
  selector_actor selector;
  uint64_t handled = 0;
  static inline const char* name = "soul";
};

/// The soul's part of a plan: prompt, defaults, account chain (SPEC §5.3).
soul_plan make_soul_plan(const store::soul_record& r);

/// One soul's actor: adds its part to a request's plan and delegates the
/// choice of account to the selector.
soul_actor::behavior_type soul(soul_actor::stateful_pointer<soul_state> self,
                               store::soul_record record,
                               selector_actor selector);

} // namespace oh::actors
