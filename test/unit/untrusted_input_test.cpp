// Untrusted input at the first readers a request meets (SPEC §3, §14):
// each client route's body (parsed, then validated as the request actor
// does), the admin API's body and field readers. Hostile nesting, bad
// encodings and absurd numbers end in a clear error, never a crash nor a
// recursion past json::max_depth. The parse-level cases live in
// core/json_test.cpp and the end-to-end ones in integration/hostile_test;
// these hold the readers each route uses to the same rules.
//
// Then the regressions of what the fuzz targets (test/fuzz) found.

#include <functional>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/request_reader.hpp"
#include "providers/anthropic/ingress.hpp"
#include "providers/openai/translate.hpp"
#include "providers/response_reader.hpp"
#include "providers/sse.hpp"
#include "providers/translation.hpp"
#include "support/parser_feed.hpp"

namespace {

using namespace oh;

/// What the request actor does with a client's body first
/// (actors/request.cpp, begin()): parse, then validate for the route.
std::optional<failure> read_client_body(dialect d, std::string_view body) {
  auto doc = json::parse(body);
  if (!doc)
    return doc.error();
  return d == dialect::anthropic ? providers::anthropic::validate_request(*doc)
                                 : providers::openai::validate_request(*doc);
}

/// What every admin handler does with a body first.
std::optional<failure> read_admin_body(std::string_view body) {
  auto doc = http::admin::body_object(body);
  if (!doc)
    return doc.error();
  return std::nullopt;
}

struct reader {
  const char* route;
  std::function<std::optional<failure>(std::string_view)> read;
};

const reader readers[] = {
  {"/v1/chat/completions",
   [](std::string_view b) {
     return read_client_body(dialect::openai, b);
   }},
  {"/v1/messages (and count_tokens)",
   [](std::string_view b) {
     return read_client_body(dialect::anthropic, b);
   }},
  {"/admin/*", read_admin_body},
};

std::string arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string objects(size_t depth) {
  std::string text;
  for (size_t i = 0; i < depth; ++i)
    text += "{\"a\":";
  return text + "1" + std::string(depth, '}');
}

/// A request each route would take, with `value` as a tool's parameters.
std::string request_with(std::string_view value) {
  return R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}],)"
         R"("tools":[{"type":"function","function":{"name":"f","parameters":)"
         + std::string{value} + R"(}}]})";
}

TEST(UntrustedInput, AHundredThousandLevelsAreAClearErrorOnEveryRoute) {
  const size_t depth = 100'000;
  for (auto& r : readers)
    for (auto& body : {arrays(depth), objects(depth),
                       std::string(depth, '['), // never closed
                       request_with(objects(depth))}) {
      auto err = r.read(body);
      ASSERT_TRUE(err) << r.route;
      EXPECT_EQ(err->code, errc::invalid_json) << r.route;
      EXPECT_NE(err->message.find("deeper than 128"), std::string::npos)
        << r.route << ": " << err->message;
    }
}

TEST(UntrustedInput, NestingAtTheLimitIsReadAndTranslatedWithoutFailing) {
  // The walkers after the parser (validation, schema cleaning, the vendor
  // bodies) recurse only as deep as the parser let the document go.
  auto body_text = request_with(objects(json::max_depth - 6));
  auto body = json::parse(body_text);
  ASSERT_TRUE(body) << body.error().message;
  ASSERT_FALSE(providers::openai::validate_request(*body));
  http_request http;
  for (auto* type : {"openai", "claude", "gemini", "ollama"}) {
    providers::call_input in;
    in.body = &*body;
    in.http = &http;
    in.account_type = type;
    in.base_url = "http://up";
    in.api_key = "k";
    in.model = "m";
    auto call = providers::prepare_call(in);
    ASSERT_TRUE(call) << type << ": " << call.error().message;
    EXPECT_TRUE(json::parse(call->request.body)) << type;
  }
}

