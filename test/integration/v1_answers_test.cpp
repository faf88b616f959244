// What every /v1 answer carries, whatever answered it (SPEC §3): the
// router's 404 and 405, the server's 400/411/413/431 and /v1/models; and
// /v1/models in the usage log and the auth-failure metric (SPEC §8, §9.4).

#include <chrono>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "gateway.hpp"
#include "store/database.hpp"
#include "store/statement.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;
using namespace std::chrono_literals;

namespace {

void expect_request_headers(const http_reply& r, const std::string& what) {
  static const std::regex id{"[0-9a-f]{16}"};
  EXPECT_TRUE(std::regex_match(r.header("x-request-id"), id))
    << what << ": x-request-id \"" << r.header("x-request-id") << "\"";
  EXPECT_FALSE(r.header("x-openhinge-version").empty()) << what;
}

http_reply raw(uint16_t port, const std::string& bytes) {
  http_connection c{"127.0.0.1", port};
  c.send_raw(bytes);
  auto r = c.read_reply(5s);
  EXPECT_TRUE(r) << bytes.substr(0, 80);
  EXPECT_TRUE(!r || r->complete) << "cut short: " << bytes.substr(0, 80);
  return r ? *r : http_reply{};
}

TEST(V1Answers, RouterAndServerErrorsCarryTheRequestHeaders) {
  temp_dir dir;
  gateway gw{dir.file("data")};
  auto port = gw.port();
  auto not_found = http_request(port, "GET", "/v1/nothing-here");
  EXPECT_EQ(not_found.status, 404);
  expect_request_headers(not_found, "404");
  auto wrong_method = http_request(port, "DELETE", "/v1/chat/completions");
  EXPECT_EQ(wrong_method.status, 405);
  expect_request_headers(wrong_method, "405");
  auto no_length = raw(port, "POST /v1/chat/completions HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(no_length.status, 411);
  expect_request_headers(no_length, "411");
  auto too_large = raw(port, "POST /v1/chat/completions HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\nContent-Length: 99999999999"
                             "\r\n\r\n");
  EXPECT_EQ(too_large.status, 413);
  expect_request_headers(too_large, "413");
  auto huge_head = raw(port, "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "X-Big: "
                               + std::string(40'000, 'a') + "\r\n\r\n");
  EXPECT_EQ(huge_head.status, 431);
  expect_request_headers(huge_head, "431");
  auto bad_host = raw(port, "GET /v1/models HTTP/1.1\r\nHost: a\r\n"
                            "Host: b\r\n\r\n");
  EXPECT_EQ(bad_host.status, 400);
  expect_request_headers(bad_host, "400");
  auto models = http_request(port, "GET", "/v1/models");
  EXPECT_EQ(models.status, 401);
  expect_request_headers(models, "/v1/models 401");
}

TEST(V1Answers, ModelsRequestsAreLoggedAndFailuresCounted) {
  temp_dir dir;
  gateway gw{dir.file("data")};
  auto created = gw.admin("POST", "/admin/keys", R"({"name":"m"})");
  ASSERT_EQ(created.status, 201);
  std::string key = parse(created.body)["data"]["key"].GetString();
  std::string id = parse(created.body)["data"]["id"].GetString();
  auto ok = http_request(gw.port(), "GET", "/v1/models", "",
                         "Authorization: Bearer " + key);
  ASSERT_EQ(ok.status, 200) << ok.body;
  expect_request_headers(ok, "/v1/models 200");
  auto metrics_before = gw.admin("GET", "/metrics").body;
  auto failures = [](const std::string& text) {
    auto at = text.find("\nopenhinge_auth_failures_total ");
    return at == std::string::npos
             ? -1.0
             : std::stod(text.substr(at + 31, text.find('\n', at + 1) - at));
  };
  auto unknown
    = http_request(gw.port(), "GET", "/v1/models", "",
                   "Authorization: Bearer ohk_" + std::string(43, 'x'));
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(http_request(gw.port(), "GET", "/v1/models").status, 401);
  auto metrics_after = gw.admin("GET", "/metrics").body;
  EXPECT_EQ(failures(metrics_after) - failures(metrics_before), 2.0)
    << metrics_after;
  // Revoked: the known key's row says denied.
  ASSERT_EQ(gw.admin("POST", "/admin/keys/" + id + "/revoke").status, 200);
  EXPECT_EQ(http_request(gw.port(), "GET", "/v1/models", "",
                         "Authorization: Bearer " + key)
              .status,
            401);
  EXPECT_EQ(gw.stop(), 0); // the logger flushes on the way out
  store::database db{dir.file("data") + "/openhinge.db"};
  store::statement st{db, "SELECT endpoint, status, http_status, request_id"
                          " FROM usage_logs ORDER BY id"};
  std::vector<std::string> rows;
  while (st.step())
    rows.push_back(st.text(0) + " " + st.text(1) + " " + st.text(2));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], "models success 200");
  EXPECT_EQ(rows[1], "models denied 401");
}

} // namespace

namespace {

TEST(V1Answers, RateLimitHeadersOnEveryAnswerAfterAuthentication) {
  temp_dir dir;
  gateway gw{dir.file("data")};
  auto make_key = [&](const std::string& body) {
    auto r = gw.admin("POST", "/admin/keys", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string{"Authorization: Bearer "}
           + parse(r.body)["data"]["key"].GetString();
  };
  auto unlimited = make_key(R"({"name":"u","rate_limit_rpm":0})");
  auto limited
    = make_key(R"({"name":"l","rate_limit_rpm":5,"rate_limit_tpm":9000})");
  const std::string chat = R"({"messages":[{"role":"user","content":"hi"}]})";

  // rpm 0 (unlimited) still answers every request header, with the
  // largest integer, and no token headers without a tpm.
  for (auto* path : {"/v1/models", "/v1/chat/completions"}) {
    SCOPED_TRACE(path);
    bool get = std::string_view{path} == "/v1/models";
    auto r = http_request(gw.port(), get ? "GET" : "POST", path,
                          get ? "" : chat, unlimited);
    EXPECT_EQ(r.header("x-ratelimit-limit-requests"), "2147483647");
    EXPECT_EQ(r.header("x-ratelimit-remaining-requests"), "2147483647");
    EXPECT_EQ(r.header("x-ratelimit-reset-requests"), "0s");
    EXPECT_FALSE(r.header("x-ratelimit-reset-at").empty());
    EXPECT_TRUE(r.header("x-ratelimit-limit-tokens").empty());
  }
  // A limited key: its numbers, token headers, and /v1/models takes no
  // slot from the window.
  auto models = http_request(gw.port(), "GET", "/v1/models", "", limited);
  EXPECT_EQ(models.status, 200);
  EXPECT_EQ(models.header("x-ratelimit-limit-requests"), "5");
  EXPECT_EQ(models.header("x-ratelimit-remaining-requests"), "5");
  EXPECT_EQ(models.header("x-ratelimit-limit-tokens"), "9000");
  // A refusal after authentication (unknown soul: 404) carries them too.
  auto soul = http_request(gw.port(), "POST", "/v1/souls/nope/chat/completions",
                           chat, limited);
  EXPECT_EQ(soul.status, 404);
  EXPECT_EQ(soul.header("x-ratelimit-limit-requests"), "5");
  EXPECT_EQ(soul.header("x-ratelimit-limit"), "5");
}

} // namespace
