#pragma once

// HTTP/1.1 client for upstream providers on Asio: plain and TLS (peer
// verification and SNI on), a keep-alive connection pool per host, connect /
// first-byte / idle timeouts, and bodies delivered incrementally as they
// arrive. Beast stays in the .cpp; this header has plain types only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/expected.hpp"

namespace oh::providers {

class io_runtime;

struct upstream_url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target; // path and query
};

/// Splits `http(s)://host[:port]/path?query`.
expected<upstream_url> parse_url(std::string_view url);

using header_list = std::vector<std::pair<std::string, std::string>>;

struct upstream_request {
  upstream_url url;
  std::string method = "POST";
  header_list headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{5'000};
  /// From the end of the request write to the response status line.
  std::chrono::milliseconds first_byte_timeout{60'000};
  /// Between two reads of the body.
  std::chrono::milliseconds idle_timeout{60'000};
  /// The whole exchange; 0 = none. A timer on the I/O thread, cancelled
  /// when the exchange ends, so nothing outlives a finished request.
  std::chrono::milliseconds total_timeout{0};
  /// While the exchange runs, the handler's on_heartbeat() every this long
  /// (0 = never): streams keep quiet clients alive before content (SPEC §5.5).
  std::chrono::milliseconds heartbeat{0};
};

enum class upstream_failure : uint8_t {
  connect,            ///< resolve or connect failed
  tls,                ///< handshake or certificate failure
  timeout_connect,    ///< connect_timeout expired
  timeout_first_byte, ///< no response head within first_byte_timeout
  timeout_idle,       ///< no body bytes within idle_timeout
  timeout_total,      ///< the exchange took longer than total_timeout
  broken,             ///< the connection failed mid-response
  protocol,           ///< the upstream did not speak HTTP/1.1
  too_large,          ///< the answer or one stream event passed its bound
  cancelled,          ///< cancel() was called
};

const char* to_string(upstream_failure f);

/// Receives one exchange's events, in order, on one I/O thread at a time.
class upstream_handler {
public:
  virtual ~upstream_handler() = default;
  virtual void on_head(unsigned status, const header_list& headers) = 0;
  /// A piece of the (de-chunked) body. Returning false pauses reading until
  /// the exchange's resume() is called (backpressure from a slow client).
  virtual bool on_body(std::string_view bytes) = 0;
  virtual void on_end() = 0;
  virtual void on_fail(upstream_failure kind, const std::string& message) = 0;
  /// The heartbeat interval passed; returning false stops the heartbeats.
  virtual bool on_heartbeat() {
    return false;
  }
};

class upstream_exchange {
public:
  virtual ~upstream_exchange() = default;
  /// Closes the upstream socket at once; the handler gets on_fail(cancelled)
  /// unless the exchange already ended.
  virtual void cancel() = 0;
  /// Continues reading after on_body returned false.
  virtual void resume() = 0;
};

class upstream_client {
public:
  explicit upstream_client(io_runtime& io);
  ~upstream_client();

  /// Starts an exchange on I/O context `io_affinity` (the client
  /// connection's, see response_sink::io_affinity), or on the next context
  /// in turn when it is -1.
  std::shared_ptr<upstream_exchange>
  start(upstream_request req, std::shared_ptr<upstream_handler> handler,
        int io_affinity = -1);

  /// Idle pooled connections (for introspection and tests).
  size_t idle_connections() const;

  struct impl;

private:
  std::shared_ptr<impl> impl_;
};

} // namespace oh::providers