TEST(UntrustedInput, InvalidUtf8AndLoneSurrogatesAreAClearErrorOnEveryRoute) {
  for (std::string bad : {
         std::string{R"("\ud800")"},       // lone high surrogate
         std::string{R"("\ud800x")"},      // high followed by a letter
         std::string{R"("\udfff\ud800")"}, // the halves reversed
         std::string{"\"\xed\xa0\x80\""},  // a surrogate as UTF-8 bytes
         std::string{"\"a\xff"
                     "b\""},                  // never valid in UTF-8
         std::string{"\"\xc0\xaf\""},         // overlong '/'
         std::string{"\"\xf4\x90\x80\x80\""}, // past U+10FFFF
       }) {
    for (auto& r : readers)
      for (auto& body :
           {R"({"model":"m","name":)" + bad
              + R"(,"messages":[{"role":"user","content":"hi"}]})",
            R"({"model":"m","messages":[{"role":"user","content":)" + bad
              + "}]}",
            "{" + bad + R"(:1,"model":"m"})"}) { // in a member name
        auto err = r.read(body);
        ASSERT_TRUE(err) << r.route << ": " << body;
        EXPECT_EQ(err->code, errc::invalid_json) << r.route;
        // Our check names UTF-8; RapidJSON's own, for a high surrogate
        // without its low half, names the surrogate.
        EXPECT_TRUE(err->message.find("UTF-8") != std::string::npos
                    || err->message.find("surrogate") != std::string::npos)
          << r.route << ": " << err->message;
      }
  }
}

TEST(UntrustedInput, NumbersPastADoubleAreAClearErrorOnEveryRoute) {
  std::string digits400(400, '7');
  for (auto& number : {std::string{"1e999999"}, std::string{"-1e999999"},
                       digits400, "-" + digits400}) {
    for (auto& r : readers) {
      auto err = r.read(R"({"model":"m","max_tokens":)" + number
                        + R"(,"messages":[{"role":"user","content":"hi"}]})");
      ASSERT_TRUE(err) << r.route << ": " << number;
      EXPECT_EQ(err->code, errc::invalid_json) << r.route;
      EXPECT_NE(err->message.find("too big"), std::string::npos)
        << r.route << ": " << err->message;
    }
  }
}

TEST(UntrustedInput, HugeNumbersThatParseAreRefusedNamingTheField) {
  // Within a double's range they parse (as doubles); the field readers
  // refuse them by name instead of converting them to an integer.
  std::string digits300(300, '9');
  for (auto d : {dialect::openai, dialect::anthropic})
    for (auto& number : {std::string{"1e300"}, digits300,
                         std::string{"18446744073709551616"}, // 2^64
                         std::string{"1.5"}, std::string{"-1"}}) {
      auto err = read_client_body(
        d, R"({"model":"m","max_tokens":)" + number
             + R"(,"messages":[{"role":"user","content":"hi"}]})");
      ASSERT_TRUE(err) << number;
      EXPECT_EQ(err->code, errc::invalid_value) << number;
      EXPECT_EQ(err->field, "max_tokens") << number;
    }
  for (auto& number : {std::string{"1e300"}, digits300}) {
    auto err = read_client_body(
      dialect::openai, R"({"model":"m","temperature":)" + number
                         + R"(,"messages":[{"role":"user","content":"hi"}]})");
    ASSERT_TRUE(err) << number;
    EXPECT_EQ(err->field, "temperature");
  }

  auto body = http::admin::body_object(R"({"rate_limit_rpm":)" + digits300
                                       + R"(,"budget_usd":1e300})");
  ASSERT_TRUE(body);
  http::admin::fields f{*body};
  EXPECT_FALSE(f.integer("rate_limit_rpm", 0, 1'000'000));
  ASSERT_TRUE(f.error());
  EXPECT_EQ(f.error()->field, "rate_limit_rpm");
  http::admin::fields g{*body};
  EXPECT_FALSE(g.number("budget_usd", 0, 1e9));
  ASSERT_TRUE(g.error());
  EXPECT_EQ(g.error()->field, "budget_usd");
}

