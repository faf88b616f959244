#pragma once

#include <cstdint>
#include <memory>
#include <random>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actors.hpp"
#include "actors/snapshot.hpp"

namespace oh::actors {

struct health_monitor_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  health_monitor_state() = default;
  std::shared_ptr<snapshot_holder> snapshot;
  int64_t interval_ms = 60'000;
  uint64_t rounds = 0;
  uint64_t handled = 0;
  std::minstd_rand rng{std::random_device{}()};
  static inline const char* name = "health_monitor";
};

/// Sends `check` to every account each interval (±10 % jitter, so accounts
/// behind one upstream are not probed in lockstep), the first one an interval
/// after start: health is known early from each account's own first probe.
health_monitor_actor::behavior_type health_monitor(
  health_monitor_actor::stateful_pointer<health_monitor_state> self,
  std::shared_ptr<snapshot_holder> snapshot, int64_t interval_ms);

} // namespace oh::actors
