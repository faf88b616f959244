#pragma once

// Plain HTTP message values and the response sink: shared by the server,
// the handlers, the actors and the upstream exchange, so none of them needs
// Beast types.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oh {

/// Sets `out` to `text` with ASCII letters in lower case (header names).
inline void assign_lower(std::string& out, std::string_view text) {
  out.resize(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    out[i] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
}

/// Whether `a` and `b` are equal ignoring ASCII case (header names, hosts).
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z')
      x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z')
      y = static_cast<unsigned char>(y + 32);
    if (x != y)
      return false;
  }
  return true;
}

struct http_request {
  std::string method; // upper case, as on the wire
  std::string target; // path and query as sent
  std::string path;   // decoded path without the query
  std::string query;  // raw query string without '?'
  /// Header fields with lower-case names, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer_ip;

  /// The first value of a header (name in lower case).
  std::optional<std::string_view> header(std::string_view name) const;
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  /// Header lines already rendered (`name: value\r\n` each, made with
  /// http_head::append_line), sent after `headers`: the gateway's own
  /// per-answer headers, built in one buffer instead of a pair of strings
  /// per header.
  std::string head_lines;
  /// Close the connection after this response.
  bool close = false;
};

/// The wire dialect errors are rendered in (SPEC §4).
enum class dialect { openai, anthropic, admin };

/// Where one request's answer goes: a complete response, or a stream of
/// chunks. Every method may be called from any thread; the implementation
/// hands the work to the connection's I/O thread.
class response_sink {
public:
  virtual ~response_sink() = default;
  /// A complete response. Ends the exchange.
  virtual void respond(http_response res) = 0;
  /// Status and headers of a streamed response (the body is sent chunked).
  virtual void begin_stream(http_response head) = 0;
  /// One piece of the streamed body, written as soon as possible.
  virtual void write(std::string bytes) = 0;
  /// Ends the streamed body cleanly.
  virtual void end_stream() = 0;
  /// Bytes handed to write() and not yet on the socket.
  virtual size_t backlog() const = 0;
  /// Calls `fn` once when the backlog has fallen below the low-water mark.
  virtual void on_drain(std::function<void()> fn) = 0;
  /// Calls `fn` once when the client has gone away (or at once if it has).
  virtual void on_cancel(std::function<void()> fn) = 0;
  /// The I/O thread (context index) that writes this response, or -1: the
  /// upstream exchange serving it runs there, so its bytes reach the client
  /// without a hand-off between threads.
  virtual int io_affinity() const {
    return -1;
  }
};

} // namespace oh
