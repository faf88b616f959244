// loadgen: a small HTTP/1.1 load generator for tools/bench, for what wrk does
// not measure: open-loop latency from the scheduled send time (no
// coordinated omission), and streams (time to first byte, total, stalls,
// clients that disconnect). Targets 127.0.0.1 only; every run ends by itself.
//
//   loadgen --port P --path /v1/chat/completions --body FILE [--header H]...
//           --mode open --rate R --duration S [--conns N]
//           --mode stream --conns N [--streams M] [--abort-after-bytes B]
//                         [--stall-ms 500]
// Prints one JSON object with the measurements.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
  uint16_t port = 0;
  std::string path = "/v1/chat/completions";
  std::string body;
  std::vector<std::string> headers;
  std::string mode = "open";
  double rate = 100;
  double duration_s = 5;
  int conns = 64;
  int streams = 0;
  long abort_after_bytes = -1;
  int stall_ms = 500;
};

std::string request_text(const options& o) {
  std::string r = "POST " + o.path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/json\r\nContent-Length: "
                  + std::to_string(o.body.size()) + "\r\n";
  for (auto& h : o.headers)
    r += h + "\r\n";
  return r + "\r\n" + o.body;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  size_t i
    = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t)
    .count();
}

/// One keep-alive connection sending whole requests and reading whole
/// responses (Content-Length or chunked), for the open-loop mode.
class client : public std::enable_shared_from_this<client> {
public:
  client(net::io_context& ioc, const options& o, std::vector<double>& lat,
         int64_t& errors)
    : sock_(ioc), opt_(o), req_(request_text(o)), lat_(lat), errors_(errors) {}
  void connect(std::function<void()> ready) {
    sock_.async_connect({net::ip::make_address("127.0.0.1"), opt_.port},
                        [self = shared_from_this(), ready](auto ec) {
                          if (!ec) {
                            self->sock_.set_option(tcp::no_delay(true));
                            self->up_ = true;
                          }
                          ready();
                        });
  }
  bool idle() const {
    return up_ && !busy_;
  }
  /// Sends one request scheduled at `when` (latency counts from then).
  void send(clock_type::time_point when) {
    busy_ = true;
    scheduled_ = when;
    net::async_write(sock_, net::buffer(req_),
                     [self = shared_from_this()](auto ec, size_t) {
                       if (ec)
                         return self->fail();
                       self->read_head();
                     });
  }

private:
  void fail() {
    ++errors_;
    busy_ = false;
    up_ = false;
  }
  void read_head() {
    net::async_read_until(
      sock_, buf_, "\r\n\r\n", [self = shared_from_this()](auto ec, size_t n) {
        if (ec)
          return self->fail();
        std::string head(net::buffers_begin(self->buf_.data()),
                         net::buffers_begin(self->buf_.data())
                           + static_cast<long>(n));
        self->buf_.consume(n);
        if (head.compare(9, 3, "200") != 0)
          ++self->errors_;
        auto cl = head.find("Content-Length: ");
        if (cl == std::string::npos)
          cl = head.find("content-length: ");
        if (cl == std::string::npos)
          return self->fail(); // the open-loop mode expects whole bodies
        self->remaining_ = std::stoul(head.substr(cl + 16));
        self->read_body();
      });
  }
  void read_body() {
    auto have = std::min(remaining_, buf_.size());
    buf_.consume(have);
    remaining_ -= have;
    if (remaining_ == 0) {
      lat_.push_back(ms_since(scheduled_));
      busy_ = false;
      return;
    }
    net::async_read(sock_, buf_, net::transfer_exactly(remaining_),
                    [self = shared_from_this()](auto ec, size_t) {
                      if (ec)
                        return self->fail();
                      self->read_body();
                    });
  }

