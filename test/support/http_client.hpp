#pragma once

// A small blocking HTTP/1.1 client over a real TCP socket, for tests. It
// also sends raw bytes so tests can exercise malformed input.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace oh::test {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers; // lower-case names
  std::string body;
  /// False when the connection closed before the body's framing ended (a
  /// chunked body without its zero-size chunk, or fewer bytes than
  /// Content-Length said): `request` and `http_request` throw then.
  bool complete = true;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class http_connection {
public:
  http_connection(const std::string& host, uint16_t port);
  ~http_connection();

  /// Sends raw bytes.
  void send_raw(const std::string& bytes);
  /// Reads one response; nullopt when the server closed the connection
  /// first. Throws on timeout; a body cut short is returned with
  /// `complete` false, for tests that look at what arrived.
  std::optional<http_reply> read_reply(std::chrono::milliseconds timeout
                                       = std::chrono::seconds(10));
  /// Whatever bytes arrive next (raw, not de-chunked); "" on close.
  std::string read_some(std::chrono::milliseconds timeout);
  /// Closes the connection from our side.
  void close();
  /// True when the server has closed the connection (EOF or reset) within
  /// `timeout`; false if the connection is still open afterwards.
  bool closed_by_peer(std::chrono::milliseconds timeout);

  /// One request: method, path, JSON body and extra headers (`Name: value`
  /// lines separated by \r\n). Throws when the answer is cut short.
  http_reply request(const std::string& method, const std::string& path,
                     const std::string& body = {},
                     const std::string& extra_headers = {});

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// One request on a new connection.
http_reply http_request(uint16_t port, const std::string& method,
                        const std::string& path, const std::string& body = {},
                        const std::string& extra_headers = {});

} // namespace oh::test
