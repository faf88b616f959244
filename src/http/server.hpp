#pragma once

// The HTTP/1.1 server on Boost.Beast (DESIGN §10, Beast advanced server):
// each connection on one I/O thread, a fresh parser per request with header
// and body limits, read/write/idle timeouts, keep-alive, and a drain on
// shutdown.
// Beast stays inside server.cpp; this header exposes plain types only.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/acceptor.hpp"
#include "core/expected.hpp"
#include "http/http_types.hpp"

namespace oh::providers {
class io_runtime;
}

namespace oh::http {

struct server_options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  size_t max_body_bytes = 8 * 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  size_t max_connections = 10'000;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_idle_timeout{30'000};
  std::chrono::milliseconds keepalive_idle_timeout{60'000};
  /// A request's body must be complete this long after its header.
  std::chrono::milliseconds request_timeout{120'000};
  std::chrono::milliseconds write_timeout{30'000};
};

class http_server final : public actors::listener_control {
public:
  /// Binds and starts `options.threads` I/O threads. Fails (errc::bad_config)
  /// when the address cannot be bound, e.g. the port is in use.
  static expected<std::shared_ptr<http_server>>
  start(providers::io_runtime& io, const server_options& options,
        std::shared_ptr<request_handler> handler);

  ~http_server() override;

  void stop_accepting() override;
  size_t open_connections() const override;
  uint16_t port() const override;

  /// Times accepting paused because the process ran out of descriptors.
  uint64_t accept_pauses() const;
  /// Connections closed at once because max_connections were open.
  uint64_t refused_connections() const;

  /// True once stop_accepting() was called.
  bool draining() const noexcept;

  /// Closes the listener and every connection at once.
  void stop();

  struct impl;

private:
  explicit http_server(std::shared_ptr<impl> p);
  std::shared_ptr<impl> impl_;
};

} // namespace oh::http