TEST(UntrustedInput, TheLargestMaxTokensIsValidButSizesABoundedReservation) {
  // INT64_MAX is a positive integer, so validation takes it; the request
  // actor adds the body's size to it for the reservation (an overflow,
  // undefined behaviour, and a negative reservation past the TPM limit).
  const std::string body
    = R"({"model":"m","max_tokens":9223372036854775807,"max_completion_tokens":9223372036854775807,"messages":[{"role":"user","content":"hi"}]})";
  for (auto d : {dialect::openai, dialect::anthropic})
    EXPECT_FALSE(read_client_body(d, body));
  auto doc = json::parse(body);
  auto openai = providers::openai::read_facts(*doc);
  auto anthropic = providers::anthropic::read_facts(*doc);
  EXPECT_EQ(openai.max_tokens, providers::max_token_count);
  EXPECT_EQ(anthropic.max_tokens, providers::max_token_count);
}

// -- found by the fuzz targets ------------------------------------------------

/// Client events from the gateway's SSE bytes.
std::vector<providers::sse_event> client_events(const std::string& bytes) {
  std::vector<providers::sse_event> out;
  providers::sse_parser p;
  auto keep = [&](providers::sse_event& ev) {
    out.push_back(ev);
  };
  p.feed(bytes, keep);
  p.finish(keep);
  return out;
}

/// One event from Claude relayed to an Anthropic client.
providers::stream_translator::step relay(const providers::sse_event& ev) {
  auto body = json::parse(
    R"({"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  http_request http;
  providers::call_input in;
  in.client = dialect::anthropic;
  in.body = &*body;
  in.http = &http;
  in.account_type = "claude";
  in.model = "m";
  in.stream = true;
  return providers::make_stream_translator(in)->on_event(ev);
}

/// The bytes the client gets for an event the relay takes.
std::string relayed(const providers::sse_event& ev) {
  auto step = relay(ev);
  EXPECT_FALSE(step.error) << *step.error;
  return step.bytes;
}

TEST(FuzzRegressions, ClaudeRelayNeverForwardsAnEventNameThatIsNotUtf8) {
  providers::sse_event ev;
  ev.event = "conten\x94t_block_delta";
  ev.data = R"({"type":"ping"})";
  auto bytes = relayed(ev);
  EXPECT_TRUE(json::valid_utf8(bytes)) << bytes;
  auto events = client_events(bytes);
  ASSERT_EQ(events.size(), 1u) << bytes;
  EXPECT_EQ(events[0].data, ev.data);
}

TEST(FuzzRegressions, ClaudeRelayKeepsDataOfSeveralLinesInOneEvent) {
  providers::sse_event ev;
  ev.event = "ping";
  ev.data = "{\"type\":\n\"ping\"}"; // JSON may break a line anywhere
  auto events = client_events(relayed(ev));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event, "ping");
  EXPECT_EQ(events[0].data, ev.data);
}

TEST(FuzzRegressions, ClaudeRelayNameFromTheDataCannotStartAField) {
  providers::sse_event ev; // no `event:` line: the name is the data's type
  ev.data = R"({"type":"ping\ndata: {\"injected\":1}"})";
  auto events = client_events(relayed(ev));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, ev.data);
}

TEST(FuzzRegressions, AByteOfAByteOrderMarkAloneIsNotSkipped) {
  // RapidJSON's UTF-8 stream skipped EF, BB and BF each on its own.
  for (auto* text : {"\xBB{}", "\xEF[]", "\xBF{}", "\xEF\xBB{}", "\xBB\xBF[]"})
    EXPECT_FALSE(json::parse(text)) << text;
  EXPECT_TRUE(json::parse("\xEF\xBB\xBF{}")); // a whole one is allowed
  auto bad = json::parse("\xEF\xBB\xBF[x]");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("offset 4"), std::string::npos)
    << bad.error().message; // offsets count the mark

  // Claude's relay forwarded such data verbatim: invalid UTF-8 to a client.
  providers::sse_event ev;
  ev.event = "ping";
  ev.data = "\xBB{\"type\":\"ping\"}";
  auto step = relay(ev);
  EXPECT_TRUE(step.error);
  EXPECT_TRUE(json::valid_utf8(step.bytes));
}

