// The request reader over Beast's tokenizer: fields lower-cased in arrival
// order, Content-Length and chunked bodies, limits and keep-alive as Beast
// enforces them.
#include "http/request_reader.hpp"

#include <string>

#include <gtest/gtest.h>

#include "support/parser_feed.hpp"

namespace oh::http {
namespace {

boost::beast::error_code feed(request_reader& r, const std::string& wire,
                              size_t step) {
  return test::feed(r, wire, step, [] {});
}

TEST(RequestReader, ReadsHeadAndLengthDelimitedBody) {
  request_reader r;
  r.body_limit(1024);
  auto ec = feed(r,
                 "POST /v1/chat/completions?x=1 HTTP/1.1\r\n"
                 "Host: gw\r\nAuthorization: Bearer ohk_abc\r\n"
                 "Content-Type: application/json\r\nX-Request-ID: r1\r\n"
                 "Content-Length: 11\r\n\r\n{\"a\":\"bcd\"}",
                 7);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(r.method(), boost::beast::http::verb::post);
  EXPECT_TRUE(r.keep_alive());
  auto req = r.release();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/v1/chat/completions?x=1");
  ASSERT_EQ(req.headers.size(), 5u);
  EXPECT_EQ(req.headers[0].first, "host");
  EXPECT_EQ(req.headers[1].first, "authorization");
  EXPECT_EQ(req.headers[1].second, "Bearer ohk_abc");
  EXPECT_EQ(req.header("x-request-id").value_or(""), "r1");
  EXPECT_EQ(req.body, "{\"a\":\"bcd\"}");
}

TEST(RequestReader, JoinsChunkedBodies) {
  request_reader r;
  r.body_limit(1024);
  auto ec = feed(r,
                 "POST /v1/messages HTTP/1.1\r\nHost: gw\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n"
                 "4\r\n{\"a\"\r\n5\r\n:true\r\n1\r\n}\r\n0\r\n\r\n",
                 3);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(r.release().body, "{\"a\":true}");
}

TEST(RequestReader, BeastLimitsStillApply) {
  request_reader big_body;
  big_body.body_limit(4);
  auto ec
    = feed(big_body, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde", 64);
  EXPECT_EQ(ec, boost::beast::http::error::body_limit);

  request_reader big_head;
  big_head.header_limit(32);
  ec = feed(big_head,
            "GET / HTTP/1.1\r\nX-Long: " + std::string(64, 'a') + "\r\n\r\n",
            128);
  EXPECT_EQ(ec, boost::beast::http::error::header_limit);
}

TEST(RequestReader, HttpOneZeroClosesAndResponsesAreRefused) {
  request_reader r;
  auto ec = feed(r, "GET /health HTTP/1.0\r\n\r\n", 64);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_FALSE(r.keep_alive());
  EXPECT_EQ(r.release().target, "/health");

  request_reader not_a_request;
  ec = feed(not_a_request, "HTTP/1.1 200 OK\r\n\r\n", 64);
  EXPECT_TRUE(ec);
}

} // namespace
} // namespace oh::http
