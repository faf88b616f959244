// soak_driver: the client side of tools/bench/soak.sh, a bounded soak of the
// gateway on 127.0.0.1 (docs/performance.md, "Soak"). Three commands:
//
//   soak_driver keys --port P --token-file F --count N [--conns C]
//                    [--rpm-keys A] [--budget-keys B] [--both-keys C2]
//                    --out FILE
//     creates N ohk_ keys through POST /admin/keys, C requests at once (one
//     keep-alive connection each), and writes one CSV line per key: index,
//     id, secret, class (rpm | budget | both | plain), rpm, daily budget in
//     cents. The first A keys get small rpm limits, the next B small daily
//     budgets, the next C2 both; the rest keep the default limit.
//
//   soak_driver traffic --port P --keys FILE --duration S [--rate R]
//                       [--grace S] [--seed N] [--run ID] --out FILE
//     open-loop traffic at R requests/s for S seconds: both dialects,
//     streamed and whole, scripted upstream faults (the fake upstream's
//     `[[fake …]]` directives: errors, 400s, 429s, hangs, stalls, drops,
//     in-band errors, slow first bytes), clients that leave before the
//     answer or mid-stream, bursts of four to one limited key. Each
//     request carries its own `x-request-id` (logged by the gateway as
//     client_request_id), so even a request whose client left before the
//     answer can be found in the log. Then it waits
//     up to `grace` seconds for the requests still open; those left are
//     "stuck". Writes one CSV line per request and prints a JSON summary.
//
//   soak_driver check --keys FILE --requests FILE --log FILE --prices FILE
//                     [--actors FILE]
//     compares the driver's requests with the usage log (the admin export,
//     NDJSON), checks every key's rpm window and daily budget against the
//     admitted rows, and reads what the gateway reports in flight. Prints
//     one JSON object; exits 1 when a check fails.
//
// Everything talks to 127.0.0.1 only and every command ends by itself.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <poll.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "core/json.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

// --- small helpers -----------------------------------------------------------

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

/// "2026-12-03T12:21:04.123Z" → epoch milliseconds (the log's format).
std::optional<int64_t> parse_iso_ms(const std::string& s) {
  int y, mo, d, h, mi, sec, ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi,
                  &sec, &ms)
      < 6)
    return std::nullopt;
  // Days from the civil date (Howard Hinnant's algorithm).
  y -= mo <= 2 ? 1 : 0;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60'000 + sec * 1000 + ms;
}

// --- an incremental HTTP/1.1 response reader ---------------------------------

/// Reads one response from bytes as they arrive: the head, then a
/// Content-Length or chunked body. Keeps the body's last bytes (enough to
/// see how a stream ended) and, for small answers, the whole body.
class response_reader {
public:
  /// Consumes `data`; false on a malformed response.
  bool feed(std::string_view data) {
    while (!data.empty() && !done) {
      if (!head_done) {
        head_ += data;
        data = {};
        auto end = head_.find("\r\n\r\n");
        if (end == std::string::npos)
          return head_.size() < 65536;
        std::string rest = head_.substr(end + 4);
        head_.resize(end + 2);
        if (!parse_head())
          return false;
        head_done = true;
        if (!chunked_ && length_ == 0)
          done = true;
        // The bytes after the head are the body's first bytes.
        pending_ = std::move(rest);
        data = pending_;
        continue;
      }
      size_t used = chunked_ ? feed_chunked(data) : feed_length(data);
      if (used == npos)
        return false;
      data.remove_prefix(used);
    }
    return true;
  }

  bool head_done = false;
  bool done = false;
  int status = 0;
  bool keep_alive = true;
  std::string request_id;
  size_t body_bytes = 0;
  std::string body;      // whole, up to max_body
  std::string body_tail; // the last bytes, for how a stream ended

private:
  static constexpr size_t npos = static_cast<size_t>(-1);
  static constexpr size_t max_body = 256 * 1024;

  bool parse_head() {
    if (head_.size() < 12 || head_.compare(0, 5, "HTTP/") != 0)
      return false;
    status = std::atoi(head_.c_str() + 9);
    size_t at = head_.find("\r\n") + 2;
    while (at < head_.size()) {
      auto eol = head_.find("\r\n", at);
      if (eol == std::string::npos)
        break;
      auto line = head_.substr(at, eol - at);
      at = eol + 2;
      auto colon = line.find(':');
      if (colon == std::string::npos)
        continue;
      auto name = lower(line.substr(0, colon));
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
      if (name == "content-length")
        length_ = std::stoull(value);
      else if (name == "transfer-encoding")
        chunked_ = lower(value).find("chunked") != std::string::npos;
      else if (name == "connection")
        keep_alive = lower(value).find("close") == std::string::npos;
      else if (name == "x-request-id")
        request_id = value;
    }
    return true;
  }

  void take(std::string_view bytes) {
    body_bytes += bytes.size();
    if (body.size() < max_body)
      body.append(bytes.substr(0, max_body - body.size()));
    body_tail.append(bytes);
    if (body_tail.size() > 512)
      body_tail.erase(0, body_tail.size() - 512);
  }

  size_t feed_length(std::string_view data) {
    auto n = std::min<size_t>(data.size(), length_ - seen_);
    take(data.substr(0, n));
    seen_ += n;
    if (seen_ == length_)
      done = true;
    return n;
  }

  /// Chunk sizes, data, CRLFs and the terminator as they arrive.
  size_t feed_chunked(std::string_view data) {
    size_t used = 0;
    while (used < data.size() && !done) {
      char c = data[used];
      switch (cstate_) {
        case cstate::size:
          ++used;
          if (c == '\n') {
            auto semi = line_.find(';');
            auto hex = line_.substr(0, semi);
            while (!hex.empty() && (hex.back() == '\r' || hex.back() == ' '))
              hex.pop_back();
            if (hex.empty())
              return npos;
            chunk_left_ = std::stoull(hex, nullptr, 16);
            line_.clear();
            cstate_ = chunk_left_ == 0 ? cstate::trailer : cstate::data;
          } else {
            line_ += c;
            if (line_.size() > 64)
              return npos;
          }
          break;
        case cstate::data: {
          auto n = std::min<size_t>(data.size() - used, chunk_left_);
          take(data.substr(used, n));
          used += n;
          chunk_left_ -= n;
          if (chunk_left_ == 0)
            cstate_ = cstate::data_end;
          break;
        }
        case cstate::data_end:
          ++used;
          if (c == '\n')
            cstate_ = cstate::size;
          break;
        case cstate::trailer:
          // No trailers are sent: the line after the last chunk is empty.
          ++used;
          if (c == '\n') {
            if (line_.empty() || line_ == "\r")
              done = true;
            line_.clear();
          } else {
            line_ += c;
          }
          break;
      }
    }
    return used;
  }

  enum class cstate { size, data, data_end, trailer };
  std::string head_;
  std::string pending_;
  std::string line_;
  bool chunked_ = false;
  size_t length_ = 0;
  size_t seen_ = 0;
  size_t chunk_left_ = 0;
  cstate cstate_ = cstate::size;
};