TEST(FuzzRegressions, SchemaVerdictGoesInsideAMessageDeltaEndingInSpace) {
  // A soul's response schema on an Anthropic client in front of Claude:
  // the verdict was spliced before the last byte, which was the space.
  auto body = json::parse(
    R"({"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  http_request http;
  providers::soul_edits soul;
  soul.response_schema = R"({"type":"object"})";
  providers::call_input in;
  in.client = dialect::anthropic;
  in.body = &*body;
  in.http = &http;
  in.account_type = "claude";
  in.model = "m";
  in.stream = true;
  in.soul = &soul;
  auto t = providers::make_stream_translator(in);
  std::string bytes;
  for (
    auto* data : {
      R"({"type":"message_start","message":{"id":"m1","model":"c"}})",
      R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})",
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{}"}})",
      R"({"type":"message_delta","delta":{"stop_reason":"end_turn"}}  )",
      R"({"type":"message_stop"})",
    }) {
    providers::sse_event ev;
    ev.data = data;
    bytes += t->on_event(ev).bytes;
  }
  bytes += t->on_end().bytes;
  bool verdict = false;
  for (auto& ev : client_events(bytes)) {
    auto doc = json::parse(ev.data);
    ASSERT_TRUE(doc) << ev.data;
    if (auto* oh = json::find(*doc, "_openhinge"))
      verdict = (*oh)["schema_valid"].IsTrue();
  }
  EXPECT_TRUE(verdict) << bytes;
}

TEST(FuzzRegressions, UpstreamTokenCountsAreBoundedBeforeTheyAreSummed) {
  // Claude's input is input + cache reads + cache writes, Gemini's output
  // candidates + thoughts, the total input + output: counts near INT64_MAX
  // overflowed (undefined behaviour), negative ones made a cost negative.
  const std::string big = "9223372036854775807";
  struct answer_case {
    const char* type;
    std::string body;
  };
  const answer_case cases[] = {
    {"claude",
     R"({"id":"m1","type":"message","role":"assistant","model":"c","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":)"
       + big + R"(,"cache_read_input_tokens":)" + big
       + R"(,"cache_creation_input_tokens":)" + big
       + R"(,"output_tokens":-5}})"},
    {"openai",
     R"({"id":"c1","object":"chat.completion","model":"g","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":-7,"completion_tokens":)"
       + big + R"(,"completion_tokens_details":{"reasoning_tokens":)" + big
       + "}}}"},
    {"gemini",
     R"({"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}],"modelVersion":"g","usageMetadata":{"promptTokenCount":-1,"candidatesTokenCount":)"
       + big + R"(,"thoughtsTokenCount":)" + big + "}}"},
    {"ollama",
     R"({"model":"q","message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"stop","prompt_eval_count":)"
       + big + R"(,"eval_count":-3})"},
  };
  auto body = json::parse(
    R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  http_request http;
  for (auto d : {dialect::openai, dialect::anthropic})
    for (auto& c : cases) {
      providers::call_input in;
      in.client = d;
      in.body = &*body;
      in.http = &http;
      in.account_type = c.type;
      in.model = "m";
      auto parsed = providers::read_answer(in, c.body);
      ASSERT_TRUE(parsed) << c.type << ": " << parsed.error().message;
      auto& u = parsed->usage;
      for (int64_t n :
           {u.input, u.output, u.cache_read, u.cache_write, u.reasoning}) {
        EXPECT_GE(n, 0) << c.type;
        EXPECT_LE(n, 3 * providers::max_token_count) << c.type;
      }
    }
}

TEST(FuzzRegressions, ALastChunkWhoseEndArrivesAByteAtATimeIsRead) {
  // Beast 1.81 asserted here (see src/providers/asio_impl.cpp): a client
  // or upstream trickling a chunked body that starts with its last chunk
  // aborted any build with assertions.
  http::request_reader req;
  req.body_limit(1024);
  auto ec = test::feed(req,
                       "POST /v1/messages HTTP/1.1\r\nHost: gw\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                       1, [] {});
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(req.release().body, "");

  providers::response_reader res;
  std::string body;
  ec = test::feed(res,
                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "0\r\nX-Trailer: t\r\n\r\n",
                  1, [&] {
                    body.append(res.body());
                    res.clear_body();
                  });
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(res.is_done());
  EXPECT_EQ(body, "");
}

} // namespace
