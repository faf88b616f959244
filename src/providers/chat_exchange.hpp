#pragma once

// One upstream chat exchange: sends the request, relays a stream to the
// client's sink as events arrive (holding everything back until the commit
// point, SPEC §5.5), or collects a non-streamed answer, and reports the
// outcome to its observer (the request actor). No CAF, no Beast here.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/cost.hpp"
#include "core/http_message.hpp"
#include "providers/translation.hpp"
#include "providers/upstream_client.hpp"

namespace oh::providers {

struct exchange_outcome {
  /// The exchange ended normally (a stream with a finish, or a complete
  /// non-streamed answer of any HTTP status).
  bool completed = false;
  /// Bytes of an answer reached the client (streams only).
  bool committed = false;
  /// The stream's head (and heartbeats) went out before any content: the
  /// client has a 200 already, so a final failure must be in-band.
  bool head_sent = false;
  std::optional<upstream_failure> failure;
  std::string error_message;
  unsigned upstream_status = 0;
  header_list upstream_headers; // only when the status was not 2xx
  /// Non-streamed: the upstream body (capped).
  std::string body;
  std::string model;
  std::string finish_reason;
  token_usage usage;
  int64_t ttft_ms = -1; // first content event, streams only
};

class exchange_observer {
public:
  virtual ~exchange_observer() = default;
  /// The first content reached the client (streams).
  virtual void on_commit() = 0;
  /// The exchange is over; called exactly once.
  virtual void on_finished(exchange_outcome outcome) = 0;
};

struct chat_exchange_spec {
  upstream_request request;
  bool stream = false;
  /// Streams: turns upstream events into the client's events.
  std::unique_ptr<stream_translator> translator;
  framing frame = framing::sse;
  /// Status and headers used when the stream commits.
  http_response stream_head;
  dialect client_dialect = dialect::openai;
  /// An earlier attempt already sent the head (heartbeats): do not send it
  /// again at the commit point.
  bool head_already_sent = false;
  /// Bounds on what the upstream may send (limits.max_upstream_*): a whole
  /// non-streamed answer, and one stream event or line. Past them the
  /// exchange fails with upstream_failure::too_large.
  size_t max_answer_bytes = 32 * 1024 * 1024;
  size_t max_event_bytes = 4 * 1024 * 1024;
};

class chat_exchange {
public:
  virtual ~chat_exchange() = default;
  /// Stops the exchange at once: closes the upstream socket. If the stream
  /// was committed the client gets a clean in-band error.
  virtual void cancel(std::string reason) = 0;
};

std::shared_ptr<chat_exchange>
start_chat_exchange(upstream_client& client, chat_exchange_spec spec,
                    std::shared_ptr<response_sink> sink,
                    std::shared_ptr<exchange_observer> observer);

/// The exchange's upstream side without a connection: the handler that
/// start_chat_exchange hands the upstream client. Feeding it recorded
/// upstream bytes (on_head, on_body pieces, on_end) runs them through the
/// production relay, commit point and in-band errors included: the golden
/// transcripts and the fuzz targets use it. `spec.request` is unused.
std::shared_ptr<upstream_handler>
make_chat_exchange_handler(chat_exchange_spec spec,
                           std::shared_ptr<response_sink> sink,
                           std::shared_ptr<exchange_observer> observer);

} // namespace oh::providers