// --- keys --------------------------------------------------------------------

struct key_info {
  int index = 0;
  std::string id;
  std::string secret;
  std::string cls;
  int64_t rpm = 0;
  int64_t budget_cents = 0;
};

/// The small limits the hot keys get: far below what the traffic sends
/// them, so every window and budget is pushed against all run long.
constexpr int64_t small_rpms[] = {3, 5, 10, 20, 30};
constexpr int64_t small_budgets[] = {1, 2, 3, 5, 8, 13, 21, 34};
/// A key created without `rate_limit_rpm` gets this (SPEC §5.2).
constexpr int64_t default_rpm = 60;

struct key_plan {
  int count = 10000;
  int rpm_keys = 40;
  int budget_keys = 40;
  int both_keys = 10;
};

key_info planned_key(const key_plan& p, int i) {
  key_info k;
  k.index = i;
  k.rpm = default_rpm;
  if (i < p.rpm_keys) {
    k.cls = "rpm";
    k.rpm = small_rpms[i % std::size(small_rpms)];
  } else if (i < p.rpm_keys + p.budget_keys) {
    k.cls = "budget";
    k.rpm = 0; // unlimited: the budget is what stops it
    k.budget_cents = small_budgets[i % std::size(small_budgets)];
  } else if (i < p.rpm_keys + p.budget_keys + p.both_keys) {
    k.cls = "both";
    k.rpm = small_rpms[i % std::size(small_rpms)] * 2;
    k.budget_cents = small_budgets[i % std::size(small_budgets)];
  } else {
    k.cls = "plain";
  }
  return k;
}

std::string key_body(const key_info& k) {
  std::string b = "{\"name\":\"soak-" + std::to_string(k.index) + "\"";
  if (k.cls != "plain")
    b += ",\"rate_limit_rpm\":" + std::to_string(k.rpm);
  if (k.budget_cents > 0)
    b += ",\"daily_budget_cents\":" + std::to_string(k.budget_cents);
  return b + "}";
}

/// One keep-alive admin connection creating keys one after another.
class key_creator : public std::enable_shared_from_this<key_creator> {
public:
  key_creator(net::io_context& ioc, uint16_t port, std::string token,
              std::function<std::optional<key_info>()> next,
              std::function<void(key_info, std::string)> done)
    : sock_(ioc), port_(port), token_(std::move(token)), next_(std::move(next)),
      done_(std::move(done)) {}

  void start() {
    sock_.async_connect({net::ip::make_address("127.0.0.1"), port_},
                        [self = shared_from_this()](auto ec) {
                          if (ec) {
                            std::cerr << "keys: connect: " << ec.message()
                                      << "\n";
                            return;
                          }
                          self->sock_.set_option(tcp::no_delay(true));
                          self->send();
                        });
  }

private:
  void send() {
    auto k = next_();
    if (!k)
      return;
    key_ = std::move(*k);
    auto body = key_body(key_);
    req_ = "POST /admin/keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
           "Bearer "
           + token_ + "\r\nContent-Type: application/json\r\nContent-Length: "
           + std::to_string(body.size()) + "\r\n\r\n" + body;
    reader_ = response_reader{};
    net::async_write(sock_, net::buffer(req_),
                     [self = shared_from_this()](auto ec, size_t) {
                       if (ec)
                         return self->fail(ec.message());
                       self->read();
                     });
  }
  void read() {
    sock_.async_read_some(net::buffer(buf_),
                          [self = shared_from_this()](auto ec, size_t n) {
                            if (n > 0 && !self->reader_.feed({self->buf_, n}))
                              return self->fail("malformed response");
                            if (self->reader_.done)
                              return self->finish();
                            if (ec)
                              return self->fail(ec.message());
                            self->read();
                          });
  }
  void finish() {
    if (reader_.status != 201)
      return fail("HTTP " + std::to_string(reader_.status) + ": "
                  + reader_.body);
    auto doc = oh::json::parse(reader_.body);
    const oh::json::value* data = nullptr;
    if (doc && doc->IsObject())
      data = oh::json::find(*doc, "data");
    if (data == nullptr || !data->IsObject())
      return fail("no data in " + reader_.body);
    key_.id = oh::json::get_string(*data, "id").value_or("");
    key_.secret = oh::json::get_string(*data, "key").value_or("");
    done_(std::move(key_), {});
    send();
  }
  void fail(std::string why) {
    done_(std::move(key_), std::move(why));
  }

  tcp::socket sock_;
  uint16_t port_;
  std::string token_;
  std::function<std::optional<key_info>()> next_;
  std::function<void(key_info, std::string)> done_;
  key_info key_;
  std::string req_;
  response_reader reader_;
  char buf_[16384];
};

int run_keys(uint16_t port, const std::string& token, const key_plan& plan,
             int conns, const std::string& out_path) {
  net::io_context ioc{1};
  std::vector<key_info> made(static_cast<size_t>(plan.count));
  int issued = 0, finished = 0, errors = 0;
  auto started = clock_type::now();
  auto next = [&]() -> std::optional<key_info> {
    if (issued >= plan.count || errors > 0)
      return std::nullopt;
    return planned_key(plan, issued++);
  };
  // When each thousandth key was answered: the rate over the run shows
  // whether a key costs more as the gateway holds more of them.
  std::vector<double> thousands;
  auto done = [&](key_info k, std::string why) {
    if (++finished % 1000 == 0)
      thousands.push_back(ms_between(started, clock_type::now()) / 1000.0);
    if (!why.empty()) {
      if (errors++ == 0)
        std::cerr << "keys: key " << k.index << ": " << why << "\n";
      return;
    }
    made[static_cast<size_t>(k.index)] = std::move(k);
  };
  for (int i = 0; i < conns; ++i)
    std::make_shared<key_creator>(ioc, port, token, next, done)->start();
  ioc.run();
  double took = ms_between(started, clock_type::now()) / 1000.0;
  if (errors > 0 || finished != plan.count) {
    std::cerr << "keys: " << finished << " of " << plan.count << " answered, "
              << errors << " errors\n";
    return 1;
  }
  std::ofstream out{out_path};
  for (auto& k : made)
    out << k.index << ',' << k.id << ',' << k.secret << ',' << k.cls << ','
        << k.rpm << ',' << k.budget_cents << '\n';
  double first = thousands.empty() ? took : thousands.front();
  double last = thousands.size() < 2
                  ? first
                  : thousands.back() - thousands[thousands.size() - 2];
  std::printf("{\"keys\":%d,\"conns\":%d,\"seconds\":%.2f,\"per_s\":%.0f,"
              "\"first_1000_per_s\":%.0f,\"last_1000_per_s\":%.0f}\n",
              plan.count, conns, took, plan.count / took, 1000 / first,
              1000 / last);
  return 0;
}