  tcp::socket sock_;
  const options& opt_;
  std::string req_;
  net::streambuf buf_;
  std::vector<double>& lat_;
  int64_t& errors_;
  size_t remaining_ = 0;
  bool up_ = false;
  bool busy_ = false;
  clock_type::time_point scheduled_;
};

int run_open(const options& o) {
  net::io_context ioc{1};
  std::vector<double> lat;
  int64_t errors = 0;
  std::vector<std::shared_ptr<client>> pool;
  int ready = 0;
  for (int i = 0; i < o.conns; ++i) {
    pool.push_back(std::make_shared<client>(ioc, o, lat, errors));
    pool.back()->connect([&] {
      ++ready;
    });
  }
  while (ready < o.conns)
    ioc.run_one();
  ioc.restart(); // run_one() left the context stopped once it ran dry
  // Sends are scheduled at fixed intervals; a request that finds no idle
  // connection waits in a queue, and its latency still counts from the
  // scheduled time, so a slow server cannot hide its queueing delay.
  auto interval = std::chrono::duration<double>(1.0 / o.rate);
  auto start = clock_type::now();
  auto end = start
             + std::chrono::duration_cast<clock_type::duration>(
               std::chrono::duration<double>(o.duration_s));
  std::deque<clock_type::time_point> pending;
  int64_t scheduled = 0;
  net::steady_timer timer{ioc};
  std::function<void()> tick = [&] {
    auto now = clock_type::now();
    while (true) {
      auto due = start
                 + std::chrono::duration_cast<clock_type::duration>(
                   interval * static_cast<double>(scheduled));
      if (due > now || due >= end)
        break;
      pending.push_back(due);
      ++scheduled;
    }
    for (auto& c : pool) {
      if (pending.empty())
        break;
      if (c->idle()) {
        c->send(pending.front());
        pending.pop_front();
      }
    }
    if (now < end || !pending.empty()) {
      timer.expires_after(std::chrono::microseconds(100));
      timer.async_wait([&](auto) {
        tick();
      });
    }
  };
  tick();
  ioc.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::duration<double>(o.duration_s + 10)));
  double took
    = std::chrono::duration<double>(clock_type::now() - start).count();
  std::printf(
    "{\"mode\":\"open\",\"rate\":%.0f,\"scheduled\":%lld,\"completed\":%zu,"
    "\"errors\":%lld,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
    "\"max_ms\":%.3f}\n",
    o.rate, static_cast<long long>(scheduled), lat.size(),
    static_cast<long long>(errors), static_cast<double>(lat.size()) / took,
    percentile(lat, 50), percentile(lat, 99), percentile(lat, 100));
  return 0;
}

/// One stream: time to first body byte, total time and the longest gap.
class streamer : public std::enable_shared_from_this<streamer> {
public:
  streamer(net::io_context& ioc, const options& o) : sock_(ioc), opt_(o) {}
  double ttfb_ms = -1, total_ms = -1, max_gap_ms = 0;
  bool failed = false, done = false, aborted = false;
  void start(std::function<void()> on_done) {
    on_done_ = std::move(on_done);
    started_ = clock_type::now();
    sock_.async_connect({net::ip::make_address("127.0.0.1"), opt_.port},
                        [self = shared_from_this()](auto ec) {
                          if (ec)
                            return self->finish(true);
                          self->sock_.set_option(tcp::no_delay(true));
                          self->req_ = request_text(self->opt_);
                          net::async_write(self->sock_, net::buffer(self->req_),
                                           [self](auto ec, size_t) {
                                             if (ec)
                                               return self->finish(true);
                                             self->read();
                                           });
                        });
  }

private:
  void read() {
    sock_.async_read_some(
      net::buffer(buf_), [self = shared_from_this()](auto ec, size_t n) {
        auto now = clock_type::now();
        if (n > 0) {
          if (self->ttfb_ms < 0)
            self->ttfb_ms = ms_since(self->started_);
          else
            self->max_gap_ms = std::max(
              self->max_gap_ms,
              std::chrono::duration<double, std::milli>(now - self->last_)
                .count());
          self->last_ = now;
          self->bytes_ += static_cast<long>(n);
          self->tail_.append(self->buf_, n);
          if (self->tail_.size() > 64)
            self->tail_.erase(0, self->tail_.size() - 64);
          if (self->opt_.abort_after_bytes >= 0
              && self->bytes_ >= self->opt_.abort_after_bytes) {
            self->aborted = true;
            return self->finish(false);
          }
          if (self->tail_.find("0\r\n\r\n") != std::string::npos)
            return self->finish(false);
        }
        if (ec)
          return self->finish(self->tail_.find("[DONE]") == std::string::npos);
        self->read();
      });
  }
  void finish(bool failed_now) {
    if (done)
      return;
    done = true;
    failed = failed_now;
    total_ms = ms_since(started_);
    boost::system::error_code ignored;
    sock_.close(ignored);
    on_done_();
  }
  tcp::socket sock_;
  const options& opt_;
  std::string req_;
  char buf_[16384];
  std::string tail_;
  long bytes_ = 0;
  clock_type::time_point started_, last_;
  std::function<void()> on_done_;
};

