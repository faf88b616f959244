// beast_proxy: the fixed stack's floor for one proxied HTTP request (issue #6
// item 4, "show the floor"). A reverse proxy with nothing but Asio and
// Beast, built the way the gateway is built (one io_context per thread,
// Beast's parsers and serializers, a keep-alive upstream connection per
// client connection), and none of the gateway's work: no actors, no key,
// no JSON, no translation, no request log, no metrics. What it spends per
// request is what the stack itself costs; the bench runs it beside nginx.
//
//   beast_proxy --port P --upstream-port U [--threads 2]
//
// Listens on 127.0.0.1:P, forwards every request to 127.0.0.1:U and relays
// the answer as it arrives (streams included), prints "listening" once
// ready. Bench-only: no TLS, no limits beyond Beast's.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// The concrete executor, as the gateway uses: no type-erased executor copies.
using stream_type = beast::basic_stream<tcp, net::io_context::executor_type>;
using socket_type
  = net::basic_stream_socket<tcp, net::io_context::executor_type>;

class session : public std::enable_shared_from_this<session> {
public:
  session(socket_type s, tcp::endpoint upstream)
    : client_(std::move(s)), upstream_(client_.get_executor()),
      upstream_endpoint_(upstream) {}

  void start() {
    read_request();
  }

private:
  void read_request() {
    request_ = {};
    http::async_read(client_, client_buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec)
                         self->forward();
                     });
  }

  void forward() {
    keep_alive_ = request_.keep_alive();
    request_.keep_alive(true);
    if (connected_)
      return write_upstream();
    upstream_.async_connect(
      upstream_endpoint_, [self = shared_from_this()](beast::error_code ec) {
        if (ec)
          return self->fail();
        self->upstream_.socket().set_option(tcp::no_delay{true});
        self->connected_ = true;
        self->write_upstream();
      });
  }

  void write_upstream() {
    http::async_write(
      upstream_, request_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          return self->fail();
        self->read_response();
      });
  }

  // The head is read first. A chunked answer (a stream) is then relayed as
  // it arrives (a buffer_body parser feeding a serializer), as nginx does
  // with buffering off; an answer with a Content-Length is read whole and
  // written with its head in one send, as nginx does with one that fits its
  // buffer.
  void read_response() {
    head_parser_.emplace();
    head_parser_->body_limit(boost::none);
    http::async_read_header(
      upstream_, upstream_buffer_, *head_parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec)
          return self->fail();
        if (self->head_parser_->chunked()) {
          self->parser_.emplace(std::move(*self->head_parser_));
          return self->write_head();
        }
        self->whole_parser_.emplace(std::move(*self->head_parser_));
        self->read_whole();
      });
  }

  void read_whole() {
    http::async_read(upstream_, upstream_buffer_, *whole_parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec)
                         return self->fail();
                       self->whole_ = self->whole_parser_->release();
                       self->whole_.keep_alive(self->keep_alive_);
                       http::async_write(self->client_, self->whole_,
                                         [self](beast::error_code ec, size_t) {
                                           if (!ec && self->keep_alive_)
                                             self->read_request();
                                           else
                                             self->close();
                                         });
                     });
  }

  void write_head() {
    parser_->get().keep_alive(keep_alive_);
    serializer_.emplace(parser_->get());
    http::async_write_header(
      client_, *serializer_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (!ec)
          self->relay_body();
      });
  }

  void relay_body() {
    auto& body = parser_->get().body();
    if (parser_->is_done()) {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
      return write_body();
    }
    body.data = chunk_.data();
    body.size = chunk_.size();
    http::async_read_some(
      upstream_, upstream_buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec == http::error::need_buffer)
          ec = {};
        if (ec)
          return self->close(); // the head is out: all we can do
        auto& b = self->parser_->get().body();
        b.size = self->chunk_.size() - b.size;
        b.data = self->chunk_.data();
        b.more = !self->parser_->is_done();
        // Nothing read yet (a chunk header only): an empty buffer would go
        // out as the last chunk, "0\r\n\r\n".
        if (b.size == 0 && b.more)
          return self->relay_body();
        self->write_body();
      });
  }

  void write_body() {
    http::async_write(
      client_, *serializer_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec == http::error::need_buffer)
          ec = {};
        if (ec)
          return self->close();
        if (!self->serializer_->is_done())
          return self->relay_body();
        if (self->keep_alive_)
          self->read_request();
        else
          self->close();
      });
  }

  void fail() {
    http::response<http::string_body> res{http::status::bad_gateway,
                                          request_.version()};
    res.keep_alive(false);
    res.prepare_payload();
    error_ = std::move(res);
    http::async_write(client_, error_,
                      [self = shared_from_this()](beast::error_code, size_t) {
                        self->close();
                      });
  }

  void close() {
    beast::error_code ignored;
    client_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    upstream_.socket().close(ignored);
  }

  stream_type client_;
  stream_type upstream_;
  tcp::endpoint upstream_endpoint_;
  bool connected_ = false;
  bool keep_alive_ = true;
  beast::flat_buffer client_buffer_;
  beast::flat_buffer upstream_buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::empty_body>> head_parser_;
  std::optional<http::response_parser<http::string_body>> whole_parser_;
  http::response<http::string_body> whole_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  std::optional<http::response_serializer<http::buffer_body>> serializer_;
  http::response<http::string_body> error_;
  std::array<char, 16 * 1024> chunk_;
};