std::vector<key_info> read_keys(const std::string& path) {
  std::vector<key_info> keys;
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line)) {
    auto f = split(line, ',');
    if (f.size() < 6)
      continue;
    key_info k;
    k.index = std::stoi(f[0]);
    k.id = f[1];
    k.secret = f[2];
    k.cls = f[3];
    k.rpm = std::stoll(f[4]);
    k.budget_cents = std::stoll(f[5]);
    keys.push_back(std::move(k));
  }
  return keys;
}

// --- traffic -----------------------------------------------------------------

/// What the upstream is scripted to do (the fake's directives). A body's
/// directives reach every account the request is tried on, so a scripted
/// failure fails each attempt of its fallback chain.
enum class fault {
  none,      // a normal answer
  s500,      // every attempt answers 500: 502 after the fallbacks
  s503,      // the same with 503
  s400,      // the upstream blames the request: passed through, no fallback
  s429,      // a 429 with retry-after 1 s: the account is limited for 1 s
  hang,      // stream: head then silence; whole: slower than timeout_ms
  stall,     // stream: silence after 2 events; whole: a slow answer
  drop,      // stream: connection closed after 2 events; whole: 502
  inband,    // stream: the vendor's in-band error; whole: 500
  slowfirst, // first byte after 1.2 s (inside the timeouts)
};

const char* fault_name(fault f) {
  switch (f) {
    case fault::none:
      return "none";
    case fault::s500:
      return "s500";
    case fault::s503:
      return "s503";
    case fault::s400:
      return "s400";
    case fault::s429:
      return "s429";
    case fault::hang:
      return "hang";
    case fault::stall:
      return "stall";
    case fault::drop:
      return "drop";
    case fault::inband:
      return "inband";
    case fault::slowfirst:
      return "slowfirst";
  }
  return "?";
}

/// Per mille of the OpenAI and Claude models' requests with each fault; the
/// rest are `none`. Each account of a pair sees half the normal traffic and
/// every failed request, so the failures that count against an account
/// (5xx, timeouts, drops, in-band errors; ~4 % of requests) make ~8 % of
/// its attempts, and five in a row (the breaker's default) stay rare: the
/// soak is about the gateway's state over time, not about open circuits.
/// 429s go only to the side accounts (an account answering 429 is skipped
/// until its retry-after, SPEC §6.3).
const std::pair<fault, int> fault_weights[]
  = {{fault::s500, 10},  {fault::s503, 5},      {fault::s400, 10},
     {fault::hang, 5},   {fault::stall, 8},     {fault::drop, 10},
     {fault::inband, 8}, {fault::slowfirst, 15}};

/// Requests per mille for the side accounts' models (Gemini and Ollama
/// wires, one account each, nobody's fallback), and the per mille of those
/// that answer 429 or 500.
constexpr int side_share = 60;
constexpr int side_429 = 20;
constexpr int side_500 = 30;

/// What the client does.
enum class action { read_all, leave_early, leave_mid_stream };

const char* action_name(action a) {
  switch (a) {
    case action::read_all:
      return "read";
    case action::leave_early:
      return "leave_early";
    case action::leave_mid_stream:
      return "leave_mid";
  }
  return "?";
}

struct request_record {
  int64_t seq = 0;
  std::string client_id;
  int key = 0;
  bool anthropic = false;
  std::string model;
  bool stream = false;
  fault f = fault::none;
  action act = action::read_all;
  size_t body_bytes = 0;
  double sent_ms = -1; // since the run's start
  double head_ms = -1;
  double end_ms = -1;
  int status = 0;
  std::string request_id;
  /// complete | aborted | broken | stuck | unsent
  std::string outcome = "unsent";
  /// For streams: done (the dialect's end), error (an in-band error, then
  /// the end), none (the body ended without either).
  std::string stream_end;
  bool written = false; // the whole request reached the socket
  size_t bytes = 0;
  std::string error;
};

struct traffic_options {
  uint16_t port = 0;
  std::string keys_path;
  double duration_s = 60;
  double rate = 400;
  double grace_s = 30;
  uint64_t seed = 1;
  std::string run_id = "soak";
  std::string out_path;
  int max_open = 3000;
};

class traffic;

/// A keep-alive client connection, reused for the next request when the
/// answer was read whole.
struct connection {
  explicit connection(net::io_context& ioc) : sock(ioc) {}
  tcp::socket sock;
  clock_type::time_point idle_since;
};

/// One request from send to its outcome.
class exchange : public std::enable_shared_from_this<exchange> {
public:
  exchange(traffic& t, request_record& rec, std::unique_ptr<connection> conn,
           std::string wire, int64_t abort_after_ms, size_t abort_after_bytes)
    : t_(t), rec_(rec), conn_(std::move(conn)), wire_(std::move(wire)),
      timer_(conn_->sock.get_executor()), abort_after_ms_(abort_after_ms),
      abort_after_bytes_(abort_after_bytes) {}

  void start(bool fresh);
  /// Ends a request still open when the grace period is over.
  void give_up() {
    if (finished_)
      return;
    end("stuck", {});
  }
  bool finished() const {
    return finished_;
  }

private:
  void write();
  void read();
  void on_bytes(size_t n);
  void end(const char* outcome, std::string error);

  traffic& t_;
  request_record& rec_;
  std::unique_ptr<connection> conn_;
  std::string wire_;
  net::steady_timer timer_;
  int64_t abort_after_ms_;
  size_t abort_after_bytes_;
  response_reader reader_;
  char buf_[16384];
  bool finished_ = false;
};

class traffic {
public:
  explicit traffic(traffic_options o)
    : opt_(std::move(o)), rng_(opt_.seed), tick_(ioc_) {}

  int run();

  uint16_t port() const {
    return opt_.port;
  }
  double since_start_ms() const {
    return ms_between(start_, clock_type::now());
  }
  /// An exchange ended; its connection comes back when it can be reused.
  void ended(std::unique_ptr<connection> conn) {
    --open_;
    if (conn && !stopping_) {
      conn->idle_since = clock_type::now();
      idle_.push_back(std::move(conn));
    }
  }

private:
  void dispatch(request_record& rec);
  void schedule();
  std::unique_ptr<connection> take_idle();
  std::string build(request_record& rec, const key_info& k, int64_t& abort_ms,
                    size_t& abort_bytes);
  int pick_key();
  fault pick_fault();
  void finish();

  traffic_options opt_;
  net::io_context ioc_{1};
  std::mt19937_64 rng_;
  net::steady_timer tick_;
  std::vector<key_info> keys_;
  std::vector<int> rpm_keys_, budget_keys_, both_keys_, plain_keys_;
  std::deque<request_record> records_; // stable addresses
  std::vector<std::shared_ptr<exchange>> live_;
  std::deque<std::unique_ptr<connection>> idle_;
  clock_type::time_point start_;
  int64_t sent_ = 0;
  int64_t skipped_ = 0;
  int open_ = 0;
  int burst_key_ = 0;
  int burst_left_ = 0;
  bool stopping_ = false;
  int64_t start_wall_ms_ = 0;
};

