#include "providers/upstream_client.hpp"

#include <array>
#include <map>
#include <mutex>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/http_head.hpp"
#include "core/logging.hpp"
#include "providers/io_runtime.hpp"
#include "providers/response_reader.hpp"

namespace oh::providers {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

// Streams, timers and the resolver name their context's executor type
// instead of the type-erased any_io_executor: every handler and timer
// operation copied, compared and destroyed an any_io_executor (~2 % of the
// I/O threads' time, docs/performance.md).
using io_executor = net::io_context::executor_type;
using plain_stream = beast::basic_stream<tcp, io_executor>;
using tls_stream = beast::ssl_stream<plain_stream>;
using socket_type = plain_stream::socket_type;
using resolver_type = net::ip::basic_resolver<tcp, io_executor>;
using timer_type
  = net::basic_waitable_timer<std::chrono::steady_clock,
                              net::wait_traits<std::chrono::steady_clock>,
                              io_executor>;
using clock_type = std::chrono::steady_clock;

/// Idle pooled connections older than this are closed instead of reused.
constexpr auto max_idle_age = std::chrono::seconds(30);
/// Idle connections kept per upstream host and I/O thread. Below the number
/// of exchanges that run at once, connections are closed on return and
/// opened again for the next request: with 64 and 256 client connections,
/// 9 % of requests opened a new upstream connection (docs/performance.md).
constexpr size_t max_idle_per_host = 256;

template<class S>
struct pooled {
  std::unique_ptr<S> stream;
  clock_type::time_point since;
};

template<class S>
socket_type& socket_of(S& s) {
  return beast::get_lowest_layer(s).socket();
}

} // namespace

const char* to_string(upstream_failure f) {
  switch (f) {
    case upstream_failure::connect:
      return "connect";
    case upstream_failure::tls:
      return "tls";
    case upstream_failure::timeout_connect:
      return "timeout_connect";
    case upstream_failure::timeout_first_byte:
      return "timeout_first_byte";
    case upstream_failure::timeout_idle:
      return "timeout_idle";
    case upstream_failure::timeout_total:
      return "timeout_total";
    case upstream_failure::broken:
      return "broken";
    case upstream_failure::protocol:
      return "protocol";
    case upstream_failure::too_large:
      return "too_large";
    case upstream_failure::cancelled:
      return "cancelled";
  }
  return "unknown";
}

expected<upstream_url> parse_url(std::string_view url) {
  upstream_url out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return fail(errc::invalid_value, "URL must start with http:// or https://");
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out.target
    = slash == std::string_view::npos ? "/" : std::string{rest.substr(slash)};
  if (authority.empty())
    return fail(errc::invalid_value, "URL has no host");
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(errc::invalid_value, "URL has a malformed IPv6 host");
    out.host = std::string{authority.substr(1, close - 1)};
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      out.port = std::string{authority.substr(close + 2)};
  } else {
    auto colon = authority.rfind(':');
    out.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos)
      out.port = std::string{authority.substr(colon + 1)};
  }
  if (out.port.empty())
    out.port = out.tls ? "443" : "80";
  for (char c : out.port)
    if (c < '0' || c > '9')
      return fail(errc::invalid_value, "URL has a malformed port");
  return out;
}

/// Idle keep-alive connections of one I/O context: a socket belongs to the
/// context it was opened on, so each context keeps its own.
struct connection_pool {
  std::mutex mu;
  std::map<std::string, std::vector<pooled<plain_stream>>> plain_idle;
  std::map<std::string, std::vector<pooled<tls_stream>>> tls_idle;

  template<class S>
  std::map<std::string, std::vector<pooled<S>>>& idle() {
    if constexpr (std::is_same_v<S, tls_stream>)
      return tls_idle;
    else
      return plain_idle;
  }

  size_t size() {
    std::lock_guard guard{mu};
    size_t n = 0;
    for (auto& [k, v] : plain_idle)
      n += v.size();
    for (auto& [k, v] : tls_idle)
      n += v.size();
    return n;
  }
};

struct upstream_client::impl {
  io_runtime& io;
  // Made on the first https exchange: the system's CA bundle and the
  // libcrypto code that parses it were ~1.3 MB of the idle RSS, which a
  // gateway with only local upstreams (Ollama, plain-HTTP proxies) never
  // needs.
  std::once_flag tls_once;
  std::optional<ssl::context> tls_ctx_;
  std::vector<std::unique_ptr<connection_pool>> pools;

