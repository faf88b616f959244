#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/actors.hpp"

namespace oh::actors {

/// What the acceptor needs from the HTTP listener; implemented in src/http so
/// the actor layer does not depend on Beast.
class listener_control {
public:
  virtual ~listener_control() = default;
  /// Closes the listening socket and marks every session as draining (idle
  /// keep-alive connections close, busy ones close after their response).
  virtual void stop_accepting() = 0;
  /// Connections currently open.
  virtual size_t open_connections() const = 0;
  /// The bound port.
  virtual uint16_t port() const = 0;
};

struct acceptor_state {
  // Declared so the state is no aggregate: CAF 0.17 would otherwise try to
  // construct it from the actor pointer (C++20 parenthesised aggregate init).
  acceptor_state() = default;
  std::shared_ptr<listener_control> listener;
  bool draining = false;
  int64_t deadline_ms = 0;
  std::vector<caf::typed_response_promise<size_t>> waiting;
  uint64_t handled = 0;
  static inline const char* name = "acceptor";
};

/// The acceptor: owns the listener's lifecycle and the drain on shutdown.
acceptor_actor::behavior_type
acceptor(acceptor_actor::stateful_pointer<acceptor_state> self,
         std::shared_ptr<listener_control> listener);

} // namespace oh::actors