int run_stream(const options& o) {
  net::io_context ioc{1};
  int total = o.streams > 0 ? o.streams : o.conns;
  std::vector<std::shared_ptr<streamer>> all;
  int finished = 0;
  int launched = 0;
  // Keeps `conns` streams open at once until `total` have run.
  std::function<void()> launch = [&] {
    while (launched < total && launched - finished < o.conns) {
      auto s = std::make_shared<streamer>(ioc, o);
      all.push_back(s);
      ++launched;
      s->start([&] {
        ++finished;
        launch();
      });
    }
  };
  launch();
  ioc.run_for(std::chrono::seconds(600));
  std::vector<double> ttfb, tot;
  int failed = 0, stalls = 0;
  for (auto& s : all) {
    if (s->failed)
      ++failed;
    if (s->ttfb_ms >= 0)
      ttfb.push_back(s->ttfb_ms);
    if (!s->failed && !s->aborted)
      tot.push_back(s->total_ms);
    if (s->max_gap_ms > o.stall_ms)
      ++stalls;
  }
  std::printf(
    "{\"mode\":\"stream\",\"streams\":%d,\"concurrency\":%d,\"failed\":%d,"
    "\"stalls\":%d,\"ttfb_p50_ms\":%.3f,\"ttfb_p99_ms\":%.3f,"
    "\"total_p50_ms\":%.3f,\"total_p99_ms\":%.3f}\n",
    total, o.conns, failed, stalls, percentile(ttfb, 50), percentile(ttfb, 99),
    percentile(tot, 50), percentile(tot, 99));
  return failed == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--port")
      o.port = static_cast<uint16_t>(std::stoi(next()));
    else if (a == "--path")
      o.path = next();
    else if (a == "--body") {
      std::ifstream in{next()};
      std::stringstream ss;
      ss << in.rdbuf();
      o.body = ss.str();
    } else if (a == "--header")
      o.headers.push_back(next());
    else if (a == "--mode")
      o.mode = next();
    else if (a == "--rate")
      o.rate = std::stod(next());
    else if (a == "--duration")
      o.duration_s = std::stod(next());
    else if (a == "--conns")
      o.conns = std::stoi(next());
    else if (a == "--streams")
      o.streams = std::stoi(next());
    else if (a == "--abort-after-bytes")
      o.abort_after_bytes = std::stol(next());
    else if (a == "--stall-ms")
      o.stall_ms = std::stoi(next());
    else {
      std::cerr << "loadgen: unknown option " << a << "\n";
      return 2;
    }
  }
  if (o.port == 0) {
    std::cerr << "loadgen: --port is required (127.0.0.1 only)\n";
    return 2;
  }
  return o.mode == "stream" ? run_stream(o) : run_open(o);
}
