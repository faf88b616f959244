#include "support/http_client.hpp"

#include <stdexcept>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace oh::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct http_connection::impl {
  net::io_context ioc;
  tcp::socket socket{ioc};
  std::string buffer;

  /// Reads more bytes into the buffer; false on EOF/reset.
  bool fill(std::chrono::milliseconds timeout) {
    pollfd pfd{socket.native_handle(), POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (rc == 0)
      throw std::runtime_error("timed out waiting for the server");
    char chunk[16384];
    ssize_t n = ::recv(socket.native_handle(), chunk, sizeof(chunk), 0);
    if (n <= 0)
      return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }
};

http_connection::http_connection(const std::string& host, uint16_t port)
  : impl_(std::make_unique<impl>()) {
  impl_->socket.connect(tcp::endpoint{net::ip::make_address(host), port});
}

http_connection::~http_connection() = default;

void http_connection::send_raw(const std::string& bytes) {
  net::write(impl_->socket, net::buffer(bytes));
}

std::optional<http_reply>
http_connection::read_reply(std::chrono::milliseconds timeout) {
  auto& buf = impl_->buffer;
  size_t header_end;
  while ((header_end = buf.find("\r\n\r\n")) == std::string::npos)
    if (!impl_->fill(timeout))
      return std::nullopt;
  http_reply reply;
  std::string head = buf.substr(0, header_end);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  reply.status = std::stoi(status_line.substr(9, 3));
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos)
      end = head.size();
    std::string line = head.substr(pos, end - pos);
    auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ')
      value.erase(0, 1);
    reply.headers[name] = value;
    pos = end + 2;
  }
  buf.erase(0, header_end + 4);
  if (reply.header("transfer-encoding") == "chunked") {
    // De-chunk: size line, data, CRLF, until the zero-size chunk.
    for (;;) {
      size_t line_end;
      while ((line_end = buf.find("\r\n")) == std::string::npos)
        if (!impl_->fill(timeout)) {
          reply.complete = false; // cut off: what arrived so far
          reply.body.append(buf);
          buf.clear();
          return reply;
        }
      size_t size = std::stoul(buf.substr(0, line_end), nullptr, 16);
      while (buf.size() < line_end + 2 + size + 2)
        if (!impl_->fill(timeout)) {
          reply.complete = false;
          if (buf.size() > line_end + 2)
            reply.body.append(buf, line_end + 2,
                              std::min(size, buf.size() - line_end - 2));
          buf.clear();
          return reply;
        }
      reply.body.append(buf, line_end + 2, size);
      buf.erase(0, line_end + 2 + size + 2);
      if (size == 0)
        return reply;
    }
  }
  size_t length = 0;
  if (auto it = reply.headers.find("content-length"); it != reply.headers.end())
    length = std::stoul(it->second);
  while (buf.size() < length)
    if (!impl_->fill(timeout)) {
      reply.complete = false;
      break;
    }
  reply.body = buf.substr(0, length);
  buf.erase(0, std::min(length, buf.size()));
  return reply;
}

std::string http_connection::read_some(std::chrono::milliseconds timeout) {
  if (impl_->buffer.empty() && !impl_->fill(timeout))
    return {};
  std::string out;
  out.swap(impl_->buffer);
  return out;
}

void http_connection::close() {
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

bool http_connection::closed_by_peer(std::chrono::milliseconds timeout) {
  try {
    while (impl_->fill(timeout)) {
      // Discard anything still arriving; we wait for the close.
    }
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

http_reply http_connection::request(const std::string& method,
                                    const std::string& path,
                                    const std::string& body,
                                    const std::string& extra_headers) {
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!extra_headers.empty())
    req += extra_headers + "\r\n";
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT")
    req += "Content-Type: application/json\r\nContent-Length: "
           + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  send_raw(req);
  auto reply = read_reply();
  if (!reply)
    throw std::runtime_error("connection closed before a response to " + method
                             + " " + path);
  if (!reply->complete)
    throw std::runtime_error(
      "the answer to " + method + " " + path + " was cut before its end ("
      + std::to_string(reply->body.size()) + " body bytes arrived)");
  return *reply;
}

http_reply http_request(uint16_t port, const std::string& method,
                        const std::string& path, const std::string& body,
                        const std::string& extra_headers) {
  http_connection c{"127.0.0.1", port};
  return c.request(method, path, body, extra_headers);
}

} // namespace oh::test
