// The public listener a Cloudflare tunnel points at (SPEC §12, issue #22):
// /v1 and /health only, the admin plane and the dashboard 404 there unless
// tunnel.expose_admin is set, and the client's address from
// Cf-Connecting-IP on that listener alone.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "gateway.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "upstream.hpp"

using namespace oh;
using namespace oh::test;

namespace {

json::document parse(const std::string& text) {
  auto doc = json::parse(text);
  EXPECT_TRUE(doc) << text;
  return doc ? std::move(*doc) : json::document{};
}

struct PublicListener : ::testing::Test {
  temp_dir dir;
  fake_upstream upstream{dir.path()};
  uint16_t public_port = free_port();
  std::unique_ptr<gateway> gw;
  std::string key;

  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--public-port", std::to_string(public_port)};
    args.insert(args.end(), extra.begin(), extra.end());
    gw = std::make_unique<gateway>(dir.file("data"),
                                   std::map<std::string, std::string>{}, args);
    auto r = gw->admin(
      "POST", "/admin/providers",
      R"({"name":"fake","type":"openai","base_url":")" + upstream.base_url()
        + R"(","credentials":{"api_key":"sk-fake-upstream-key"},
             "config":{"default_model":"gpt-4o-mini"}})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto k = gw->admin("POST", "/admin/keys", R"({"name":"tunnel"})");
    ASSERT_EQ(k.status, 201) << k.body;
    key = parse(k.body)["data"]["key"].GetString();
  }

  http_reply on_public(const std::string& method, const std::string& path,
                       const std::string& body = {},
                       const std::string& headers = {}) {
    return http_request(public_port, method, path, body, headers);
  }
};

TEST_F(PublicListener, ServesV1AndHealthAndNothingOfTheAdminPlane) {
  start();
  auto health = on_public("GET", "/health");
  EXPECT_EQ(health.status, 200) << health.body;
  auto chat = on_public(
    "POST", "/v1/chat/completions",
    R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})",
    "Authorization: Bearer " + key);
  EXPECT_EQ(chat.status, 200) << chat.body;
  auto models
    = on_public("GET", "/v1/models", {}, "Authorization: Bearer " + key);
  EXPECT_EQ(models.status, 200) << models.body;

  // Every admin route, the dashboard and /metrics: 404, even with the
  // admin token, and the answer does not say what is hidden.
  std::string token = "Authorization: Bearer " + gw->admin_token();
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
         {"GET", "/admin/providers"},
         {"GET", "/admin/keys"},
         {"POST", "/admin/keys"},
         {"GET", "/admin/auth/status"},
         {"POST", "/admin/auth/login"},
         {"POST", "/admin/auth/setup"},
         {"GET", "/admin/actors"},
         {"GET", "/admin/settings"},
         {"GET", "/admin/cost/logs/export"},
         {"GET", "/dashboard/"},
         {"GET", "/dashboard/js/app.js"},
         {"GET", "/"},
         {"GET", "/metrics"}}) {
    auto r = on_public(method, path, method == "POST" ? "{}" : "", token);
    EXPECT_EQ(r.status, 404) << method << " " << path << ": " << r.body;
    // The answer of any unknown path, not the admin plane's own 404.
    EXPECT_NE(r.body.find(R"("code":"not_found")"), std::string::npos)
      << path << r.body;
    EXPECT_EQ(r.header("x-frame-options"), "") << path;
  }
  // The same routes still work on the main listener.
  EXPECT_EQ(gw->admin("GET", "/admin/providers").status, 200);
  EXPECT_EQ(http_request(gw->port(), "GET", "/dashboard/").status, 200);
}

TEST_F(PublicListener, TheClientAddressComesFromCloudflareOnlyThere) {
  start();
  auto body
    = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]})";
  auto auth = "Authorization: Bearer " + key;
  ASSERT_EQ(on_public("POST", "/v1/chat/completions", body,
                      auth + "\r\nCf-Connecting-IP: 203.0.113.7")
              .status,
            200);
  ASSERT_EQ(on_public("POST", "/v1/chat/completions", body,
                      auth + "\r\nCf-Connecting-IP: not-an-address")
              .status,
            200);
  ASSERT_EQ(http_request(gw->port(), "POST", "/v1/chat/completions", body,
                         auth + "\r\nCf-Connecting-IP: 198.51.100.9")
              .status,
            200);
  // The rows reach the database in batches: wait for all three.
  std::vector<std::string> ips;
  for (int i = 0; i < 100 && ips.size() < 3; ++i) {
    ips.clear();
    store::database db{dir.file("data") + "/openhinge.db"};
    store::statement st{db, "SELECT client_ip FROM usage_logs ORDER BY id"};
    while (st.step())
      ips.push_back(st.text(0));
    if (ips.size() < 3)
      ::usleep(50'000);
  }
  ASSERT_EQ(ips.size(), 3u) << "the log rows never arrived";
  EXPECT_EQ(ips[0], "203.0.113.7");
  EXPECT_EQ(ips[1], "127.0.0.1") << "an invalid header is ignored";
  EXPECT_EQ(ips[2], "127.0.0.1") << "the main listener ignores the header";
}

TEST_F(PublicListener, ExposeAdminOpensTheAdminPlaneThere) {
  auto cfg = dir.file("openhinge.json");
  {
    std::ofstream f{cfg};
    f << R"({"tunnel":{"expose_admin":true}})";
  }
  start({"--config", cfg});
  auto r = on_public("GET", "/admin/providers", {},
                     "Authorization: Bearer " + gw->admin_token());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(on_public("GET", "/admin/providers").status, 401)
    << "exposed still needs the token";
}

TEST_F(PublicListener, AnOccupiedPublicPortStopsTheStartWithStatus2) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(public_port);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  child_process p{OH_BINARY,
                  {"--port", "0", "--data-dir", dir.file("data2"),
                   "--public-port", std::to_string(public_port)},
                  {{"OPENHINGE_CONFIG", ""}},
                  dir.file("occupied.log")};
  EXPECT_EQ(p.wait(), 2);
  EXPECT_NE(read_file(dir.file("occupied.log")).find("server.public_port"),
            std::string::npos)
    << read_file(dir.file("occupied.log"));
  ::close(fd);
}

} // namespace