  ssl::context& tls_ctx() {
    std::call_once(tls_once, [this] {
      tls_ctx_.emplace(ssl::context::tls_client);
      tls_ctx_->set_default_verify_paths();
      tls_ctx_->set_verify_mode(ssl::verify_peer);
    });
    return *tls_ctx_;
  }

  explicit impl(io_runtime& r) : io(r) {
    for (size_t i = 0; i < io.size(); ++i)
      pools.push_back(std::make_unique<connection_pool>());
  }

  /// The context an exchange runs on: the client connection's when known.
  size_t context_for(int affinity) {
    return affinity >= 0 ? static_cast<size_t>(affinity) % io.size()
                         : io.next_index();
  }

  template<class S>
  std::unique_ptr<S> checkout(size_t context, const std::string& key) {
    auto& pool = *pools[context];
    std::lock_guard guard{pool.mu};
    auto& list = pool.idle<S>()[key];
    auto now = clock_type::now();
    while (!list.empty()) {
      auto item = std::move(list.back());
      list.pop_back();
      if (now - item.since < max_idle_age && socket_of(*item.stream).is_open())
        return std::move(item.stream);
      // Too old: closing it here is safe, no operation is pending on it.
      beast::error_code ec;
      socket_of(*item.stream).close(ec);
    }
    return nullptr;
  }

  template<class S>
  void checkin(size_t context, const std::string& key,
               std::unique_ptr<S> stream) {
    auto& pool = *pools[context];
    std::lock_guard guard{pool.mu};
    auto& list = pool.idle<S>()[key];
    if (list.size() >= max_idle_per_host)
      return; // dropped: the destructor closes it
    list.push_back({std::move(stream), clock_type::now()});
  }
};

