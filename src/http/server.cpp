#include "http/server.hpp"

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_set>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "core/crypto.hpp"
#include "core/error_render.hpp"
#include "core/http_head.hpp"
#include "core/logging.hpp"
#include "http/request_reader.hpp"
#include "http/router.hpp"
#include "providers/io_runtime.hpp"

namespace oh::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
// The connection's stream names its context's executor type, not the
// type-erased any_io_executor (every handler and timer operation copied
// one; docs/performance.md).
using io_executor = net::io_context::executor_type;
using client_stream = beast::basic_stream<tcp, io_executor>;
using client_socket = client_stream::socket_type;

class session;

struct http_server::impl : std::enable_shared_from_this<http_server::impl> {
  std::mutex sessions_mutex;
  std::unordered_set<session*> sessions;
  std::atomic<size_t> connections{0};
  std::atomic<bool> draining{false};
  server_options options;
  std::shared_ptr<request_handler> handler;
  providers::io_runtime& io;
  // One acceptor per I/O context, all on the same listening socket (dup'd
  // descriptors): whichever thread's accept wins keeps the connection, so a
  // new connection is never handed from one thread to another.
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  // One per acceptor: the pause after the process ran out of descriptors.
  std::vector<std::unique_ptr<net::steady_timer>> accept_timers;
  uint16_t bound_port = 0;
  std::atomic<uint64_t> accept_pauses{0};
  std::atomic<uint64_t> refused{0};
  // Steady-clock ms of the last warning of each kind: one line per interval,
  // however many connections a flood brings.
  std::atomic<int64_t> last_fd_warning_ms{-1'000'000};
  std::atomic<int64_t> last_limit_warning_ms{-1'000'000};

  explicit impl(providers::io_runtime& r) : io(r) {
    acceptors.push_back(std::make_unique<tcp::acceptor>(r.context(0)));
  }
  void do_accept(size_t io_index);
  void on_accept(beast::error_code ec, client_socket socket, size_t io_index);
  void pause_accepting(size_t io_index, const beast::error_code& ec);
};

namespace {

using parser_t = request_reader;

/// An accept loop out of descriptors waits this long before trying again,
/// instead of spinning on EMFILE (SPEC §3).
constexpr auto accept_pause = std::chrono::milliseconds(100);
/// At most one warning per kind in this interval.
constexpr int64_t warning_interval_ms = 10'000;

int64_t steady_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
    .count();
}

/// True when this thread should log now: the last line of its kind is
/// older than the interval (one thread wins a race).
bool warning_due(std::atomic<int64_t>& last) {
  auto now = steady_now_ms();
  auto prev = last.load(std::memory_order_relaxed);
  return now - prev >= warning_interval_ms
         && last.compare_exchange_strong(prev, now);
}

bool host_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/// `host[:digits]`, where host is a name, an IPv4 address or a bracketed
/// IPv6 address (RFC 9110 §7.2, without userinfo: `127.0.0.1:1@evil`
/// must not pass as a loopback Host).
bool valid_host_value(std::string_view v) {
  std::string_view host = v;
  std::string_view port;
  if (v.starts_with('[')) {
    auto close = v.find(']');
    if (close == std::string_view::npos || close < 2)
      return false;
    for (char c : v.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.')
        return false;
    host = v.substr(0, close + 1);
    auto rest = v.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return false;
      port = rest.substr(1);
      if (port.empty())
        return false;
    }
  } else {
    auto colon = v.find(':');
    if (colon != std::string_view::npos) {
      host = v.substr(0, colon);
      port = v.substr(colon + 1);
      if (port.empty())
        return false;
    }
    if (host.empty())
      return false;
    for (char c : host)
      if (!host_char(static_cast<unsigned char>(c)))
        return false;
  }
  if (port.size() > 5)
    return false;
  for (char c : port)
    if (c < '0' || c > '9')
      return false;
  return true;
}