void exchange::start(bool fresh) {
  rec_.sent_ms = t_.since_start_ms();
  if (!fresh)
    return write();
  conn_->sock.async_connect({net::ip::make_address("127.0.0.1"), t_.port()},
                            [self = shared_from_this()](auto ec) {
                              if (self->finished_)
                                return;
                              if (ec)
                                return self->end("broken",
                                                 "connect: " + ec.message());
                              self->conn_->sock.set_option(tcp::no_delay(true));
                              self->write();
                            });
}

void exchange::write() {
  net::async_write(conn_->sock, net::buffer(wire_),
                   [self = shared_from_this()](auto ec, size_t) {
                     if (self->finished_)
                       return;
                     if (ec)
                       return self->end("broken", "write: " + ec.message());
                     self->rec_.written = true;
                     if (self->abort_after_ms_ >= 0) {
                       self->timer_.expires_after(
                         std::chrono::milliseconds(self->abort_after_ms_));
                       self->timer_.async_wait([self](auto tec) {
                         if (!tec && !self->finished_)
                           self->end("aborted", {});
                       });
                     }
                     self->read();
                   });
}

void exchange::read() {
  conn_->sock.async_read_some(
    net::buffer(buf_), [self = shared_from_this()](auto ec, size_t n) {
      if (self->finished_)
        return;
      if (n > 0)
        self->on_bytes(n);
      if (self->finished_)
        return;
      if (ec)
        return self->end("broken", "read: " + ec.message());
      self->read();
    });
}

void exchange::on_bytes(size_t n) {
  rec_.bytes += n;
  bool had_head = reader_.head_done;
  if (!reader_.feed({buf_, n}))
    return end("broken", "malformed response");
  if (!had_head && reader_.head_done) {
    rec_.head_ms = t_.since_start_ms();
    rec_.status = reader_.status;
    rec_.request_id = reader_.request_id;
  }
  if (reader_.done)
    return end("complete", {});
  // Leaving mid-stream: only once the answer has begun.
  if (reader_.head_done && abort_after_bytes_ > 0
      && reader_.body_bytes >= abort_after_bytes_)
    return end("aborted", {});
}

void exchange::end(const char* outcome, std::string error) {
  finished_ = true;
  rec_.outcome = outcome;
  rec_.error = std::move(error);
  rec_.end_ms = t_.since_start_ms();
  if (reader_.head_done) {
    rec_.status = reader_.status;
    rec_.request_id = reader_.request_id;
  }
  if (rec_.stream && reader_.done && reader_.status == 200) {
    auto& tail = reader_.body_tail;
    bool in_band_error = reader_.body.find("\"error\"") != std::string::npos;
    bool ended = rec_.anthropic
                   ? tail.find("event: message_stop") != std::string::npos
                       || tail.find("event: error") != std::string::npos
                   : tail.find("data: [DONE]") != std::string::npos;
    rec_.stream_end = !ended ? "none" : in_band_error ? "error" : "done";
  }
  timer_.cancel();
  bool reuse = std::string_view{outcome} == "complete" && reader_.keep_alive;
  if (!reuse) {
    boost::system::error_code ignored;
    conn_->sock.close(ignored);
    conn_.reset();
  }
  t_.ended(std::move(conn_));
}

int traffic::pick_key() {
  // A burst: the next requests go to the same key, a few ms apart, so they
  // are open together when a window or budget runs out (admission must
  // count the open ones' reservations, SPEC §5.2).
  if (burst_left_ > 0) {
    --burst_left_;
    return burst_key_;
  }
  // 15 % to the rpm keys, 20 % to the budget keys, 5 % to the keys with
  // both, the rest spread over all other keys: the small limits are hit
  // all run long while every key of the snapshot is in use.
  int r = static_cast<int>(rng_() % 100);
  auto from = [&](const std::vector<int>& v) {
    return v[rng_() % v.size()];
  };
  int k = 0;
  if (r < 15 && !rpm_keys_.empty())
    k = from(rpm_keys_);
  else if (r < 35 && !budget_keys_.empty())
    k = from(budget_keys_);
  else if (r < 40 && !both_keys_.empty())
    k = from(both_keys_);
  else
    return from(plain_keys_);
  if (rng_() % 5 == 0) {
    burst_key_ = k;
    burst_left_ = 3;
  }
  return k;
}

fault traffic::pick_fault() {
  int r = static_cast<int>(rng_() % 1000);
  for (auto& [f, w] : fault_weights) {
    if (r < w)
      return f;
    r -= w;
  }
  return fault::none;
}

std::string traffic::build(request_record& rec, const key_info& k,
                           int64_t& abort_ms, size_t& abort_bytes) {
  auto roll = [&](int n) {
    return static_cast<int>(rng_() % static_cast<uint64_t>(n));
  };
  rec.anthropic = roll(2) == 1;
  rec.stream = roll(2) == 1;
  // Dialect and vendor independent: relays and translations both.
  bool dear = k.budget_cents > 0; // budgets: the costlier models
  if (roll(1000) < side_share) {
    rec.model = roll(2) == 1 ? "gemini-2.5-flash" : "qwen3:8b";
    int r = roll(1000);
    rec.f = r < side_429              ? fault::s429
            : r < side_429 + side_500 ? fault::s500
                                      : fault::none;
  } else {
    rec.f = pick_fault();
    if (roll(2) == 1)
      rec.model = dear || roll(2) == 1 ? "claude-sonnet-4-6"
                                       : "claude-haiku-4-5-20251001";
    else
      rec.model = dear || roll(2) == 1 ? "gpt-4o" : "gpt-4o-mini";
  }
  int a = roll(100);
  rec.act = a < 6                  ? action::leave_early
            : a < 12 && rec.stream ? action::leave_mid_stream
                                   : action::read_all;
  std::string script;
  switch (rec.f) {
    case fault::none:
      script = rec.stream ? "chunks=" + std::to_string(2 + roll(7))
                              + " interval_ms=" + std::to_string(roll(21))
                          : "delay_ms=" + std::to_string(roll(21));
      break;
    case fault::s500:
      script = "status=500";
      break;
    case fault::s503:
      script = "status=503";
      break;
    case fault::s400:
      script = "status=400";
      break;
    case fault::s429:
      script = "status=429 retry_after=1";
      break;
    case fault::hang:
      script = rec.stream ? "hang=1" : "delay_ms=4000";
      break;
    case fault::stall:
      script = rec.stream ? "chunks=6 hang_after=2" : "delay_ms=1000";
      break;
    case fault::drop:
      script = rec.stream ? "chunks=6 drop_after=2" : "status=502";
      break;
    case fault::inband:
      script = rec.stream ? "chunks=6 error_after=1" : "status=500";
      break;
    case fault::slowfirst:
      script = "delay_ms=1200";
      break;
  }
  abort_ms = -1;
  abort_bytes = 0;
  if (rec.act == action::leave_early) {
    // Leave within 150 ms of sending; an upstream that waits 200 ms makes
    // most of these land before the answer.
    abort_ms = roll(150);
    if (rec.f == fault::none)
      script += " delay_ms=200";
  } else if (rec.act == action::leave_mid_stream) {
    if (rec.f == fault::none)
      script = "chunks=20 interval_ms=20";
    abort_bytes = 1 + static_cast<size_t>(roll(600));
  }
  // Budget keys get longer answers (~100 output tokens), so their small
  // budgets run out within the run; 256 reserved tokens still cover them.
  if (dear && script.find("status=") == std::string::npos)
    script += " text=" + std::string(400, 'x');
  std::string content
    = "soak " + std::to_string(rec.seq) + " [[fake " + script + "]] Say hello.";
  std::string body = "{\"model\":\"" + rec.model + "\",\"max_tokens\":256";
  if (rec.stream) {
    body += ",\"stream\":true";
    if (!rec.anthropic && roll(2) == 1)
      body += ",\"stream_options\":{\"include_usage\":true}";
  }
  body
    += ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
  rec.body_bytes = body.size();
  std::string req = std::string{"POST "}
                    + (rec.anthropic ? "/v1/messages" : "/v1/chat/completions")
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/json\r\n"
                      "User-Agent: openhinge-soak\r\n"
                      "x-request-id: "
                    + rec.client_id + "\r\n";
  if (rec.anthropic)
    req += "x-api-key: " + k.secret + "\r\nanthropic-version: 2023-06-01\r\n";
  else
    req += "Authorization: Bearer " + k.secret + "\r\n";
  return req + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"
         + body;
}

