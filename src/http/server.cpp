#include "http/server.hpp"

#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/logging.hpp"
#include "http/error_render.hpp"
#include "http/router.hpp"

namespace oh::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

class session;

struct http_server::impl {
  // Declared before the io_context: sessions still queued in it are
  // destroyed with it and unregister themselves here.
  std::mutex sessions_mutex;
  std::unordered_set<session*> sessions;
  std::atomic<size_t> connections{0};
  std::atomic<bool> draining{false};
  server_options options;
  std::shared_ptr<request_handler> handler;
  net::io_context ioc;
  // Keeps run() going while requests wait for actors with no socket
  // operation pending (e.g. during a drain, after the acceptor closed).
  net::executor_work_guard<net::io_context::executor_type> work{
    ioc.get_executor()};
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  uint16_t bound_port = 0;

  explicit impl(unsigned n) : ioc(static_cast<int>(n)) {}
  void do_accept();
};

namespace {

/// Status line and headers for a response; the body is a string.
using response_t = bhttp::response<bhttp::string_body>;
using parser_t = bhttp::request_parser<bhttp::string_body>;

} // namespace

class session : public std::enable_shared_from_this<session> {
public:
  session(tcp::socket&& socket, http_server::impl& srv)
    : stream_(std::move(socket)), srv_(srv) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec)
      peer_ = ep.address().to_string();
    srv_.connections.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard guard{srv_.sessions_mutex};
    srv_.sessions.insert(this);
  }

  ~session() {
    {
      std::lock_guard guard{srv_.sessions_mutex};
      srv_.sessions.erase(this);
    }
    srv_.connections.fetch_sub(1, std::memory_order_relaxed);
  }

  void start() {
    net::dispatch(
      stream_.get_executor(),
      beast::bind_front_handler(&session::read_header, shared_from_this()));
  }

  /// Called (from any thread) when the server starts draining: an idle
  /// connection closes now, a busy one after its response.
  void notify_drain() {
    net::post(stream_.get_executor(), [weak = weak_from_this()] {
      if (auto self = weak.lock(); self && !self->busy_)
        self->close();
    });
  }

private:
  void read_header() {
    if (srv_.draining.load()) {
      close();
      return;
    }
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_.options.max_header_bytes));
    parser_->body_limit(srv_.options.max_body_bytes);
    stream_.expires_after(first_ ? srv_.options.header_timeout
                                 : srv_.options.keepalive_idle_timeout);
    bhttp::async_read_header(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, size_t) {
    if (ec) {
      on_read_error(ec);
      return;
    }
    auto& req = parser_->get();
    auto method = req.method();
    bool needs_length = method == bhttp::verb::post
                        || method == bhttp::verb::put
                        || method == bhttp::verb::patch;
    if (needs_length && !parser_->content_length() && !parser_->chunked()) {
      fail_and_close(errc::length_required,
                     "a request body needs Content-Length or chunked "
                     "Transfer-Encoding");
      return;
    }
    read_body();
  }

  void read_body() {
    if (parser_->is_done()) {
      dispatch_request();
      return;
    }
    stream_.expires_after(srv_.options.body_idle_timeout);
    bhttp::async_read_some(
      stream_, buffer_, *parser_,
      beast::bind_front_handler(&session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, size_t) {
    if (ec) {
      on_read_error(ec);
      return;
    }
    read_body();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      fail_and_close(errc::too_large,
                     "request body exceeds "
                       + std::to_string(srv_.options.max_body_bytes)
                       + " bytes");
    } else if (ec == bhttp::error::header_limit) {
      fail_and_close(errc::headers_too_large,
                     "request header section exceeds "
                       + std::to_string(srv_.options.max_header_bytes)
                       + " bytes");
    } else if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout
               || ec == net::error::operation_aborted
               || ec == net::error::connection_reset || ec == net::error::eof
               || ec == bhttp::error::partial_message) {
      // The client went away, was idle too long, or we are closing.
      if (ec == beast::error::timeout)
        OH_DEBUG("closing connection from {}: read timeout", peer_);
      close();
    } else {
      OH_DEBUG("malformed request from {}: {}", peer_, ec.message());
      fail_and_close(errc::invalid_value,
                     "malformed HTTP request: " + ec.message());
    }
  }

  void fail_and_close(errc code, std::string message) {
    // The request line is parsed first, so the target is known even when
    // the header section or the body broke a limit.
    std::string path = "/";
    if (parser_ && !parser_->get().target().empty())
      path = std::string{parser_->get().target()};
    auto res = error_response(dialect_for_path(path.substr(0, path.find('?'))),
                              fail(code, std::move(message)));
    res.close = true;
    keep_alive_ = false;
    write(std::move(res));
  }

  void dispatch_request() {
    auto msg = parser_->release();
    parser_.reset();
    keep_alive_ = msg.keep_alive();
    http_request req;
    req.method = std::string{msg.method_string()};
    req.target = std::string{msg.target()};
    auto qpos = req.target.find('?');
    std::string_view raw_path = std::string_view{req.target}.substr(0, qpos);
    if (qpos != std::string::npos)
      req.query = req.target.substr(qpos + 1);
    auto decoded = percent_decode(raw_path, false);
    if (!decoded || raw_path.empty() || raw_path.front() != '/') {
      fail_and_close(errc::invalid_value, "malformed request target");
      return;
    }
    req.path = std::move(*decoded);
    req.headers.reserve(16);
    for (auto& field : msg) {
      std::string name{field.name_string()};
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string{field.value()});
    }
    req.body = std::move(msg.body());
    req.peer_ip = peer_;
    head_only_ = msg.method() == bhttp::verb::head;
    busy_ = true;
    // The handler may take long (an upstream exchange): no read deadline
    // while it runs; the request actor owns the request's own timeouts.
    stream_.expires_never();
    // The responder keeps the session alive until the answer is written (no
    // socket operation is pending meanwhile); dropping it uncalled closes
    // the connection.
    auto self = shared_from_this();
    auto executor = stream_.get_executor();
    srv_.handler->handle(
      std::move(req), [self, executor](http_response res) mutable {
        net::post(executor, [self, res = std::move(res)]() mutable {
          self->write(std::move(res));
        });
      });
  }

  void write(http_response r) {
    OH_TRACE("write {} to {}", r.status, peer_);
    auto res = std::make_shared<response_t>();
    res->version(11);
    res->result(r.status);
    if (!r.content_type.empty())
      res->set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers)
      res->set(name, value);
    bool keep = keep_alive_ && !r.close && !srv_.draining.load();
    res->keep_alive(keep);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head_only_)
      res->body().clear(); // Content-Length stays that of the GET answer
    head_only_ = false;
    response_ = res;
    stream_.expires_after(srv_.options.write_timeout);
    bhttp::async_write(
      stream_, *res,
      beast::bind_front_handler(&session::on_write, shared_from_this(), !keep));
  }

  void on_write(bool close_after, beast::error_code ec, size_t) {
    if (ec)
      OH_DEBUG("write to {} failed: {}", peer_, ec.message());
    response_.reset();
    busy_ = false;
    if (ec || close_after) {
      close();
      return;
    }
    first_ = false;
    read_header();
  }

  void close() {
    OH_TRACE("close {} (closed={})", peer_, closed_);
    if (closed_)
      return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  http_server::impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<parser_t> parser_;
  std::shared_ptr<response_t> response_;
  std::string peer_;
  bool first_ = true;
  bool busy_ = false;
  bool closed_ = false;
  bool keep_alive_ = true;
  bool head_only_ = false;
};

