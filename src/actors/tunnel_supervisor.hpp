#pragma once

// The tunnel supervisor (SPEC §12): one actor owning the cloudflared child.
// `cloudflared tunnel --no-autoupdate run` with an argv vector, the token
// only in the child's TUNNEL_TOKEN, its output in the gateway's log under
// a "cloudflared:" prefix, restarts with exponential backoff (capped, back
// to the first delay after a minute of stable running), SIGTERM then
// SIGKILL on stop, and the child reaped whenever the actor ends.

#include <cstdint>
#include <optional>
#include <string>

#include "actors/actors.hpp"
#include "core/subprocess.hpp"

namespace oh::actors {

struct tunnel_timing {
  int64_t first_backoff_ms = 1'000;
  int64_t max_backoff_ms = 30'000;
  /// Running this long resets the backoff to the first delay.
  int64_t stable_ms = 60'000;
  /// SIGTERM's grace before SIGKILL.
  int64_t stop_grace_ms = 5'000;
  int64_t tick_ms = 100;
};

struct tunnel_state {
  // Declared so the state is no aggregate (CAF 0.17, see acceptor_state).
  tunnel_state() = default;
  /// Reaps a child still running when the actor ends (shutdown).
  ~tunnel_state();
  tunnel_timing timing;
  tunnel_launch launch;
  bool wanted = false;
  /// The running child is stopping to make way for a new launch.
  bool replacing = false;
  std::optional<subprocess> child;
  /// stopped, running, backoff, stopping, failed
  std::string phase = "stopped";
  int64_t started_ms = 0;
  int64_t next_start_ms = 0;
  int64_t backoff_ms = 0;
  int64_t stop_deadline_ms = 0;
  int restarts = 0;
  int connections = 0;
  std::string last_error;
  std::string last_line;
  bool ticking = false;
  uint64_t handled = 0;
  static inline const char* name = "tunnel_supervisor";
};

tunnel_supervisor_actor::behavior_type
tunnel_supervisor(tunnel_supervisor_actor::stateful_pointer<tunnel_state> self,
                  tunnel_timing timing);

/// The message when cloudflared cannot be found, with the install hint.
std::string cloudflared_missing(const std::string& path);

} // namespace oh::actors