std::unique_ptr<connection> traffic::take_idle() {
  while (!idle_.empty()) {
    auto c = std::move(idle_.front());
    idle_.pop_front();
    // The gateway closes idle keep-alive connections after 60 s; a few
    // seconds old and not readable (no EOF waiting) is safe to reuse, so a
    // broken answer is never a stale connection's fault.
    if (ms_between(c->idle_since, clock_type::now()) > 5000)
      continue;
    pollfd p{c->sock.native_handle(), POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) != 0)
      continue;
    return c;
  }
  return nullptr;
}

void traffic::dispatch(request_record& rec) {
  const auto& k = keys_[static_cast<size_t>(pick_key())];
  rec.key = k.index;
  int64_t abort_ms = 0;
  size_t abort_bytes = 0;
  auto wire = build(rec, k, abort_ms, abort_bytes);
  auto conn = take_idle();
  bool fresh = conn == nullptr;
  if (fresh)
    conn = std::make_unique<connection>(ioc_);
  ++open_;
  ++sent_;
  auto ex = std::make_shared<exchange>(*this, rec, std::move(conn),
                                       std::move(wire), abort_ms, abort_bytes);
  live_.push_back(ex);
  ex->start(fresh);
}

void traffic::schedule() {
  auto now = clock_type::now();
  double elapsed = ms_between(start_, now) / 1000.0;
  if (elapsed < opt_.duration_s) {
    // Open loop: the requests due by now are sent now, whatever the
    // gateway's latency (a slow gateway cannot slow the driver down).
    auto due = static_cast<int64_t>(elapsed * opt_.rate);
    while (static_cast<int64_t>(records_.size()) < due) {
      records_.emplace_back();
      auto& rec = records_.back();
      rec.seq = static_cast<int64_t>(records_.size()) - 1;
      rec.client_id = opt_.run_id + "-" + std::to_string(rec.seq);
      if (open_ >= opt_.max_open) {
        ++skipped_; // recorded as unsent; never counted as stuck
        continue;
      }
      dispatch(rec);
    }
    // Finished exchanges leave the live list from time to time.
    if (live_.size() > 4096)
      std::erase_if(live_, [](auto& e) {
        return e->finished();
      });
  } else {
    stopping_ = true;
    idle_.clear();
    bool grace_over = elapsed >= opt_.duration_s + opt_.grace_s;
    if (open_ == 0 || grace_over) {
      for (auto& e : live_)
        e->give_up();
      live_.clear();
      ioc_.stop();
      return;
    }
  }
  tick_.expires_after(std::chrono::milliseconds(1));
  tick_.async_wait([this](auto ec) {
    if (!ec)
      schedule();
  });
}

int traffic::run() {
  keys_ = read_keys(opt_.keys_path);
  if (keys_.empty()) {
    std::cerr << "traffic: no keys in " << opt_.keys_path << "\n";
    return 2;
  }
  for (auto& k : keys_) {
    auto& bucket = k.cls == "rpm"      ? rpm_keys_
                   : k.cls == "budget" ? budget_keys_
                   : k.cls == "both"   ? both_keys_
                                       : plain_keys_;
    bucket.push_back(k.index);
  }
  if (plain_keys_.empty())
    plain_keys_ = rpm_keys_;
  start_ = clock_type::now();
  start_wall_ms_ = wall_ms();
  schedule();
  ioc_.run();
  finish();
  return 0;
}

void traffic::finish() {
  std::ofstream out{opt_.out_path};
  out << "seq,client_id,key,dialect,model,stream,fault,action,body_bytes,"
         "sent_ms,head_ms,end_ms,status,request_id,outcome,stream_end,"
         "written,bytes,error\n";
  std::map<std::string, int64_t> outcomes, statuses, ends;
  for (auto& r : records_) {
    auto err = r.error;
    std::replace(err.begin(), err.end(), ',', ';');
    char times[96];
    std::snprintf(times, sizeof(times), "%.1f,%.1f,%.1f", r.sent_ms, r.head_ms,
                  r.end_ms);
    out << r.seq << ',' << r.client_id << ',' << r.key << ','
        << (r.anthropic ? "messages" : "chat") << ',' << r.model << ','
        << (r.stream ? 1 : 0) << ',' << fault_name(r.f) << ','
        << action_name(r.act) << ',' << r.body_bytes << ',' << times << ','
        << r.status << ',' << r.request_id << ',' << r.outcome << ','
        << r.stream_end << ',' << (r.written ? 1 : 0) << ',' << r.bytes << ','
        << err << '\n';
    outcomes[r.outcome] += 1;
    if (r.outcome == "complete")
      statuses[std::to_string(r.status)] += 1;
    if (!r.stream_end.empty())
      ends[r.stream_end] += 1;
  }
  auto obj = [](const std::map<std::string, int64_t>& m) {
    std::string s = "{";
    for (auto& [k, v] : m) {
      if (s.size() > 1)
        s += ",";
      s += "\"" + k + "\":" + std::to_string(v);
    }
    return s + "}";
  };
  double took = opt_.duration_s;
  std::printf("{\"start_wall_ms\":%lld,\"duration_s\":%.1f,\"rate\":%.0f,"
              "\"scheduled\":%zu,\"sent\":%lld,\"skipped\":%lld,"
              "\"sent_per_s\":%.1f,\"outcomes\":%s,\"statuses\":%s,"
              "\"stream_ends\":%s,\"stuck\":%lld}\n",
              static_cast<long long>(start_wall_ms_), took, opt_.rate,
              records_.size(), static_cast<long long>(sent_),
              static_cast<long long>(skipped_),
              static_cast<double>(sent_) / took, obj(outcomes).c_str(),
              obj(statuses).c_str(), obj(ends).c_str(),
              static_cast<long long>(outcomes["stuck"]));
}