void http_server::impl::do_accept() {
  acceptor.async_accept(
    net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open())
        return;
      if (!ec) {
        if (connections.load() >= options.max_connections) {
          // Over the limit: refuse by closing at once; the client retries.
          OH_WARN("connection limit {} reached; refusing {}",
                  options.max_connections, "a connection");
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          std::make_shared<session>(std::move(socket), *this)->start();
        }
      } else {
        OH_WARN("accept failed: {}", ec.message());
      }
      do_accept();
    });
}

http_server::http_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

http_server::~http_server() {
  stop();
}

expected<std::shared_ptr<http_server>>
http_server::start(const server_options& options,
                   std::shared_ptr<request_handler> handler) {
  auto p = std::make_unique<impl>(std::max(1u, options.threads));
  p->options = options;
  p->handler = std::move(handler);
  beast::error_code ec;
  auto address = net::ip::make_address(options.host, ec);
  if (ec)
    return fail(errc::bad_config,
                "server.host: not an IP address: " + options.host);
  tcp::endpoint endpoint{address, options.port};
  p->acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    p->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    p->acceptor.bind(endpoint, ec);
  if (!ec)
    p->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string why
      = ec == net::error::address_in_use ? "port in use" : ec.message();
    return fail(errc::bad_config,
                "server.port: cannot listen on " + options.host + ":"
                  + std::to_string(options.port) + ": " + why);
  }
  p->bound_port = p->acceptor.local_endpoint().port();
  p->do_accept();
  auto* raw = p.get();
  for (unsigned i = 0; i < std::max(1u, options.threads); ++i)
    raw->threads.emplace_back([raw] {
      for (;;) {
        try {
          raw->ioc.run();
          return;
        } catch (const std::exception& e) {
          // A handler threw: log with context and keep the thread serving.
          OH_ERROR("I/O thread caught an exception: {}", e.what());
        }
      }
    });
  return std::shared_ptr<http_server>{new http_server(std::move(p))};
}

void http_server::stop_accepting() {
  if (impl_->draining.exchange(true))
    return;
  net::post(impl_->acceptor.get_executor(), [p = impl_.get()] {
    beast::error_code ec;
    p->acceptor.close(ec);
  });
  std::vector<std::weak_ptr<session>> all;
  {
    std::lock_guard guard{impl_->sessions_mutex};
    for (auto* s : impl_->sessions)
      all.push_back(s->weak_from_this());
  }
  for (auto& weak : all)
    if (auto s = weak.lock())
      s->notify_drain();
}

size_t http_server::open_connections() const {
  return impl_->connections.load();
}

uint16_t http_server::port() const {
  return impl_->bound_port;
}

bool http_server::draining() const noexcept {
  return impl_->draining.load();
}

void http_server::stop() {
  if (!impl_)
    return;
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable())
      t.join();
  impl_->threads.clear();
}

} // namespace oh::http