namespace {

template<class S>
class exchange final : public upstream_exchange,
                       public std::enable_shared_from_this<exchange<S>> {
public:
  exchange(std::shared_ptr<upstream_client::impl> client, upstream_request req,
           std::shared_ptr<upstream_handler> handler, size_t context)
    : client_(std::move(client)), req_(std::move(req)),
      handler_(std::move(handler)), key_(req_.url.host + ":" + req_.url.port),
      context_(context), stream_(client_->template checkout<S>(context_, key_)),
      // The whole exchange runs on its context's one thread: no strand.
      ex_(client_->io.context(context_).get_executor()), deadline_(ex_),
      heartbeat_(ex_) {
    reused_ = stream_ != nullptr;
  }

  void start() {
    net::dispatch(ex_, [self = this->shared_from_this()] {
      if (self->req_.total_timeout.count() > 0) {
        self->deadline_.expires_after(self->req_.total_timeout);
        self->deadline_.async_wait([weak = std::weak_ptr<exchange>(self)](
                                     beast::error_code ec) {
          if (auto s = weak.lock(); s && !ec)
            s->fail(upstream_failure::timeout_total,
                    "the exchange took longer than "
                      + std::to_string(s->req_.total_timeout.count()) + " ms");
        });
      }
      if (self->req_.heartbeat.count() > 0)
        self->beat();
      if (self->reused_)
        self->send();
      else
        self->resolve();
    });
  }

  void cancel() override {
    net::post(ex_, [self = this->shared_from_this()] {
      self->fail(upstream_failure::cancelled, "cancelled");
    });
  }

  void resume() override {
    net::post(ex_, [self = this->shared_from_this()] {
      if (self->paused_ && !self->done_) {
        self->paused_ = false;
        self->read_body();
      }
    });
  }

private:
  void resolve() {
    resolver_.emplace(ex_);
    resolver_->async_resolve(
      req_.url.host, req_.url.port,
      [self = this->shared_from_this()](beast::error_code ec,
                                        resolver_type::results_type results) {
        self->on_resolve(ec, std::move(results));
      });
  }

  void on_resolve(beast::error_code ec, resolver_type::results_type results) {
    if (done_)
      return;
    if (ec) {
      fail(upstream_failure::connect,
           "cannot resolve " + req_.url.host + ": " + ec.message());
      return;
    }
    if constexpr (std::is_same_v<S, tls_stream>) {
      stream_ = std::make_unique<S>(ex_, client_->tls_ctx());
      // SNI and host name verification against the certificate.
      if (!SSL_set_tlsext_host_name(stream_->native_handle(),
                                    req_.url.host.c_str())) {
        fail(upstream_failure::tls, "cannot set SNI");
        return;
      }
      stream_->set_verify_callback(ssl::host_name_verification(req_.url.host));
    } else {
      stream_ = std::make_unique<S>(ex_);
    }
    beast::get_lowest_layer(*stream_).expires_after(req_.connect_timeout);
    beast::get_lowest_layer(*stream_).async_connect(
      results, [self = this->shared_from_this()](beast::error_code ec,
                                                 const tcp::endpoint&) {
        self->on_connect(ec);
      });
  }

  void on_connect(beast::error_code ec) {
    if (done_)
      return;
    if (ec) {
      fail(ec == beast::error::timeout ? upstream_failure::timeout_connect
                                       : upstream_failure::connect,
           "cannot connect to " + key_ + ": " + ec.message());
      return;
    }
    socket_of(*stream_).set_option(tcp::no_delay(true), ec);
    if constexpr (std::is_same_v<S, tls_stream>) {
      stream_->async_handshake(
        ssl::stream_base::client,
        [self = this->shared_from_this()](beast::error_code ec) {
          if (self->done_)
            return;
          if (ec) {
            self->fail(
              ec == beast::error::timeout ? upstream_failure::timeout_connect
                                          : upstream_failure::tls,
              "TLS handshake with " + self->key_ + " failed: " + ec.message());
            return;
          }
          self->send();
        });
    } else {
      send();
    }
  }

  void send() {
    bool default_port = req_.url.port == (req_.url.tls ? "443" : "80");
    head_ = http_head::request(
      req_.method, req_.url.target,
      default_port ? req_.url.host : req_.url.host + ":" + req_.url.port,
      "openhinge/" OH_VERSION, req_.headers, req_.body.size());
    beast::get_lowest_layer(*stream_).expires_after(req_.connect_timeout
                                                    + req_.first_byte_timeout);
    // Head and body as two buffers of one write (core/http_head.hpp).
    std::array<net::const_buffer, 2> buffers{net::buffer(head_),
                                             net::buffer(req_.body)};
    net::async_write(
      *stream_, buffers,
      [self = this->shared_from_this()](beast::error_code ec, size_t) {
        self->on_write(ec);
      });
  }

  /// A pooled connection the server closed meanwhile fails before any byte
  /// of the response: try once more on a new connection.
  bool retry_fresh() {
    if (!reused_ || got_bytes_ || retried_)
      return false;
    retried_ = true;
    reused_ = false;
    beast::error_code ignored;
    socket_of(*stream_).close(ignored);
    stream_.reset();
    buffer_.clear();
    resolve();
    return true;
  }

  void on_write(beast::error_code ec) {
    if (done_)
      return;
    if (ec) {
      if (!retry_fresh())
        fail(upstream_failure::broken,
             "writing the request failed: " + ec.message());
      return;
    }
    parser_.emplace();
    parser_->body_limit(boost::none);
    parser_->header_limit(64 * 1024);
    beast::get_lowest_layer(*stream_).expires_after(req_.first_byte_timeout);
    bhttp::async_read_header(
      *stream_, buffer_, *parser_,
      [self = this->shared_from_this()](beast::error_code ec, size_t) {
        self->on_header(ec);
      });
  }

  void on_header(beast::error_code ec) {
    if (done_)
      return;
    if (ec) {
      if (ec == beast::error::timeout) {
        fail(upstream_failure::timeout_first_byte,
             "no response from " + key_ + " within "
               + std::to_string(req_.first_byte_timeout.count()) + " ms");
      } else if (!retry_fresh()) {
        bool http_error
          = ec.category()
              == bhttp::make_error_code(bhttp::error::bad_version).category()
            && ec != bhttp::error::end_of_stream
            && ec != bhttp::error::partial_message;
        fail(http_error ? upstream_failure::protocol : upstream_failure::broken,
             "reading the response head failed: " + ec.message());
      }
      return;
    }
    got_bytes_ = true;
    handler_->on_head(parser_->status(), parser_->headers());
    read_body();
  }

  void read_body() {
    if (done_)
      return;
    if (parser_->is_done()) {
      finish();
      return;
    }
    beast::get_lowest_layer(*stream_).expires_after(req_.idle_timeout);
    bhttp::async_read_some(
      *stream_, buffer_, *parser_,
      [self = this->shared_from_this()](beast::error_code ec, size_t) {
        self->on_body(ec);
      });
  }

  void on_body(beast::error_code ec) {
    if (done_)
      return;
    if (ec) {
      fail(ec == beast::error::timeout ? upstream_failure::timeout_idle
                                       : upstream_failure::broken,
           ec == beast::error::timeout
             ? "no data from " + key_ + " for "
                 + std::to_string(req_.idle_timeout.count()) + " ms"
             : "reading the response body failed: " + ec.message());
      return;
    }
    // What this read parsed (one socket read's worth at most).
    bool more = true;
    if (!parser_->body().empty())
      more = handler_->on_body(parser_->body());
    if (parser_)
      parser_->clear_body();
    if (done_)
      return; // the handler cancelled
    if (parser_->is_done()) {
      finish();
      return;
    }
    if (!more) {
      paused_ = true;
      beast::get_lowest_layer(*stream_).expires_never();
      return;
    }
    read_body();
  }

  /// Arms the next heartbeat; stops when the handler says so or the
  /// exchange is over.
  void beat() {
    heartbeat_.expires_after(req_.heartbeat);
    heartbeat_.async_wait([weak = std::weak_ptr<exchange>(
                             this->shared_from_this())](beast::error_code ec) {
      auto s = weak.lock();
      if (!s || ec || s->done_ || !s->handler_)
        return;
      if (s->handler_->on_heartbeat())
        s->beat();
    });
  }

  void finish() {
    done_ = true;
    deadline_.cancel();
    heartbeat_.cancel();
    bool keep = parser_->keep_alive() && buffer_.size() == 0;
    beast::get_lowest_layer(*stream_).expires_never();
    if (keep)
      client_->template checkin<S>(context_, key_, std::move(stream_));
    handler_->on_end();
    handler_.reset();
  }

  void fail(upstream_failure kind, const std::string& message) {
    if (done_)
      return;
    done_ = true;
    deadline_.cancel();
    heartbeat_.cancel();
    beast::error_code ignored;
    if (resolver_)
      resolver_->cancel();
    if (stream_)
      socket_of(*stream_).close(ignored);
    if (handler_)
      handler_->on_fail(kind, message);
    handler_.reset();
  }

  std::shared_ptr<upstream_client::impl> client_;
  upstream_request req_;
  std::shared_ptr<upstream_handler> handler_;
  std::string key_;
  size_t context_;
  std::unique_ptr<S> stream_;
  io_executor ex_;
  // Made only when a new connection is needed: most exchanges reuse a
  // pooled one, and a resolver costs an allocation and a service lookup.
  std::optional<resolver_type> resolver_;
  timer_type deadline_;
  timer_type heartbeat_;
  beast::flat_buffer buffer_;
  std::string head_; // the request head being written
  std::optional<response_reader> parser_;
  bool reused_ = false;
  bool retried_ = false;
  bool got_bytes_ = false;
  bool done_ = false;
  bool paused_ = false;
};

} // namespace

upstream_client::upstream_client(io_runtime& io)
  : impl_(std::make_shared<impl>(io)) {}

upstream_client::~upstream_client() = default;

std::shared_ptr<upstream_exchange>
upstream_client::start(upstream_request req,
                       std::shared_ptr<upstream_handler> handler,
                       int io_affinity) {
  auto context = impl_->context_for(io_affinity);
  if (req.url.tls) {
    auto x = std::make_shared<exchange<tls_stream>>(
      impl_, std::move(req), std::move(handler), context);
    x->start();
    return x;
  }
  auto x = std::make_shared<exchange<plain_stream>>(
    impl_, std::move(req), std::move(handler), context);
  x->start();
  return x;
}

size_t upstream_client::idle_connections() const {
  size_t n = 0;
  for (auto& pool : impl_->pools)
    n += pool->size();
  return n;
}

} // namespace oh::providers
