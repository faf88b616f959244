// fake_upstream: a small HTTP server that speaks the OpenAI Chat Completions
// wire format (JSON and SSE) exactly, for tests and benchmarks. Each request
// is scripted by `x-fake-*` headers or by a `[[fake key=value ...]]`
// directive in the last user message (which travels through the gateway
// untouched):
//   status=N        answer with HTTP N and an OpenAI error body
//   delay_ms=N      wait before the response head
//   chunks=N        split the text into N content events (stream)
//   interval_ms=N   pause between stream events
//   drop_after=N    close the connection after N content events
//   tools=N         answer with N parallel tool calls (arguments streamed)
//   text=WORD       the answer text (default: "Hello from fake upstream")
//   hang=1          send the head (stream) and then nothing
//   hang_after=N    stop sending (but stay connected) after N stream events
//   retry_after=S   with status=429: retry-after and x-ratelimit-reset-*
// `--script "status=503 delay_ms=10"` sets a default script for every request
// (a directive or header still wins), so one process can play a failing
// account next to a healthy one.
// GET /_fake/stats reports requests seen, streams open and the last request.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "core/json.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

struct stats {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> open_streams{0};
  std::atomic<int64_t> completed_streams{0};
  std::mutex mu;
  std::string last_headers_json = "{}";
  std::string last_body;
} g_stats;

using script = std::map<std::string, std::string>;
script g_default_script;
using tcp_stream_t = beast::tcp_stream;
using tls_stream_t = beast::ssl_stream<beast::tcp_stream>;

int64_t num(const script& s, const char* key, int64_t fallback) {
  auto it = s.find(key);
  if (it == s.end())
    return fallback;
  try {
    return std::stoll(it->second);
  } catch (...) {
    return fallback;
  }
}

std::string str(const script& s, const char* key, std::string fallback) {
  auto it = s.find(key);
  return it == s.end() ? fallback : it->second;
}

/// `[[fake a=1 b=2]]` in the last user message, then `x-fake-*` headers.
/// `a=1 b=2` into a script.
void parse_pairs(const std::string& inner, script& s) {
  size_t pos = 0;
  while (pos < inner.size()) {
    while (pos < inner.size() && inner[pos] == ' ')
      ++pos;
    auto end = inner.find(' ', pos);
    auto item = inner.substr(pos, end - pos);
    auto eq = item.find('=');
    if (eq != std::string::npos)
      s[item.substr(0, eq)] = item.substr(eq + 1);
    if (end == std::string::npos)
      break;
    pos = end + 1;
  }
}

script read_script(const bhttp::request<bhttp::string_body>& req,
                   const oh::json::document& body) {
  script s = g_default_script;
  if (body.IsObject() && body.HasMember("messages")
      && body["messages"].IsArray()) {
    for (auto& m : body["messages"].GetArray()) {
      if (!m.IsObject() || !m.HasMember("content") || !m["content"].IsString())
        continue;
      std::string text = m["content"].GetString();
      auto open = text.find("[[fake");
      if (open == std::string::npos)
        continue;
      auto close = text.find("]]", open);
      parse_pairs(text.substr(open + 6, close - open - 6), s);
    }
  }
  for (auto& f : req) {
    std::string name{f.name_string()};
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name.rfind("x-fake-", 0) == 0)
      s[name.substr(7)] = std::string{f.value()};
  }
  return s;
}

std::string quoted(std::string_view text) {
  std::string out;
  oh::json::append_quoted(out, text);
  return out;
}

template<class Stream>
class connection : public std::enable_shared_from_this<connection<Stream>> {
public:
  using std::enable_shared_from_this<connection<Stream>>::shared_from_this;

  template<class... Args>
  explicit connection(tcp::socket s, Args&... args)
    : stream_(std::move(s), args...), timer_(stream_.get_executor()) {
    beast::error_code ignored;
    socket().set_option(tcp::no_delay(true), ignored);
  }
  void start() {
    if constexpr (std::is_same_v<Stream, tcp_stream_t>) {
      read();
    } else {
      stream_.async_handshake(
        net::ssl::stream_base::server,
        [self = shared_from_this()](beast::error_code ec) {
          if (!ec)
            self->read();
        });
    }
  }

  tcp::socket& socket() {
    return beast::get_lowest_layer(stream_).socket();
  }

private:
  void read() {
    req_ = {};
    bhttp::async_read(
      stream_, buffer_, req_,
      [self = shared_from_this()](beast::error_code ec, size_t) {
        if (!ec)
          self->handle();
      });
  }