/// One acceptor per thread over the same listening socket (a dup of it), as
/// the gateway's server does: a connection stays on the thread that
/// accepted it.
class listener {
public:
  listener(std::vector<std::unique_ptr<net::io_context>>& contexts,
           unsigned short port, tcp::endpoint upstream)
    : contexts_(contexts), upstream_(upstream) {
    tcp::endpoint at{net::ip::make_address("127.0.0.1"), port};
    auto first = std::make_unique<tcp::acceptor>(*contexts[0]);
    first->open(at.protocol());
    first->set_option(net::socket_base::reuse_address(true));
    first->bind(at);
    first->listen(net::socket_base::max_listen_connections);
    for (size_t i = 1; i < contexts.size(); ++i) {
      auto extra = std::make_unique<tcp::acceptor>(*contexts[i]);
      extra->assign(at.protocol(), ::dup(first->native_handle()));
      acceptors_.push_back(std::move(extra));
    }
    acceptors_.insert(acceptors_.begin(), std::move(first));
  }

  void start() {
    for (size_t i = 0; i < acceptors_.size(); ++i)
      accept(*acceptors_[i], *contexts_[i]);
  }

private:
  void accept(tcp::acceptor& a, net::io_context& ctx) {
    a.async_accept(
      ctx, [this, &a, &ctx](beast::error_code ec, socket_type socket) {
        if (!ec) {
          socket.set_option(tcp::no_delay{true});
          std::make_shared<session>(std::move(socket), upstream_)->start();
        }
        accept(a, ctx);
      });
  }

  std::vector<std::unique_ptr<net::io_context>>& contexts_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  tcp::endpoint upstream_;
};

} // namespace

int main(int argc, char** argv) {
  unsigned short port = 0;
  unsigned short upstream_port = 0;
  unsigned threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--port")
      port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
    else if (a == "--upstream-port")
      upstream_port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
    else if (a == "--threads")
      threads = static_cast<unsigned>(std::stoi(argv[i + 1]));
  }
  if (port == 0 || upstream_port == 0 || threads == 0) {
    std::cerr << "usage: beast_proxy --port P --upstream-port U "
                 "[--threads N]\n";
    return 2;
  }
  std::vector<std::unique_ptr<net::io_context>> contexts;
  for (unsigned i = 0; i < threads; ++i)
    contexts.push_back(std::make_unique<net::io_context>(1));
  listener l{
    contexts, port, {net::ip::make_address("127.0.0.1"), upstream_port}};
  l.start();
  std::printf("listening\n");
  std::fflush(stdout);
  // Keep every context running while it has no connection yet.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& c : contexts)
    guards.push_back(net::make_work_guard(*c));
  std::vector<std::thread> runners;
  for (unsigned i = 1; i < threads; ++i)
    runners.emplace_back([&, i] {
      contexts[i]->run();
    });
  contexts[0]->run();
  for (auto& t : runners)
    t.join();
}