// --- check -------------------------------------------------------------------

struct price {
  double input = 0, output = 0;
};

/// The gateway's lookup (SPEC §8): exact id, the id without a date suffix,
/// the longest table key that is a prefix.
class price_table {
public:
  bool load(const std::string& path) {
    std::ifstream in{path};
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = oh::json::parse(ss.str());
    if (!doc || !doc->IsObject())
      return false;
    auto* models = oh::json::find(*doc, "models");
    if (models == nullptr || !models->IsObject())
      return false;
    for (auto& m : models->GetObject()) {
      price p;
      if (m.value.HasMember("input") && m.value["input"].IsNumber())
        p.input = m.value["input"].GetDouble();
      if (m.value.HasMember("output") && m.value["output"].IsNumber())
        p.output = m.value["output"].GetDouble();
      table_[m.name.GetString()] = p;
    }
    return true;
  }
  std::optional<price> find(std::string model) const {
    if (auto it = table_.find(model); it != table_.end())
      return it->second;
    // -20251001 or -2024-08-06
    auto strip = [&](const std::string& m) -> std::string {
      auto dash = m.rfind('-');
      if (dash != std::string::npos && m.size() - dash == 9
          && std::all_of(m.begin() + static_cast<long>(dash) + 1, m.end(),
                         ::isdigit))
        return m.substr(0, dash);
      if (m.size() > 11 && m[m.size() - 11] == '-' && m[m.size() - 6] == '-'
          && m[m.size() - 3] == '-')
        return m.substr(0, m.size() - 11);
      return m;
    };
    auto bare = strip(model);
    if (auto it = table_.find(bare); it != table_.end())
      return it->second;
    std::optional<price> best;
    size_t best_len = 0;
    for (auto& [k, p] : table_)
      if (model.rfind(k, 0) == 0 && k.size() > best_len) {
        best = p;
        best_len = k.size();
      }
    return best;
  }

private:
  std::map<std::string, price> table_;
};

struct log_row {
  std::string request_id;
  int64_t http_status = 0;
  std::string error_message;
  std::string client_id;
  std::string key_id;
  std::string status;
  std::string endpoint;
  int64_t created_ms = 0;
  int64_t latency_ms = 0;
  int64_t cost_micros = 0;
};