  void reply(unsigned status, std::string body,
             std::string type = "application/json",
             std::vector<std::pair<std::string, std::string>> extra = {}) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(status), 11);
    res->set(bhttp::field::content_type, type);
    for (auto& [k, v] : extra)
      res->set(k, v);
    res->keep_alive(req_.keep_alive());
    res->body() = std::move(body);
    res->prepare_payload();
    bhttp::async_write(
      stream_, *res,
      [self = shared_from_this(), res](beast::error_code ec, size_t) {
        if (!ec && res->keep_alive())
          self->read();
      });
  }

  void handle() {
    std::string target{req_.target()};
    if (target == "/_fake/stats") {
      std::lock_guard guard{g_stats.mu};
      reply(200, "{\"requests\":" + std::to_string(g_stats.requests.load())
                   + ",\"open_streams\":"
                   + std::to_string(g_stats.open_streams.load())
                   + ",\"completed_streams\":"
                   + std::to_string(g_stats.completed_streams.load())
                   + ",\"last_headers\":" + g_stats.last_headers_json
                   + ",\"last_body\":" + quoted(g_stats.last_body) + "}");
      return;
    }
    if (target == "/v1/models" || target == "/models") {
      reply(
        200,
        R"({"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1700000000,"owned_by":"openai"},{"id":"fake-model","object":"model","created":1700000000,"owned_by":"fake"}]})");
      return;
    }
    if (target != "/v1/chat/completions" && target != "/chat/completions") {
      reply(
        404,
        R"({"error":{"message":"no such route","type":"invalid_request_error"}})");
      return;
    }
    g_stats.requests += 1;
    {
      std::lock_guard guard{g_stats.mu};
      std::string h = "{";
      for (auto& f : req_) {
        if (h.size() > 1)
          h += ",";
        std::string name{f.name_string()};
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        h += quoted(name) + ":" + quoted(f.value());
      }
      g_stats.last_headers_json = h + "}";
      g_stats.last_body = req_.body();
    }
    oh::json::document body;
    body.Parse(req_.body().c_str());
    if (body.HasParseError() || !body.IsObject()) {
      reply(
        400,
        R"({"error":{"message":"invalid JSON body","type":"invalid_request_error"}})");
      return;
    }
    script_ = read_script(req_, body);
    // A conversation that ends with tool results gets a text answer, so a
    // tool-call round trip completes.
    if (body["messages"].IsArray() && !body["messages"].Empty()) {
      auto& last = body["messages"][body["messages"].Size() - 1];
      if (last.IsObject() && last.HasMember("role") && last["role"].IsString()
          && std::string{last["role"].GetString()} == "tool") {
        script_["tools"] = "0";
        std::string result
          = last.HasMember("content") && last["content"].IsString()
              ? last["content"].GetString()
              : "";
        script_["text"] = "The tool said " + result;
      }
    }
    model_ = body.HasMember("model") && body["model"].IsString()
               ? body["model"].GetString()
               : "fake-model";
    stream_mode_ = body.HasMember("stream") && body["stream"].IsBool()
                   && body["stream"].GetBool();
    include_usage_ = stream_mode_ && body.HasMember("stream_options")
                     && body["stream_options"].IsObject()
                     && body["stream_options"].HasMember("include_usage")
                     && body["stream_options"]["include_usage"].IsBool()
                     && body["stream_options"]["include_usage"].GetBool();
    prompt_tokens_ = static_cast<int64_t>(req_.body().size() / 4);
    auto delay = num(script_, "delay_ms", 0);
    timer_.expires_after(std::chrono::milliseconds(delay));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec)
        self->answer();
    });
  }

  void answer() {
    auto status = num(script_, "status", 200);
    if (status != 200) {
      std::vector<std::pair<std::string, std::string>> extra;
      if (auto wait = num(script_, "retry_after", -1); wait >= 0) {
        extra.emplace_back("retry-after", std::to_string(wait));
        extra.emplace_back("x-ratelimit-reset-requests",
                           std::to_string(wait) + "s");
      }
      reply(static_cast<unsigned>(status),
            R"({"error":{"message":"fake failure )" + std::to_string(status)
              + R"(","type":"server_error","code":null}})",
            "application/json", std::move(extra));
      return;
    }
    text_ = str(script_, "text", "Hello from fake upstream");
    tools_ = num(script_, "tools", 0);
    completion_tokens_ = static_cast<int64_t>(text_.size() / 4 + 1);
    if (!stream_mode_) {
      std::string msg = R"({"role":"assistant","content":)"
                        + (tools_ > 0 ? std::string{"null"} : quoted(text_));
      if (tools_ > 0) {
        msg += R"(,"tool_calls":[)";
        for (int64_t i = 0; i < tools_; ++i) {
          if (i > 0)
            msg += ",";
          msg
            += R"({"id":"call_fake)" + std::to_string(i)
               + R"(","type":"function","function":{"name":"get_weather","arguments":)"
               + quoted(R"({"city":"City )" + std::to_string(i) + R"("})")
               + "}}";
        }
        msg += "]";
      }
      msg += "}";
      reply(
        200,
        R"({"id":"chatcmpl-fake123","object":"chat.completion","created":1700000000,"model":)"
          + quoted(model_)
          + R"(,"system_fingerprint":"fp_fake","choices":[{"index":0,"message":)"
          + msg + R"(,"logprobs":null,"finish_reason":)"
          + quoted(tools_ > 0 ? "tool_calls" : "stop")
          + R"(}],"usage":{"prompt_tokens":)" + std::to_string(prompt_tokens_)
          + R"(,"completion_tokens":)" + std::to_string(completion_tokens_)
          + R"(,"total_tokens":)"
          + std::to_string(prompt_tokens_ + completion_tokens_)
          + R"(,"prompt_tokens_details":{"cached_tokens":0}}})");
      return;
    }
    build_events();
    g_stats.open_streams += 1;
    streaming_ = true;
    watch();
    std::string head
      = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
    write_raw(std::move(head), [](connection& c) {
      c.next_event();
    });
  }

  std::string chunk(const std::string& delta,
                    const std::string& finish = "null") {
    return "data: "
           "{\"id\":\"chatcmpl-fake123\",\"object\":\"chat.completion.chunk\","
           "\"created\":1700000000,\"model\":"
           + quoted(model_)
           + ",\"system_fingerprint\":\"fp_fake\",\"choices\":[{\"index\":0,"
             "\"delta\":"
           + delta + ",\"logprobs\":null,\"finish_reason\":" + finish
           + "}]}\n\n";
  }

  void build_events() {
    events_.push_back(chunk(R"({"role":"assistant","content":""})"));
    if (tools_ > 0) {
      for (int64_t i = 0; i < tools_; ++i) {
        auto idx = std::to_string(i);
        events_.push_back(chunk(
          R"({"tool_calls":[{"index":)" + idx + R"(,"id":"call_fake)" + idx
          + R"(","type":"function","function":{"name":"get_weather","arguments":""}}]})"));
        std::string args = R"({"city":"City )" + idx + R"("})";
        for (size_t p = 0; p < args.size(); p += 5)
          events_.push_back(chunk(R"({"tool_calls":[{"index":)" + idx
                                  + R"(,"function":{"arguments":)"
                                  + quoted(args.substr(p, 5)) + "}}]}"));
      }
      events_.push_back(chunk("{}", "\"tool_calls\""));
    } else {
      auto n = std::max<int64_t>(1, num(script_, "chunks", 3));
      size_t piece = std::max<size_t>(1, (text_.size() + n - 1) / n);
      for (size_t p = 0; p < text_.size(); p += piece)
        events_.push_back(
          chunk(R"({"content":)" + quoted(text_.substr(p, piece)) + "}"));
      events_.push_back(chunk("{}", "\"stop\""));
    }
    if (include_usage_)
      events_.push_back(
        "data: "
        "{\"id\":\"chatcmpl-fake123\",\"object\":\"chat.completion.chunk\","
        "\"created\":1700000000,\"model\":"
        + quoted(model_) + ",\"choices\":[],\"usage\":{\"prompt_tokens\":"
        + std::to_string(prompt_tokens_) + ",\"completion_tokens\":"
        + std::to_string(completion_tokens_) + ",\"total_tokens\":"
        + std::to_string(prompt_tokens_ + completion_tokens_) + "}}\n\n");
    events_.push_back("data: [DONE]\n\n");
  }

  void next_event() {
    using conn = connection<Stream>;
    if (num(script_, "hang", 0) == 1)
      return; // keep the stream open, silent (the timer owner keeps us)
    auto hang_after = num(script_, "hang_after", -1);
    if (hang_after >= 0 && sent_ >= hang_after)
      return; // silent but connected; the watch notices a close
    auto drop_after = num(script_, "drop_after", -1);
    if (drop_after >= 0 && sent_ > drop_after) {
      end_stream(false);
      return;
    }
    if (next_ >= events_.size()) {
      write_raw("0\r\n\r\n", [](conn& c) {
        c.end_stream(true);
      });
      return;
    }
    auto interval = num(script_, "interval_ms", 0);
    auto& ev = events_[next_++];
    ++sent_;
    char size[20];
    std::snprintf(size, sizeof(size), "%zx\r\n", ev.size());
    write_raw(std::string{size} + ev + "\r\n", [interval](conn& c) {
      if (interval <= 0) {
        c.next_event();
        return;
      }
      c.timer_.expires_after(std::chrono::milliseconds(interval));
      c.timer_.async_wait([self = c.shared_from_this()](beast::error_code ec) {
        if (!ec)
          self->next_event();
        else
          self->end_stream(false);
      });
    });
  }

  template<class F>
  void write_raw(std::string bytes, F then) {
    auto buf = std::make_shared<std::string>(std::move(bytes));
    net::async_write(
      stream_, net::buffer(*buf),
      [self = shared_from_this(), buf, then](beast::error_code ec, size_t) {
        if (ec) {
          self->end_stream(false);
          return;
        }
        then(*self);
      });
  }

  void end_stream(bool clean) {
    if (!streaming_)
      return;
    streaming_ = false;
    g_stats.open_streams -= 1;
    if (clean) {
      g_stats.completed_streams += 1;
      read();
      return;
    }
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

public:
  ~connection() {
    if (streaming_)
      g_stats.open_streams -= 1;
  }

  /// During a stream the client sends nothing, so readability means it
  /// closed: count the stream as ended at once.
  void watch() {
    socket().async_wait(tcp::socket::wait_read,
                        [self = shared_from_this()](beast::error_code ec) {
                          if (!ec && self->streaming_) {
                            self->timer_.cancel();
                            self->end_stream(false);
                          }
                        });
  }

private:
  Stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> req_;
  script script_;
  std::string model_;
  std::string text_;
  bool stream_mode_ = false;
  bool include_usage_ = false;
  bool streaming_ = false;
  int64_t tools_ = 0;
  int64_t prompt_tokens_ = 0;
  int64_t completion_tokens_ = 0;
  std::vector<std::string> events_;
  size_t next_ = 0;
  int64_t sent_ = 0;
};

