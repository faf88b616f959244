#include "core/http_head.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

namespace oh {
namespace {

TEST(HttpHead, HeadLinesFollowTheHeadersAndCannotSplitTheHead) {
  std::string lines;
  http_head::append_line(lines, "x-request-id", "abc");
  // A value carrying client text (a dropped parameter's name) with CR/LF.
  http_head::append_line(lines, "x-openhinge-dropped-params",
                         "evil\r\nset-cookie: a=b");
  auto head = http_head::response(200, "application/json", {{"x-first", "1"}},
                                  true, 0, lines);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\n"
                  "Content-Type: application/json\r\n"
                  "x-first: 1\r\n"
                  "x-request-id: abc\r\n"
                  "x-openhinge-dropped-params: evil  set-cookie: a=b\r\n"
                  "Connection: keep-alive\r\n"
                  "Content-Length: 0\r\n\r\n");
}

TEST(HttpHead, HeaderValuesWithLineBreaksAreFlattened) {
  auto head = http_head::response(200, "", {{"x-a", "1\r\nx-b: 2"}}, false, 0);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nx-a: 1  x-b: 2\r\n"
                  "Connection: close\r\nContent-Length: 0\r\n\r\n");
}

TEST(HttpHead, ResponseHasStatusLineHeadersConnectionAndLength) {
  auto head = http_head::response(
    200, "application/json", {{"x-request-id", "abc"}, {"retry-after", "1"}},
    true, 42);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\n"
                  "Content-Type: application/json\r\n"
                  "x-request-id: abc\r\n"
                  "retry-after: 1\r\n"
                  "Connection: keep-alive\r\n"
                  "Content-Length: 42\r\n"
                  "\r\n");
}

TEST(HttpHead, ResponseWithoutLengthIsChunkedAndMayClose) {
  auto head = http_head::response(429, "", {}, false, std::nullopt);
  EXPECT_EQ(head, "HTTP/1.1 429 Too Many Requests\r\n"
                  "Connection: close\r\n"
                  "Transfer-Encoding: chunked\r\n"
                  "\r\n");
}

TEST(HttpHead, NoContentCarriesNoLength) {
  auto head = http_head::response(204, "", {{"a", "b"}}, true, 0);
  EXPECT_EQ(head, "HTTP/1.1 204 No Content\r\na: b\r\nConnection: "
                  "keep-alive\r\n\r\n");
  EXPECT_FALSE(http_head::has_body(204));
  EXPECT_FALSE(http_head::has_body(304));
  EXPECT_TRUE(http_head::has_body(200));
}

TEST(HttpHead, TheLastOfARepeatedHeaderWinsAndFramingHeadersAreOurs) {
  auto head = http_head::response(502, "text/plain",
                                  {{"X-Request-Id", "first"},
                                   {"content-length", "999"},
                                   {"Connection", "upgrade"},
                                   {"Transfer-Encoding", "gzip"},
                                   {"x-request-id", "second"}},
                                  true, 3);
  EXPECT_EQ(head, "HTTP/1.1 502 Bad Gateway\r\n"
                  "Content-Type: text/plain\r\n"
                  "x-request-id: second\r\n"
                  "Connection: keep-alive\r\n"
                  "Content-Length: 3\r\n"
                  "\r\n");
}

TEST(HttpHead, RequestHasHostDefaultAgentHeadersAndLength) {
  auto head = http_head::request(
    "POST", "/v1/chat/completions", "api.example.com", "openhinge/1",
    {{"authorization", "Bearer k"}, {"content-type", "application/json"}}, 17);
  EXPECT_EQ(head, "POST /v1/chat/completions HTTP/1.1\r\n"
                  "Host: api.example.com\r\n"
                  "User-Agent: openhinge/1\r\n"
                  "authorization: Bearer k\r\n"
                  "content-type: application/json\r\n"
                  "Content-Length: 17\r\n"
                  "\r\n");
}

TEST(HttpHead, RequestKeepsTheCallersAgentAndSendsNoLengthForABodylessGet) {
  auto head = http_head::request(
    "GET", "/api/tags", "127.0.0.1:11434", "openhinge/1",
    {{"User-Agent", "claude-cli/2"}, {"host", "elsewhere"}}, 0);
  EXPECT_EQ(head, "GET /api/tags HTTP/1.1\r\n"
                  "Host: 127.0.0.1:11434\r\n"
                  "User-Agent: claude-cli/2\r\n"
                  "\r\n");
  auto post = http_head::request("POST", "/x", "h", "ua", {}, 0);
  EXPECT_NE(post.find("Content-Length: 0\r\n"), std::string::npos);
}

TEST(HttpHead, OnlyChunkedIsASupportedTransferCoding) {
  EXPECT_EQ(http_head::unsupported_transfer_coding("chunked"), "");
  EXPECT_EQ(http_head::unsupported_transfer_coding(" Chunked ,"), "");
  EXPECT_EQ(http_head::unsupported_transfer_coding(""), "");
  EXPECT_EQ(http_head::unsupported_transfer_coding("gzip"), "gzip");
  EXPECT_EQ(http_head::unsupported_transfer_coding("gzip, chunked"), "gzip");
  EXPECT_EQ(http_head::unsupported_transfer_coding("chunked,\tdeflate "),
            "deflate");
}

TEST(ClipEcho, CutsLongTextAtACharacterBoundary) {
  EXPECT_EQ(clip_echo("short"), "short");
  EXPECT_EQ(clip_echo(std::string(200, 'a')), std::string(200, 'a'));
  EXPECT_EQ(clip_echo(std::string(201, 'a')), std::string(200, 'a') + "…");
  // "é" is two bytes: a cut inside it backs up to its start.
  std::string text = std::string(199, 'a') + "é" + "zzz";
  EXPECT_EQ(clip_echo(text), std::string(199, 'a') + "…");
  EXPECT_EQ(clip_echo("ééé", 3), "é…");
}

} // namespace
} // namespace oh