int run_check(const std::map<std::string, std::string>& args) {
  auto arg = [&](const char* name) -> std::string {
    auto it = args.find(name);
    return it == args.end() ? std::string{} : it->second;
  };
  auto keys = read_keys(arg("--keys"));
  std::unordered_map<std::string, const key_info*> key_by_id;
  for (auto& k : keys)
    key_by_id[k.id] = &k;
  price_table prices;
  if (!prices.load(arg("--prices"))) {
    std::cerr << "check: cannot read prices from " << arg("--prices") << "\n";
    return 2;
  }

  // The usage log, as the admin export gives it.
  std::vector<log_row> rows;
  {
    std::ifstream in{arg("--log")};
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty())
        continue;
      auto doc = oh::json::parse(line);
      if (!doc || !doc->IsObject()) {
        std::cerr << "check: unreadable log line\n";
        return 2;
      }
      log_row r;
      r.request_id = oh::json::get_string(*doc, "request_id").value_or("");
      r.client_id
        = oh::json::get_string(*doc, "client_request_id").value_or("");
      r.key_id = oh::json::get_string(*doc, "api_key_id").value_or("");
      r.status = oh::json::get_string(*doc, "status").value_or("");
      r.endpoint = oh::json::get_string(*doc, "endpoint").value_or("");
      r.created_ms
        = parse_iso_ms(oh::json::get_string(*doc, "created_at").value_or(""))
            .value_or(0);
      r.latency_ms = oh::json::get_int64(*doc, "latency_ms", 0);
      r.http_status = oh::json::get_int64(*doc, "http_status", 0);
      r.error_message
        = oh::json::get_string(*doc, "error_message").value_or("");
      r.cost_micros = oh::json::get_int64(*doc, "cost_micros", 0);
      rows.push_back(std::move(r));
    }
  }
  std::unordered_map<std::string, int> rows_by_client;
  std::set<std::string> request_ids;
  for (auto& r : rows) {
    if (!r.client_id.empty())
      rows_by_client[r.client_id] += 1;
    request_ids.insert(r.request_id);
  }

  // The driver's requests against the log.
  int64_t sent = 0, written = 0, with_id = 0, missing_by_id = 0,
          missing_written = 0, duplicated = 0, stuck = 0, broken = 0,
          stream_no_end = 0, left_early_no_head = 0;
  std::vector<std::string> missing_examples;
  std::map<std::string, int64_t> missing_by_kind;
  // What each scripted fault came to: statuses of complete answers, or the
  // outcome (aborted, broken, stuck).
  std::map<std::string, std::map<std::string, int64_t>> by_fault;
  // Estimated reservation per client id, as the gateway makes it at
  // admission (SPEC §5.2: input bytes / 4 plus max_tokens, priced).
  std::unordered_map<std::string, int64_t> reserve_by_client;
  {
    std::ifstream in{arg("--requests")};
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
      auto f = split(line, ',');
      if (f.size() < 19)
        continue;
      auto& outcome = f[14];
      if (outcome == "unsent")
        continue;
      ++sent;
      auto& cid = f[1];
      auto& model = f[4];
      auto bare = model.substr(
        model.find('/') == std::string::npos ? 0 : model.find('/') + 1);
      if (auto p = prices.find(bare)) {
        auto input = static_cast<double>(std::stoll(f[8]) / 4);
        reserve_by_client[cid] = static_cast<int64_t>(
          input * p->input + 256.0 * p->output); // $/M tokens = µ$/token
      }
      bool was_written = f[16] == "1";
      auto& rid = f[13];
      by_fault[f[6]][outcome == "complete" ? f[12] : outcome] += 1;
      if (outcome == "stuck")
        ++stuck;
      if (outcome == "broken")
        ++broken;
      if (f[15] == "none")
        ++stream_no_end;
      if (outcome == "aborted" && f[10] == "-1.0")
        ++left_early_no_head;
      if (!rid.empty()) {
        ++with_id;
        if (!request_ids.contains(rid)) {
          ++missing_by_id;
          if (missing_examples.size() < 5)
            missing_examples.push_back(rid);
        }
      }
      if (was_written) {
        ++written;
        auto it = rows_by_client.find(cid);
        if (it == rows_by_client.end()) {
          ++missing_written;
          missing_by_kind[f[6] + "/" + f[7] + "/" + outcome] += 1;
          if (missing_examples.size() < 5)
            missing_examples.push_back(cid);
        } else if (it->second > 1) {
          ++duplicated;
        }
      }
    }
  }

  // Rate windows: a request admitted at t holds a slot during
  // [t, t + 60 s) (core/rate_window). The log has when the request was
  // received (created_at) and how long it took, so its admission lies in
  // [created, created + latency + slack]. "definite": rpm + 1 admitted
  // requests whose admissions certainly lie within less than 60 s — an
  // overshoot whatever the exact admission times; "by received time": the
  // same count from created_at alone (boundary cases of a few ms can show
  // here without any overshoot).
  constexpr int64_t window_ms = 60'000;
  // latency_ms counts from the request actor's start, a hand-off after
  // created_at (µs, a few ms under load): the slack covers it, and the
  // millisecond rounding of both.
  constexpr int64_t slack_ms = 100;
  std::unordered_map<std::string, std::vector<const log_row*>> admitted;
  for (auto& r : rows) {
    if (r.endpoint != "chat" && r.endpoint != "messages")
      continue;
    // Only admitted requests take a slot: refusals are rate_limited,
    // budget_exceeded or denied; everything else got past admission (the
    // driver's requests are all valid, so no error comes before it).
    if (r.status == "rate_limited" || r.status == "budget_exceeded"
        || r.status == "denied")
      continue;
    admitted[r.key_id].push_back(&r);
  }
  int64_t keys_checked = 0, rate_definite_keys = 0, rate_definite_excess = 0,
          rate_received_keys = 0, rate_received_excess = 0,
          rate_limited_rows = 0;
  std::vector<std::string> rate_examples, rate_received_examples;
  for (auto& r : rows)
    if (r.status == "rate_limited")
      ++rate_limited_rows;
  for (auto& k : keys) {
    if (k.rpm <= 0)
      continue;
    ++keys_checked;
    auto it = admitted.find(k.id);
    if (it == admitted.end())
      continue;
    auto v = it->second;
    std::sort(v.begin(), v.end(), [](auto* a, auto* b) {
      return a->created_ms < b->created_ms;
    });
    int64_t worst_definite = 0, worst_received = 0;
    std::string received_example;
    for (size_t i = 0; i < v.size(); ++i) {
      int64_t lo = v[i]->created_ms;
      int64_t received = 0, definite = 0;
      bool first_certain
        = v[i]->created_ms + v[i]->latency_ms + slack_ms < lo + window_ms;
      size_t j = i;
      for (; j < v.size() && v[j]->created_ms < lo + window_ms; ++j) {
        ++received;
        if (first_certain
            && v[j]->created_ms + v[j]->latency_ms + slack_ms < lo + window_ms)
          ++definite;
      }
      if (received - k.rpm > worst_received) {
        // How close to the window's edge: the span from the first to the
        // last request received, and how long the last one took.
        auto* last = v[j - 1];
        received_example = k.id + " rpm " + std::to_string(k.rpm) + " +"
                           + std::to_string(received - k.rpm) + ": received "
                           + std::to_string(last->created_ms - lo)
                           + " ms apart, the last " + last->status + " after "
                           + std::to_string(last->latency_ms) + " ms";
      }
      worst_received = std::max(worst_received, received - k.rpm);
      worst_definite = std::max(worst_definite, definite - k.rpm);
    }
    if (worst_received > 0) {
      ++rate_received_keys;
      rate_received_excess += worst_received;
      if (rate_received_examples.size() < 5)
        rate_received_examples.push_back(received_example);
    }
    if (worst_definite > 0) {
      ++rate_definite_keys;
      rate_definite_excess += worst_definite;
      if (rate_examples.size() < 5)
        rate_examples.push_back(k.id + " rpm " + std::to_string(k.rpm) + " +"
                                + std::to_string(worst_definite));
    }
  }

  // Daily budgets: admission needs settled spend + open reservations below
  // the budget (SPEC §5.2), so the spend can pass the budget by at most
  // the last admitted request's cost, plus whatever requests cost beyond
  // their reservation (0 here: 256 reserved output tokens, ~7 used).
  int64_t budget_keys = 0, budget_exhausted = 0, budget_over_keys = 0,
          budget_over_micros = 0, budget_excess_micros = 0;
  std::vector<std::string> budget_examples;
  {
    struct spend {
      int64_t total = 0, largest = 0, excess = 0;
    };
    std::map<std::pair<std::string, int64_t>, spend> by_key_day;
    for (auto& r : rows) {
      auto day = r.created_ms / 86'400'000;
      auto& s = by_key_day[{r.key_id, day}];
      s.total += r.cost_micros;
      s.largest = std::max(s.largest, r.cost_micros);
      if (auto it = reserve_by_client.find(r.client_id);
          it != reserve_by_client.end() && r.cost_micros > it->second)
        s.excess += r.cost_micros - it->second;
    }
    std::set<std::string> counted;
    for (auto& [kd, s] : by_key_day) {
      auto it = key_by_id.find(kd.first);
      if (it == key_by_id.end() || it->second->budget_cents <= 0)
        continue;
      if (counted.insert(kd.first).second)
        ++budget_keys;
      int64_t budget = it->second->budget_cents * 10'000;
      if (s.total >= budget)
        ++budget_exhausted;
      budget_excess_micros += s.excess;
      int64_t allowed = budget + s.largest + s.excess;
      if (s.total > allowed) {
        ++budget_over_keys;
        budget_over_micros += s.total - allowed;
        if (budget_examples.size() < 5)
          budget_examples.push_back(kd.first + " spent "
                                    + std::to_string(s.total) + " of "
                                    + std::to_string(budget) + " µ$");
      }
    }
  }

  // What the gateway holds after the traffic (/admin/actors), and what
  // each key's actor counts as spent today against the log's rows.
  int64_t request_actors = -1, key_open = -1, account_in_flight = -1,
          spend_mismatch = -1;
  std::unordered_map<std::string, int64_t> log_spend_today;
  {
    auto today = wall_ms() / 86'400'000;
    for (auto& r : rows)
      if (r.created_ms / 86'400'000 == today)
        log_spend_today[r.key_id] += r.cost_micros;
  }
  std::vector<std::string> spend_examples;
  if (auto path = arg("--actors"); !path.empty()) {
    std::ifstream in{path};
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = oh::json::parse(ss.str());
    if (doc && doc->IsObject())
      if (auto* data = oh::json::find(*doc, "data");
          data != nullptr && data->IsArray()) {
        request_actors = key_open = account_in_flight = spend_mismatch = 0;
        for (auto& a : data->GetArray()) {
          auto kind = oh::json::get_string(a, "kind").value_or("");
          auto* state = oh::json::find(a, "state");
          if (kind == "request")
            ++request_actors;
          if (state == nullptr || !state->IsObject())
            continue;
          if (kind == "api_key") {
            key_open += oh::json::get_int64(*state, "concurrency", 0);
            // Cents with four decimals: micro-dollars exactly.
            auto* spent = oh::json::find(*state, "spent_today_cents");
            auto id = oh::json::get_string(*state, "id").value_or("");
            if (spent != nullptr && spent->IsNumber()
                && key_by_id.contains(id)) {
              auto actor = std::llround(spent->GetDouble() * 10'000);
              auto logged = log_spend_today[id];
              if (actor != logged) {
                ++spend_mismatch;
                if (spend_examples.size() < 5)
                  spend_examples.push_back(id + " actor "
                                           + std::to_string(actor) + " log "
                                           + std::to_string(logged));
              }
            }
          }
          if (kind == "provider_account")
            account_in_flight += oh::json::get_int64(*state, "in_flight", 0);
        }
      }
  }

  // Why requests found no account (503): circuits open, limited accounts.
  std::map<std::string, int64_t> unavailable;
  for (auto& r : rows)
    if (r.http_status == 503)
      unavailable[r.error_message] += 1;
  auto object = [](const std::map<std::string, int64_t>& m) {
    std::string o = "{";
    for (auto& [k, n] : m) {
      if (o.size() > 1)
        o += ",";
      oh::json::append_quoted(o, k);
      // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on
      // ":" + to_string(n) here.
      o += ':';
      o += std::to_string(n);
    }
    o += '}';
    return o;
  };
  std::string faults = "{";
  for (auto& [f, m] : by_fault) {
    if (faults.size() > 1)
      faults += ",";
    oh::json::append_quoted(faults, f);
    faults += ":" + object(m);
  }
  faults += "}";
  auto list = [](const std::vector<std::string>& v) {
    std::string s = "[";
    for (auto& x : v) {
      if (s.size() > 1)
        s += ",";
      oh::json::append_quoted(s, x);
    }
    return s + "]";
  };
  auto kinds = object(missing_by_kind);
  bool ok = stuck == 0 && missing_by_id == 0 && missing_written == 0
            && rate_definite_keys == 0 && budget_over_keys == 0
            && request_actors <= 0 && key_open <= 0 && account_in_flight <= 0
            && spend_mismatch <= 0;
  std::printf(
    "{\"ok\":%s,\"log_rows\":%zu,\"sent\":%lld,\"written\":%lld,"
    "\"with_request_id\":%lld,\"missing_by_request_id\":%lld,"
    "\"missing_by_client_id\":%lld,\"missing_kinds\":%s,"
    "\"duplicated\":%lld,\"missing_examples\":%s,"
    "\"stuck\":%lld,\"broken\":%lld,\"streams_without_end\":%lld,"
    "\"left_before_head\":%lld,"
    "\"rate_keys\":%lld,\"rate_limited_rows\":%lld,"
    "\"rate_definite_keys\":%lld,\"rate_definite_excess\":%lld,"
    "\"rate_received_keys\":%lld,\"rate_received_excess\":%lld,"
    "\"rate_examples\":%s,\"rate_received_examples\":%s,"
    "\"budget_keys\":%lld,\"budget_exhausted\":%lld,"
    "\"budget_over_keys\":%lld,\"budget_over_micros\":%lld,"
    "\"budget_cost_beyond_reservation_micros\":%lld,\"budget_examples\":%s,"
    "\"request_actors\":%lld,\"key_open_requests\":%lld,"
    "\"account_in_flight\":%lld,\"spend_mismatch_keys\":%lld,"
    "\"spend_examples\":%s,\"by_fault\":%s,\"unavailable\":%s}\n",
    ok ? "true" : "false", rows.size(), static_cast<long long>(sent),
    static_cast<long long>(written), static_cast<long long>(with_id),
    static_cast<long long>(missing_by_id),
    static_cast<long long>(missing_written), kinds.c_str(),
    static_cast<long long>(duplicated), list(missing_examples).c_str(),
    static_cast<long long>(stuck), static_cast<long long>(broken),
    static_cast<long long>(stream_no_end),
    static_cast<long long>(left_early_no_head),
    static_cast<long long>(keys_checked),
    static_cast<long long>(rate_limited_rows),
    static_cast<long long>(rate_definite_keys),
    static_cast<long long>(rate_definite_excess),
    static_cast<long long>(rate_received_keys),
    static_cast<long long>(rate_received_excess), list(rate_examples).c_str(),
    list(rate_received_examples).c_str(), static_cast<long long>(budget_keys),
    static_cast<long long>(budget_exhausted),
    static_cast<long long>(budget_over_keys),
    static_cast<long long>(budget_over_micros),
    static_cast<long long>(budget_excess_micros), list(budget_examples).c_str(),
    static_cast<long long>(request_actors), static_cast<long long>(key_open),
    static_cast<long long>(account_in_flight),
    static_cast<long long>(spend_mismatch), list(spend_examples).c_str(),
    faults.c_str(), object(unavailable).c_str());
  return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: soak_driver keys|traffic|check [options] (see the "
                 "header of tools/bench/soak_driver.cpp)\n";
    return 2;
  }
  std::string command = argv[1];
  std::map<std::string, std::string> args;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) {
      std::cerr << "soak_driver: " << a << " needs a value\n";
      return 2;
    }
    args[a] = argv[++i];
  }
  auto get = [&](const char* name, std::string fallback) {
    auto it = args.find(name);
    return it == args.end() ? fallback : it->second;
  };
  try {
    if (command == "keys") {
      key_plan plan;
      plan.count = std::stoi(get("--count", "10000"));
      plan.rpm_keys = std::stoi(get("--rpm-keys", "40"));
      plan.budget_keys = std::stoi(get("--budget-keys", "40"));
      plan.both_keys = std::stoi(get("--both-keys", "10"));
      // The admin token from its file, not argv (other users see argv).
      std::ifstream tf{get("--token-file", "")};
      std::string token;
      std::getline(tf, token);
      return run_keys(static_cast<uint16_t>(std::stoi(get("--port", "0"))),
                      token, plan, std::stoi(get("--conns", "16")),
                      get("--out", "keys.csv"));
    }
    if (command == "traffic") {
      traffic_options o;
      o.port = static_cast<uint16_t>(std::stoi(get("--port", "0")));
      o.keys_path = get("--keys", "keys.csv");
      o.duration_s = std::stod(get("--duration", "60"));
      o.rate = std::stod(get("--rate", "400"));
      o.grace_s = std::stod(get("--grace", "30"));
      o.seed = std::stoull(get("--seed", "1"));
      o.run_id = get("--run", "soak");
      o.out_path = get("--out", "requests.csv");
      o.max_open = std::stoi(get("--max-open", "3000"));
      return traffic{o}.run();
    }
    if (command == "check")
      return run_check(args);
  } catch (const std::exception& e) {
    std::cerr << "soak_driver: " << e.what() << "\n";
    return 2;
  }
  std::cerr << "soak_driver: unknown command " << command << "\n";
  return 2;
}
