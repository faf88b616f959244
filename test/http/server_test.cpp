// The HTTP server over a real loopback socket: limits, timeouts, keep-alive,
// malformed input and draining. The handler echoes what it received.

#include <condition_variable>
#include <atomic>
#include <mutex>
#include <vector>
#include <thread>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "core/logging.hpp"
#include "http/server.hpp"
#include "providers/io_runtime.hpp"
#include "support/http_client.hpp"

using namespace oh;
using namespace oh::http;
using namespace std::chrono_literals;

namespace {

/// Answers with the method, path, body size and a header it saw; `/slow`
/// answers from another thread, as actors do.
struct echo_handler : request_handler {
  std::atomic<int> slow_entered{0};
  std::mutex mu;
  // Slow answers wait for release() while hold_slow is set.
  std::mutex release_mu;
  std::condition_variable release_cv;
  bool hold_slow = false;
  bool released = false;
  void release() {
    {
      std::lock_guard guard{release_mu};
      released = true;
    }
    release_cv.notify_all();
  }
  std::vector<std::thread> workers; // joined before the runtime goes away

  void join_workers() {
    std::lock_guard guard{mu};
    for (auto& t : workers)
      if (t.joinable())
        t.join();
    workers.clear();
  }
  ~echo_handler() override {
    join_workers();
  }

  void handle(http_request req, sink_ptr sink) override {
    auto respond = respond_via(sink);
    http_response res;
    std::string out = "{\"method\":";
    json::append_quoted(out, req.method);
    out += ",\"path\":";
    json::append_quoted(out, req.path);
    out += ",\"query\":";
    json::append_quoted(out, req.query);
    out += ",\"body_bytes\":" + std::to_string(req.body.size());
    out += ",\"x_test\":";
    json::append_quoted(out, std::string{req.header("x-test").value_or("")});
    out += "}";
    res.body = out;
    if (req.path == "/slow") {
      ++slow_entered;
      std::lock_guard guard{mu};
      workers.emplace_back([this, respond, res]() mutable {
        // Answers when the test releases it (or at once when it does not
        // hold slow answers): no sleep decides the order of events.
        std::unique_lock lock{release_mu};
        if (!release_cv.wait_for(lock, 10s, [this] {
              return !hold_slow || released;
            }))
          ADD_FAILURE() << "the test never released the slow answer";
        lock.unlock();
        respond(std::move(res));
      });
      return;
    }
    respond(std::move(res));
  }
};

struct ServerTest : ::testing::Test {
  static constexpr auto header_timeout = 300ms;
  static constexpr auto body_idle_timeout = 3s;
  providers::io_runtime io{2};
  std::shared_ptr<http_server> server;
  std::shared_ptr<echo_handler> handler = std::make_shared<echo_handler>();
  uint16_t port = 0;

  void SetUp() override {
    server_options opts;
    opts.port = 0;
    opts.max_body_bytes = 1024;
    opts.max_header_bytes = 2048;
    // Three timers an order of magnitude apart, so a test can tell which
    // one closed a connection by when it closed.
    opts.header_timeout = header_timeout;
    opts.body_idle_timeout = body_idle_timeout;
    opts.keepalive_idle_timeout = 60s;
    auto s = http_server::start(io, opts, handler);
    ASSERT_TRUE(s) << s.error().message;
    server = *s;
    port = server->port();
  }

  void TearDown() override {
    server->stop();
    handler->join_workers();
    io.stop();
  }
};

} // namespace

TEST_F(ServerTest, AnswersAndKeepsTheConnectionAlive) {
  test::http_connection c{"127.0.0.1", port};
  for (int i = 0; i < 3; ++i) {
    auto r = c.request("POST", "/echo?x=1", R"({"a":1})", "X-Test: yes");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(
      r.body,
      R"({"method":"POST","path":"/echo","query":"x=1","body_bytes":7,"x_test":"yes"})");
  }
  EXPECT_EQ(server->open_connections(), 1u);
}

TEST_F(ServerTest, AnswersFromAnotherThread) {
  auto r = test::http_request(port, "GET", "/slow");
  EXPECT_EQ(r.status, 200);
}

TEST_F(ServerTest, DecodesPercentEscapesInThePath) {
  auto r = test::http_request(port, "GET", "/a%20b");
  EXPECT_NE(r.body.find(R"("path":"/a b")"), std::string::npos);
}