void accept(tcp::acceptor& acceptor, net::ssl::context* tls) {
  acceptor.async_accept([&acceptor, tls](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      if (tls != nullptr)
        std::make_shared<connection<tls_stream_t>>(std::move(s), *tls)->start();
      else
        std::make_shared<connection<tcp_stream_t>>(std::move(s))->start();
    }
    if (acceptor.is_open())
      accept(acceptor, tls);
  });
}

} // namespace

int main(int argc, char** argv) {
  uint16_t port = 0;
  std::string port_file;
  std::string flavor = "openai";
  std::string tls_cert;
  std::string tls_key;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--port" && i + 1 < argc)
      port = static_cast<uint16_t>(std::stoi(argv[++i]));
    else if (a == "--port-file" && i + 1 < argc)
      port_file = argv[++i];
    else if (a == "--flavor" && i + 1 < argc)
      flavor = argv[++i];
    else if (a == "--script" && i + 1 < argc)
      parse_pairs(argv[++i], g_default_script);
    else if (a == "--tls-cert" && i + 1 < argc)
      tls_cert = argv[++i];
    else if (a == "--tls-key" && i + 1 < argc)
      tls_key = argv[++i];
    else {
      std::cerr << "usage: fake_upstream [--port N] [--port-file PATH] "
                   "[--flavor openai]\n";
      return 2;
    }
  }
  if (flavor != "openai") {
    std::cerr << "fake_upstream: flavor " << flavor
              << " is not available yet\n";
    return 2;
  }
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), port}};
  port = acceptor.local_endpoint().port();
  std::cout << port << std::endl;
  if (!port_file.empty()) {
    std::ofstream out{port_file + ".tmp"};
    out << port << "\n";
    out.close();
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::unique_ptr<net::ssl::context> tls;
  if (!tls_cert.empty()) {
    tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    tls->use_certificate_chain_file(tls_cert);
    tls->use_private_key_file(tls_key, net::ssl::context::pem);
  }
  accept(acceptor, tls.get());
  net::signal_set signals{ioc, SIGTERM, SIGINT};
  signals.async_wait([&](beast::error_code, int) {
    ioc.stop();
  });
  ioc.run();
  return 0;
}
