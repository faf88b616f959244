#include "actors/acceptor.hpp"

#include <algorithm>
#include <chrono>

#include "actors/introspection.hpp"
#include "core/logging.hpp"

namespace oh::actors {

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(20);

int64_t now_ms(acceptor_actor::stateful_pointer<acceptor_state> self) {
  // The actor clock, so deterministic tests can advance it.
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           self->clock().now().time_since_epoch())
    .count();
}

void finish_if_done(acceptor_actor::stateful_pointer<acceptor_state> self) {
  auto& st = self->state;
  size_t open = st.listener->open_connections();
  if (open == 0 || now_ms(self) >= st.deadline_ms) {
    if (open > 0)
      OH_WARN("drain deadline reached with {} connection(s) still open", open);
    for (auto& rp : st.waiting)
      rp.deliver(open);
    st.waiting.clear();
    return;
  }
  self->delayed_send(self, poll_interval, tick_atom::value);
}

} // namespace

acceptor_actor::behavior_type
acceptor(acceptor_actor::stateful_pointer<acceptor_state> self,
         std::shared_ptr<listener_control> listener) {
  self->state.listener = std::move(listener);
  return {
    [=](drain_atom, uint32_t seconds) -> caf::typed_response_promise<size_t> {
      auto& st = self->state;
      auto rp = self->make_response_promise<size_t>();
      if (!st.draining) {
        st.draining = true;
        st.listener->stop_accepting();
        OH_INFO("draining: stopped accepting, {} connection(s) open",
                st.listener->open_connections());
      }
      // A later drain (after the deadline's clean-up) waits again.
      st.deadline_ms
        = std::max(st.deadline_ms, now_ms(self) + int64_t{seconds} * 1000);
      bool first = st.waiting.empty();
      st.waiting.push_back(rp);
      if (first)
        finish_if_done(self);
      return rp;
    },
    [=](tick_atom) {
      ++self->state.handled;
      finish_if_done(self);
    },
    [=](status_atom) -> std::string {
      auto& st = self->state;
      return "{" + mailbox_fields(self, st.handled) + ",\"port\":"
             + std::to_string(st.listener->port()) + ",\"connections\":"
             + std::to_string(st.listener->open_connections())
             + ",\"draining\":" + (st.draining ? "true" : "false") + "}";
    },
  };
}

} // namespace oh::actors