TEST_F(ServerTest, MalformedRequestLineIs400AndCloses) {
  test::http_connection c{"127.0.0.1", port};
  c.send_raw("GARBAGE\r\n\r\n");
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(json::parse(r->body));
  EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(ServerTest, BinaryNoiseNeverCrashesTheServer) {
  for (int i = 0; i < 20; ++i) {
    test::http_connection c{"127.0.0.1", port};
    std::string noise;
    for (int j = 0; j < 300; ++j)
      noise.push_back(static_cast<char>((i * 131 + j * 17) & 0xff));
    c.send_raw(noise + "\r\n\r\n");
    c.closed_by_peer(2s);
  }
  EXPECT_EQ(test::http_request(port, "GET", "/still-up").status, 200);
}

TEST_F(ServerTest, BodyOverTheLimitIs413InTheRouteDialect) {
  auto r = test::http_request(port, "POST", "/v1/chat/completions",
                              std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find(R"("code":"request_too_large")"), std::string::npos);
  r = test::http_request(port, "POST", "/v1/messages", std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find(R"("type":"request_too_large")"), std::string::npos);
  r = test::http_request(port, "POST", "/admin/keys", std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find(R"("code":"TOO_LARGE")"), std::string::npos);
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  test::http_connection c{"127.0.0.1", port};
  std::string chunk(600, 'y');
  c.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
             "Transfer-Encoding: chunked\r\n\r\n258\r\n"
             + chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, HeaderSectionOverTheLimitIs431) {
  auto r = test::http_request(port, "GET", "/x", {},
                              "X-Big: " + std::string(4000, 'h'));
  EXPECT_EQ(r.status, 431);
}

TEST_F(ServerTest, PostWithoutLengthIs411) {
  test::http_connection c{"127.0.0.1", port};
  c.send_raw("POST /admin/keys HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 411);
  EXPECT_NE(r->body.find("LENGTH_REQUIRED"), std::string::npos);
}

TEST_F(ServerTest, SlowHeadersAreCutOffByTheHeaderTimeout) {
  auto started = std::chrono::steady_clock::now();
  test::http_connection c{"127.0.0.1", port};
  c.send_raw("GET /x HTTP/1.1\r\nHost: x\r\n"); // never finishes the headers
  ASSERT_TRUE(c.closed_by_peer(10s));
  auto took = std::chrono::steady_clock::now() - started;
  // Not before the header timer; long before the body timer (3 s) and the
  // keep-alive timer (60 s) could have done it, even on a loaded machine.
  EXPECT_GE(took, header_timeout - 50ms);
  EXPECT_LT(took, body_idle_timeout - 500ms);
}

TEST_F(ServerTest, StalledBodyIsCutOffByTheBodyIdleTimeout) {
  test::http_connection c{"127.0.0.1", port};
  c.send_raw("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.closed_by_peer(20s));
  auto took = std::chrono::steady_clock::now() - started;
  // The body timer, not the header timer (300 ms) nor keep-alive (60 s).
  EXPECT_GE(took, body_idle_timeout - 100ms);
  EXPECT_LT(took, 20s);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  test::http_connection c{"127.0.0.1", port};
  auto r = c.request("GET", "/x", {}, "Connection: close");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(ServerTest, DrainClosesIdleConnectionsAndStopsAccepting) {
  test::http_connection idle{"127.0.0.1", port};
  EXPECT_EQ(idle.request("GET", "/x").status, 200);
  server->stop_accepting();
  EXPECT_TRUE(server->draining());
  EXPECT_TRUE(idle.closed_by_peer(5s));
  bool refused = false;
  try {
    test::http_connection late{"127.0.0.1", port};
    late.send_raw("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    refused = !late.read_reply(2s).has_value();
  } catch (const std::exception&) {
    refused = true;
  }
  EXPECT_TRUE(refused);
}

TEST_F(ServerTest, BusyConnectionFinishesItsResponseDuringDrain) {
  {
    std::lock_guard guard{handler->release_mu};
    handler->hold_slow = true;
  }
  test::http_connection c{"127.0.0.1", port};
  c.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  // The request is inside the handler and held there while the drain
  // starts; only then may it answer.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (handler->slow_entered == 0
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(handler->slow_entered, 1);
  server->stop_accepting();
  handler->release();
  auto r = c.read_reply();
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->complete);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.closed_by_peer(5s));
}

TEST(Server, PortInUseIsAClearError) {
  providers::io_runtime io{1};
  auto first = http_server::start(io, {}, std::make_shared<echo_handler>());
  ASSERT_TRUE(first);
  server_options opts;
  opts.port = (*first)->port();
  auto second = http_server::start(io, opts, std::make_shared<echo_handler>());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("port in use"), std::string::npos);
}
