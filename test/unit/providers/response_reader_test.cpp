// The upstream response reader over Beast's tokenizer: status, fields
// lower-cased in arrival order, body pieces per put, chunked and
// read-until-close framing.
#include "providers/response_reader.hpp"

#include <string>

#include <gtest/gtest.h>

#include "support/parser_feed.hpp"

namespace oh::providers {
namespace {

/// Feeds `wire` and collects the body pieces each put parsed.
boost::beast::error_code feed(response_reader& r, const std::string& wire,
                              size_t step, std::string& body,
                              bool eof_at_end = false) {
  return test::feed(
    r, wire, step,
    [&] {
      body.append(r.body());
      r.clear_body();
    },
    eof_at_end);
}

TEST(ResponseReader, ReadsStatusFieldsAndLengthDelimitedBody) {
  response_reader r;
  r.body_limit(boost::none);
  std::string body;
  auto ec = feed(r,
                 "HTTP/1.1 429 Too Many Requests\r\nServer: up\r\n"
                 "Retry-After: 3\r\nContent-Type: application/json\r\n"
                 "Content-Length: 13\r\n\r\n{\"error\":\"x\"}",
                 5, body);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(r.is_done());
  EXPECT_EQ(r.status(), 429u);
  ASSERT_EQ(r.headers().size(), 4u);
  EXPECT_EQ(r.headers()[1].first, "retry-after");
  EXPECT_EQ(r.headers()[1].second, "3");
  EXPECT_EQ(body, "{\"error\":\"x\"}");
  EXPECT_TRUE(r.keep_alive());
}

TEST(ResponseReader, JoinsChunkedServerSentEvents) {
  response_reader r;
  r.body_limit(boost::none);
  std::string body;
  auto ec = feed(r,
                 "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n"
                 "f\r\ndata: {\"a\":1}\n\n\r\n"
                 "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n",
                 4, body);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(r.is_done());
  EXPECT_EQ(body, "data: {\"a\":1}\n\ndata: [DONE]\n\n");
}

TEST(ResponseReader, BodyUntilCloseEndsAtEof) {
  response_reader r;
  r.body_limit(boost::none);
  std::string body;
  auto ec = feed(r, "HTTP/1.0 200 OK\r\n\r\nall of it", 64, body, true);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(r.is_done());
  EXPECT_FALSE(r.keep_alive());
  EXPECT_EQ(body, "all of it");
}

} // namespace
} // namespace oh::providers
