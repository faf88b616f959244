#include "actors/health_monitor.hpp"

#include <chrono>

#include "actors/introspection.hpp"

namespace oh::actors {

namespace {

std::chrono::milliseconds next_delay(health_monitor_state& st) {
  auto jitter = static_cast<int64_t>(st.interval_ms / 10);
  std::uniform_int_distribution<int64_t> d{-jitter, jitter};
  return std::chrono::milliseconds(
    std::max<int64_t>(1, st.interval_ms + d(st.rng)));
}

} // namespace

health_monitor_actor::behavior_type health_monitor(
  health_monitor_actor::stateful_pointer<health_monitor_state> self,
  std::shared_ptr<snapshot_holder> snapshot, int64_t interval_ms) {
  auto& st = self->state;
  st.snapshot = std::move(snapshot);
  st.interval_ms = std::max<int64_t>(1'000, interval_ms);
  // Every account probes itself once when it starts (provider_account.cpp),
  // so the first round waits a whole interval like every other.
  self->delayed_send(self, next_delay(st), tick_atom::value);
  return {
    [=](tick_atom) {
      auto& st = self->state;
      ++st.handled;
      ++st.rounds;
      for (auto& [id, account] : st.snapshot->load()->accounts_by_id)
        self->send(account, check_atom::value);
      self->delayed_send(self, next_delay(st), tick_atom::value);
    },
    [=](update_atom, const health_limits& limits) {
      auto& st = self->state;
      ++st.handled;
      st.interval_ms = std::max<int64_t>(1'000, limits.probe_interval_ms);
    },
    [=](status_atom) -> std::string {
      auto& st = self->state;
      return "{" + mailbox_fields(self, st.handled)
             + ",\"rounds\":" + std::to_string(st.rounds)
             + ",\"interval_ms\":" + std::to_string(st.interval_ms) + "}";
    },
  };
}

} // namespace oh::actors
