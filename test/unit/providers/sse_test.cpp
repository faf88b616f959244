#include <gtest/gtest.h>

#include "providers/sse.hpp"

using namespace oh::providers;

namespace {

std::vector<sse_event> parse_in_pieces(const std::string& text,
                                       const std::vector<size_t>& cuts) {
  sse_parser p;
  std::vector<sse_event> out;
  auto collect = [&](sse_event& ev) {
    out.push_back(ev);
  };
  size_t start = 0;
  for (size_t cut : cuts) {
    p.feed(std::string_view{text}.substr(start, cut - start), collect);
    start = cut;
  }
  p.feed(std::string_view{text}.substr(start), collect);
  p.finish(collect);
  return out;
}

const std::string stream_text
  = ": keep-alive\n\n"
    "event: message_start\ndata: {\"a\":1}\n\n"
    "data: line one\r\ndata: line two\r\n\r\n"
    "id: 7\ndata:no-space\rdata: {\"b\":\"x:y\"}\r\r"
    "event: ignored-without-data\n\n"
    "data: [DONE]\n\n";

void expect_events(const std::vector<sse_event>& ev) {
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(ev[0].event, "message_start");
  EXPECT_EQ(ev[0].data, "{\"a\":1}");
  EXPECT_EQ(ev[1].data, "line one\nline two");
  EXPECT_EQ(ev[2].id, "7");
  EXPECT_EQ(ev[2].data, "no-space\n{\"b\":\"x:y\"}");
  EXPECT_EQ(ev[3].data, "[DONE]");
}

} // namespace

TEST(SseParser, ParsesFieldsLineEndingsAndComments) {
  expect_events(parse_in_pieces(stream_text, {}));
}

TEST(SseParser, GivesTheSameEventsSplitAtEveryByteBoundary) {
  for (size_t cut = 1; cut < stream_text.size(); ++cut)
    expect_events(parse_in_pieces(stream_text, {cut}));
}

TEST(SseParser, GivesTheSameEventsFedOneByteAtATime) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < stream_text.size(); ++i)
    cuts.push_back(i);
  expect_events(parse_in_pieces(stream_text, cuts));
}

TEST(SseParser, DispatchesALastEventWithoutItsBlankLine) {
  auto ev = parse_in_pieces("data: tail", {});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "tail");
}

TEST(SseParser, SkipsAByteOrderMarkBeforeTheFirstField) {
  auto ev = parse_in_pieces("\xEF\xBB\xBF"
                            "data: x\n\n",
                            {1, 2});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "x");
}

TEST(SseLimits, AnEventAtTheLimitPassesOneByteMoreOverflows) {
  // "data: " + payload: the line holds 6 + n bytes while it is read.
  for (size_t n : {size_t{90}, size_t{94}, size_t{95}}) {
    sse_parser p;
    p.set_limit(100);
    std::vector<std::string> seen;
    auto collect = [&](sse_event& ev) {
      seen.push_back(ev.data);
    };
    p.feed("data: " + std::string(n, 'x') + "\n\n", collect);
    if (n + 6 <= 100) {
      EXPECT_FALSE(p.overflowed()) << n;
      ASSERT_EQ(seen.size(), 1u);
    } else {
      EXPECT_TRUE(p.overflowed()) << n;
      EXPECT_TRUE(seen.empty());
      EXPECT_EQ(p.buffered(), 0u); // what it held is released
    }
  }
}

TEST(SseLimits, ManyDataLinesOfOneEventCountTogether) {
  sse_parser p;
  p.set_limit(64);
  int events = 0;
  auto count = [&](sse_event&) {
    ++events;
  };
  for (int i = 0; i < 20; ++i)
    p.feed("data: 0123456789\n", count);
  EXPECT_TRUE(p.overflowed());
  p.feed("\n", count);
  p.finish(count);
  EXPECT_EQ(events, 0);
}

TEST(SseLimits, AnEndlessLineSplitAcrossFeedsOverflows) {
  sse_parser p;
  p.set_limit(1000);
  auto ignore = [](sse_event&) {};
  for (int i = 0; i < 100 && !p.overflowed(); ++i)
    p.feed(std::string(64, 'a'), ignore);
  EXPECT_TRUE(p.overflowed());
  EXPECT_LE(p.buffered(), 1000u);
}

TEST(NdjsonLimits, ALineAtTheLimitPassesOneByteMoreOverflows) {
  for (size_t n : {size_t{99}, size_t{100}, size_t{101}}) {
    ndjson_reader r;
    r.set_limit(100);
    int lines = 0;
    auto count = [&](sse_event&) {
      ++lines;
    };
    auto line = std::string(n, 'x');
    r.feed(line.substr(0, n / 2), count);
    r.feed(line.substr(n / 2) + "\n", count);
    EXPECT_EQ(r.overflowed(), n > 100) << n;
    EXPECT_EQ(lines, n > 100 ? 0 : 1) << n;
  }
}