/// Why a request's Host header is unacceptable, or nullptr (SPEC §3):
/// HTTP/1.1 needs exactly one, and any one sent must be well formed.
const char* host_problem(const http_request& m, int version) {
  int count = 0;
  std::string_view value;
  for (auto& [name, v] : m.headers)
    if (name == "host") {
      ++count;
      value = v;
    }
  if (count > 1)
    return "a request may carry only one Host header";
  if (count == 0)
    return version >= 11 ? "an HTTP/1.1 request needs a Host header" : nullptr;
  if (!valid_host_value(value))
    return "the Host header must be host[:port]";
  return nullptr;
}

bool out_of_descriptors(const beast::error_code& ec) {
  return ec.category() == boost::system::system_category()
         && (ec.value() == EMFILE || ec.value() == ENFILE);
}

/// Streamed bodies pause the producer above this many queued bytes and
/// resume it below the low-water mark.
constexpr size_t backlog_low_water = 64 * 1024;

std::string chunk_frame(std::string_view data) {
  char size[20];
  int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string out;
  out.reserve(static_cast<size_t>(n) + data.size() + 2);
  out.append(size, static_cast<size_t>(n));
  out.append(data);
  out.append("\r\n");
  return out;
}

} // namespace

class session : public std::enable_shared_from_this<session> {
public:
  /// `socket` belongs to I/O context `io_index`, whose one thread runs every
  /// handler of this session (so no strand).
  session(client_socket&& socket, std::shared_ptr<http_server::impl> srv,
          int io_index)
    : stream_(std::move(socket)), owner_(std::move(srv)), srv_(*owner_),
      io_index_(io_index) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec)
      peer_ = ep.address().to_string();
    stream_.socket().set_option(tcp::no_delay(true), ec);
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

  /// From any thread: the server drains; idle connections close now, busy
  /// ones after their response.
  void notify_drain() {
    post([](session& s) {
      if (!s.busy_)
        s.close();
    });
  }

  /// From any thread: close at once.
  void notify_stop() {
    post([](session& s) {
      s.close();
    });
  }

  template<class F>
  void post(F f) {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), f = std::move(f)]() mutable {
                f(*self);
              });
  }

  // -- the response sink's operations, run on the session's thread ----------

  void respond(http_response r) {
    if (!busy_ || streaming_)
      return; // answered already
    write_complete(std::move(r));
  }

  void begin_stream(http_response head) {
    if (!busy_ || streaming_)
      return;
    streaming_ = true;
    keep_after_stream_ = keep_alive_ && !head.close && !srv_.draining.load();
    auto text
      = http_head::response(head.status, head.content_type, head.headers,
                            keep_after_stream_, std::nullopt, head.head_lines);
    enqueue(std::move(text));
  }

  void write_chunk(std::string bytes) {
    if (!streaming_ || stream_ended_ || bytes.empty())
      return;
    enqueue(chunk_frame(bytes));
  }

  void end_stream() {
    if (!streaming_ || stream_ended_)
      return;
    stream_ended_ = true;
    enqueue("0\r\n\r\n");
  }

  void set_on_drain(std::function<void()> fn) {
    if (backlog_.load() < backlog_low_water || closed_) {
      fn();
      return;
    }
    on_drain_ = std::move(fn);
  }

  void set_on_cancel(std::function<void()> fn) {
    if (client_gone_) {
      fn();
      return;
    }
    on_cancel_ = std::move(fn);
  }

  std::atomic<size_t> backlog_{0};

  int io_index() const noexcept {
    return io_index_;
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
    if (auto why = host_problem(parser_->message(), parser_->version())) {
      fail_and_close(errc::invalid_value, why);
      return;
    }
    for (auto& [name, v] : parser_->message().headers)
      if (name == "transfer-encoding")
        if (auto coding = http_head::unsupported_transfer_coding(v);
            !coding.empty()) {
          fail_and_close(errc::not_implemented,
                         "Transfer-Encoding " + clip_echo(coding)
                           + " is not supported: send the body as is with "
                             "Content-Length, or chunked");
          return;
        }
    // The body must be complete by this time however steadily it trickles
    // (the idle timeout alone restarts with every byte).
    body_deadline_
      = std::chrono::steady_clock::now() + srv_.options.request_timeout;
    auto method = parser_->method();
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
    stream_.expires_at(std::min(std::chrono::steady_clock::now()
                                  + srv_.options.body_idle_timeout,
                                body_deadline_));
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
    if (parser_ && !parser_->target().empty())
      path = std::string{parser_->target()};
    path = path.substr(0, path.find('?'));
    auto res
      = error_response(dialect_for_path(path), fail(code, std::move(message)));
    if (path.starts_with("/v1/")) {
      // Every /v1 answer names its request and our version (SPEC §3).
      res.headers.emplace_back("x-request-id", crypto::new_id());
      res.headers.emplace_back("x-openhinge-version", OH_VERSION);
    }
    res.close = true;
    keep_alive_ = false;
    busy_ = true;
    write_complete(std::move(res));
  }

  void dispatch_request();

  /// Watches the socket while a request is in flight, so a client that
  /// goes away cancels the work at once (SPEC §6.4).
  void watch_client() {
    stream_.socket().async_wait(
      tcp::socket::wait_read,
      [self = shared_from_this()](beast::error_code ec) {
        if (ec || !self->busy_ || self->closed_)
          return; // cancelled: the response finished first
        char probe;
        ssize_t n = ::recv(self->stream_.socket().native_handle(), &probe, 1,
                           MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
          self->client_went_away();
        // n > 0: the client pipelined its next request; it is read after
        // this response.
      });
  }

  void client_went_away() {
    if (client_gone_)
      return;
    client_gone_ = true;
    OH_DEBUG("client {} went away during a request", peer_);
    if (auto fn = std::move(on_cancel_)) {
      on_cancel_ = nullptr;
      fn();
    }
    close();
  }

  void write_complete(http_response r) {
    bool keep = keep_alive_ && !r.close && !srv_.draining.load();
    // Head and body go out as two buffers of one write (core/http_head.hpp).
    out_head_ = http_head::response(r.status, r.content_type, r.headers, keep,
                                    r.body.size(), r.head_lines);
    out_body_.clear();
    if (!head_only_ && http_head::has_body(r.status))
      out_body_ = std::move(r.body); // HEAD: the GET answer's length, no body
    stop_watching();
    stream_.expires_after(srv_.options.write_timeout);
    std::array<net::const_buffer, 2> buffers{net::buffer(out_head_),
                                             net::buffer(out_body_)};
    net::async_write(stream_, buffers,
                     beast::bind_front_handler(&session::on_write_complete,
                                               shared_from_this(), !keep));
  }

  void on_write_complete(bool close_after, beast::error_code ec, size_t) {
    out_head_.clear();
    out_body_ = std::string{};
    finish_exchange(ec || close_after);
  }

  void enqueue(std::string bytes) {
    backlog_.fetch_add(bytes.size());
    queue_.push_back(std::move(bytes));
    if (!writing_)
      write_next();
  }

  void write_next() {
    if (queue_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    stream_.expires_after(srv_.options.write_timeout);
    net::async_write(
      stream_, net::buffer(queue_.front()),
      beast::bind_front_handler(&session::on_queued_write, shared_from_this()));
  }

  void on_queued_write(beast::error_code ec, size_t) {
    size_t n = queue_.front().size();
    queue_.pop_front();
    backlog_.fetch_sub(n);
    if (ec) {
      writing_ = false;
      client_went_away();
      return;
    }
    if (on_drain_ && backlog_.load() < backlog_low_water) {
      auto fn = std::move(on_drain_);
      on_drain_ = nullptr;
      fn();
    }
    if (!queue_.empty()) {
      write_next();
      return;
    }
    writing_ = false;
    if (stream_ended_)
      finish_exchange(!keep_after_stream_);
  }

  void stop_watching() {
    beast::error_code ignored;
    stream_.socket().cancel(ignored);
  }

  /// The answer is on the wire: read the next request or close.
  void finish_exchange(bool close_now) {
    stop_watching();
    busy_ = false;
    streaming_ = false;
    stream_ended_ = false;
    on_cancel_ = nullptr;
    on_drain_ = nullptr;
    head_only_ = false;
    if (close_now || closed_) {
      close();
      return;
    }
    first_ = false;
    read_header();
  }

  void close() {
    if (closed_)
      return;
    closed_ = true;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    if (on_drain_) {
      auto fn = std::move(on_drain_);
      on_drain_ = nullptr;
      fn(); // a paused producer must learn the connection is gone
    }
  }

  client_stream stream_;
  // Sessions may outlive the http_server handle (they sit in the I/O
  // queues until the runtime is destroyed), so they share the state.
  std::shared_ptr<http_server::impl> owner_;
  http_server::impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<parser_t> parser_;
  std::string out_head_; // the complete response being written
  std::string out_body_;
  std::deque<std::string> queue_;
  std::function<void()> on_drain_;
  std::function<void()> on_cancel_;
  std::string peer_;
  std::chrono::steady_clock::time_point body_deadline_;
  bool first_ = true;
  bool busy_ = false;
  bool closed_ = false;
  bool keep_alive_ = true;
  bool head_only_ = false;
  bool streaming_ = false;
  bool stream_ended_ = false;
  bool keep_after_stream_ = false;
  bool writing_ = false;
  bool client_gone_ = false;
  int io_index_ = -1;
};

namespace {

/// The sink handed to handlers: keeps the session alive until the exchange
/// ends and forwards each call onto the session's I/O thread.
class session_sink final : public response_sink {
public:
  explicit session_sink(std::shared_ptr<session> s) : s_(std::move(s)) {}
  void respond(http_response res) override {
    s_->post([res = std::move(res)](session& s) mutable {
      s.respond(std::move(res));
    });
  }
  void begin_stream(http_response head) override {
    s_->post([head = std::move(head)](session& s) mutable {
      s.begin_stream(std::move(head));
    });
  }
  void write(std::string bytes) override {
    s_->post([bytes = std::move(bytes)](session& s) mutable {
      s.write_chunk(std::move(bytes));
    });
  }
  void end_stream() override {
    s_->post([](session& s) {
      s.end_stream();
    });
  }
  size_t backlog() const override {
    return s_->backlog_.load();
  }
  void on_drain(std::function<void()> fn) override {
    s_->post([fn = std::move(fn)](session& s) mutable {
      s.set_on_drain(std::move(fn));
    });
  }
  void on_cancel(std::function<void()> fn) override {
    s_->post([fn = std::move(fn)](session& s) mutable {
      s.set_on_cancel(std::move(fn));
    });
  }
  int io_affinity() const override {
    return s_->io_index();
  }

private:
  std::shared_ptr<session> s_;
};

} // namespace

void session::dispatch_request() {
  keep_alive_ = parser_->keep_alive();
  head_only_ = parser_->method() == bhttp::verb::head;
  // Method, target, lower-cased headers and body, as request_reader read
  // them: no copy of the head.
  http_request req = parser_->release();
  parser_.reset();
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
  req.peer_ip = peer_;
  busy_ = true;
  // The handler may take long (an upstream exchange): no read deadline
  // while it runs; the request actor owns the request's own timeouts.
  stream_.expires_never();
  watch_client();
  srv_.handler->handle(std::move(req),
                       std::make_shared<session_sink>(shared_from_this()));
}

void http_server::impl::do_accept(size_t io_index) {
  // The accepted socket belongs to this acceptor's context: the connection
  // stays on the thread that accepted it.
  acceptors[io_index]->async_accept(
    io.context(io_index), [this, self = shared_from_this(), io_index](
                            beast::error_code ec, client_socket socket) {
      on_accept(ec, std::move(socket), io_index);
    });
}

void http_server::impl::on_accept(beast::error_code ec, client_socket socket,
                                  size_t io_index) {
  if (ec == net::error::operation_aborted || !acceptors[io_index]->is_open())
    return;
  if (!ec) {
    if (connections.load() >= options.max_connections) {
      // Over the limit: refuse by closing at once; the client retries.
      refused.fetch_add(1, std::memory_order_relaxed);
      if (warning_due(last_limit_warning_ms))
        OH_WARN("connection limit {} reached; refusing connections ({} so "
                "far)",
                options.max_connections, refused.load());
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<session>(std::move(socket), shared_from_this(),
                                static_cast<int>(io_index))
        ->start();
    }
  } else if (out_of_descriptors(ec)) {
    pause_accepting(io_index, ec);
    return;
  } else {
    OH_WARN("accept failed: {}", ec.message());
  }
  do_accept(io_index);
}

void http_server::impl::pause_accepting(size_t io_index,
                                        const beast::error_code& ec) {
  // The pending connection stays in the kernel's backlog; accepting again
  // at once would fail at once, for ever, on both cores.
  accept_pauses.fetch_add(1, std::memory_order_relaxed);
  if (warning_due(last_fd_warning_ms))
    OH_WARN("accept failed: {}; pausing accepts for {} ms ({} pauses so far)",
            ec.message(), accept_pause.count(), accept_pauses.load());
  auto& timer = *accept_timers[io_index];
  timer.expires_after(accept_pause);
  timer.async_wait(
    [this, self = shared_from_this(), io_index](beast::error_code wait_ec) {
      if (wait_ec || !acceptors[io_index]->is_open())
        return;
      do_accept(io_index);
    });
}

http_server::http_server(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

http_server::~http_server() {
  stop();
}

expected<std::shared_ptr<http_server>>
http_server::start(providers::io_runtime& io, const server_options& options,
                   std::shared_ptr<request_handler> handler) {
  auto p = std::make_shared<impl>(io);
  p->options = options;
  p->handler = std::move(handler);
  beast::error_code ec;
  auto address = net::ip::make_address(options.host, ec);
  if (ec)
    return fail(errc::bad_config,
                "server.host: not an IP address: " + options.host);
  tcp::endpoint endpoint{address, options.port};
  auto& first = *p->acceptors.front();
  first.open(endpoint.protocol(), ec);
  if (!ec)
    first.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    first.bind(endpoint, ec);
  if (!ec)
    first.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string why
      = ec == net::error::address_in_use ? "port in use" : ec.message();
    return fail(errc::bad_config,
                "server.port: cannot listen on " + options.host + ":"
                  + std::to_string(options.port) + ": " + why);
  }
  p->bound_port = first.local_endpoint().port();
  for (size_t i = 1; i < io.size(); ++i) {
    int fd = ::dup(first.native_handle());
    if (fd < 0)
      break; // fewer acceptors: connections are still all accepted
    auto extra = std::make_unique<tcp::acceptor>(io.context(i));
    extra->assign(endpoint.protocol(), fd, ec);
    if (ec) {
      ::close(fd);
      ec = {};
      break;
    }
    p->acceptors.push_back(std::move(extra));
  }
  for (auto& a : p->acceptors)
    p->accept_timers.push_back(
      std::make_unique<net::steady_timer>(a->get_executor()));
  for (size_t i = 0; i < p->acceptors.size(); ++i)
    p->do_accept(i);
  return std::shared_ptr<http_server>{new http_server(std::move(p))};
}

void http_server::stop_accepting() {
  if (impl_->draining.exchange(true))
    return;
  for (size_t i = 0; i < impl_->acceptors.size(); ++i)
    net::post(
      impl_->acceptors[i]->get_executor(),
      [a = impl_->acceptors[i].get(), t = impl_->accept_timers[i].get()] {
        beast::error_code ec;
        a->close(ec);
        t->cancel();
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

uint64_t http_server::accept_pauses() const {
  return impl_->accept_pauses.load();
}

uint64_t http_server::refused_connections() const {
  return impl_->refused.load();
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
  stop_accepting();
  std::vector<std::weak_ptr<session>> all;
  {
    std::lock_guard guard{impl_->sessions_mutex};
    for (auto* s : impl_->sessions)
      all.push_back(s->weak_from_this());
  }
  for (auto& weak : all)
    if (auto s = weak.lock())
      s->notify_stop();
}

} // namespace oh::http
