#include <gtest/gtest.h>

#include "providers/openai/translate.hpp"
#include "providers/upstream_client.hpp"

using namespace oh;
using namespace oh::providers;
using namespace oh::providers::openai;

namespace {

json::document doc(const std::string& text) {
  auto d = json::parse(text);
  EXPECT_TRUE(d) << text;
  return std::move(*d);
}

} // namespace

TEST(OpenAiTranslate, ValidationNamesTheOffendingField) {
  auto bad = [](const std::string& body) {
    auto err = validate_request(doc(body));
    return err ? err->field : std::string{"<ok>"};
  };
  EXPECT_EQ(bad(R"({"messages":[{"role":"user","content":"x"}]})"), "<ok>");
  EXPECT_EQ(bad(R"({})"), "messages");
  EXPECT_EQ(bad(R"({"messages":[]})"), "messages");
  EXPECT_EQ(bad(R"({"messages":[{"content":"x"}]})"), "messages[0].role");
  EXPECT_EQ(bad(R"({"messages":[{"role":"user","content":5}]})"),
            "messages[0].content");
  EXPECT_EQ(
    bad(R"({"messages":[{"role":"user","content":[{"type":"text"}]}]})"),
    "messages[0].content[0].text");
  EXPECT_EQ(
    bad(
      R"({"messages":[{"role":"assistant","content":null,"tool_calls":[]}]})"),
    "<ok>");
  EXPECT_EQ(bad(R"({"messages":[{"role":"user","content":"x"}],"model":3})"),
            "model");
  EXPECT_EQ(bad(R"({"messages":[{"role":"user","content":"x"}],"top_p":1.5})"),
            "top_p");
  EXPECT_EQ(bad(R"({"messages":[{"role":"user","content":"x"}],"n":0})"), "n");
  EXPECT_EQ(
    bad(R"({"messages":[{"role":"user","content":"x"}],"stream":"yes"})"),
    "stream");
}

TEST(OpenAiTranslate, SoulPromptGoesFirstAndDefaultsOnlyFillGaps) {
  soul_edits soul{"You are a pirate.", 0.2, 300};
  upstream_options opts{"gpt-4o", true, false};
  auto body = doc(build_upstream_body(
    doc(R"({"model":"soul/x","temperature":1.0,"stream":true,
            "messages":[{"role":"system","content":"Brief."},
                        {"role":"user","content":"hi"}],"seed":7})"),
    &soul, opts));
  EXPECT_STREQ(body["model"].GetString(), "gpt-4o");
  EXPECT_STREQ(body["messages"][0]["content"].GetString(), "You are a pirate.");
  EXPECT_STREQ(body["messages"][1]["content"].GetString(), "Brief.");
  EXPECT_DOUBLE_EQ(body["temperature"].GetDouble(), 1.0); // client wins
  EXPECT_EQ(body["max_completion_tokens"].GetInt(), 300); // soul fills
  EXPECT_EQ(body["seed"].GetInt(), 7);                    // passed through
  EXPECT_TRUE(body["stream_options"]["include_usage"].GetBool());
}

TEST(OpenAiTranslate, CompatibleTargetsGetMaxTokens) {
  upstream_options opts{"llama", false, true};
  auto body = doc(build_upstream_body(
    doc(
      R"({"messages":[{"role":"user","content":"x"}],"max_completion_tokens":9})"),
    nullptr, opts));
  EXPECT_EQ(body["max_tokens"].GetInt(), 9);
  EXPECT_FALSE(body.HasMember("max_completion_tokens"));
}

TEST(OpenAiTranslate, ChatUrlAvoidsDoubleV1) {
  EXPECT_EQ(chat_url("https://api.openai.com"),
            "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(chat_url("http://localhost:8000/v1/"),
            "http://localhost:8000/v1/chat/completions");
}

TEST(OpenAiTranslate, CompletionIdsGetOnePrefix) {
  EXPECT_EQ(completion_id("abc"), "chatcmpl-abc");
  EXPECT_EQ(completion_id("chatcmpl-abc"), "chatcmpl-abc");
}

TEST(OpenAiTranslate, UsageReadsCachedAndReasoningTokens) {
  auto u = read_usage(doc(R"({"prompt_tokens":100,"completion_tokens":20,
    "prompt_tokens_details":{"cached_tokens":40},
    "completion_tokens_details":{"reasoning_tokens":5}})"));
  EXPECT_EQ(u.input, 100);
  EXPECT_EQ(u.cache_read, 40);
  EXPECT_EQ(u.output, 20);
  EXPECT_EQ(u.reasoning, 5);
}

TEST(OpenAiTranslate, RenderedCompletionKeepsOrderAndAddsGatewayFacts) {
  auto c = parse_completion(
    R"({"id":"xyz","object":"chat.completion","model":"gpt-4o-2024-08-06",
        "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},
        "finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}})");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->model, "gpt-4o-2024-08-06");
  EXPECT_EQ(c->finish_reason, "stop");
  gateway_facts f;
  f.request_id = "r1";
  f.soul = "pirate";
  f.provider = "main";
  f.provider_type = "openai";
  f.cost_cents = 0.5;
  auto out = render_completion(*c, f);
  EXPECT_TRUE(out.starts_with(R"({"id":"chatcmpl-xyz")")) << out;
  auto d = doc(out);
  EXPECT_STREQ(d["_openhinge"]["soul"].GetString(), "pirate");
  EXPECT_DOUBLE_EQ(d["_openhinge"]["cost_cents"].GetDouble(), 0.5);
}

TEST(OpenAiTranslate, RenderedCompletionReplacesAnUpstreamOpenhingeMember) {
  // An upstream (or a gateway in front of it) may send its own
  // `_openhinge`: the client gets ours only, once, and an id is added when
  // the upstream sent none.
  auto c = parse_completion(
    R"({"object":"chat.completion","_openhinge":{"request_id":"theirs"},
        "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},
        "finish_reason":"stop"}]})");
  ASSERT_TRUE(c);
  gateway_facts f;
  f.request_id = "r2";
  f.provider = "main";
  f.provider_type = "openai";
  f.attempts_json = R"([{"provider":"a","status":503}])";
  f.fallback_attempts_json = "not json";
  auto out = render_completion(*c, f);
  auto d = doc(out);
  ASSERT_TRUE(d.IsObject()) << out;
  EXPECT_STREQ(d["id"].GetString(), "chatcmpl-r2");
  EXPECT_STREQ(d["_openhinge"]["request_id"].GetString(), "r2");
  EXPECT_TRUE(d["_openhinge"]["soul"].IsNull());
  ASSERT_TRUE(d["_openhinge"]["attempts"].IsArray());
  EXPECT_EQ(d["_openhinge"]["attempts"][0]["status"].GetInt(), 503);
  // Text that is not a JSON array is left out rather than break the answer.
  EXPECT_FALSE(d["_openhinge"].HasMember("fallback_attempts"));
  EXPECT_EQ(out.find("theirs"), std::string::npos);
  EXPECT_EQ(out.find("\"_openhinge\""), out.rfind("\"_openhinge\""));
}

TEST(OpenAiTranslate, UpstreamErrorMessagesNeverForwardRawBodies) {
  EXPECT_EQ(upstream_error_message(R"({"error":{"message":"bad key"}})", 401),
            "bad key");
  EXPECT_EQ(upstream_error_message("<html>oops</html>", 502),
            "the provider answered HTTP 502");
}

TEST(OpenAiStreamRelay, AddsARoleChunkAndOneIdAndHidesUsage) {
  stream_relay relay{"chatcmpl-ours", false};
  auto s1 = relay.on_data(
    R"({"id":"up1","created":5,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]})");
  EXPECT_TRUE(s1.content);
  // A role chunk comes first when the upstream sent none.
  auto first_end = s1.bytes.find("\n\n");
  auto role = doc(s1.bytes.substr(6, first_end - 6));
  EXPECT_STREQ(role["choices"][0]["delta"]["role"].GetString(), "assistant");
  EXPECT_NE(s1.bytes.find(R"("id":"chatcmpl-ours")"), std::string::npos);
  EXPECT_EQ(s1.bytes.find("up1"), std::string::npos);
  auto s2 = relay.on_data(
    R"({"id":"up2","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})");
  EXPECT_FALSE(s2.content);
  EXPECT_EQ(relay.finish_reason(), "stop");
  auto s3 = relay.on_data(
    R"({"id":"up3","model":"m","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}})");
  EXPECT_TRUE(s3.bytes.empty()); // the client did not ask
  EXPECT_EQ(relay.usage().output, 2);
  EXPECT_TRUE(relay.on_data("[DONE]").done);
  EXPECT_EQ(relay.finish(), "data: [DONE]\n\n");
}

TEST(OpenAiStreamRelay, SynthesisesTheUsageChunkWhenAskedButMissing) {
  stream_relay relay{"c", true};
  relay.on_data(
    R"({"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"x"},"finish_reason":"stop"}]})");
  auto tail = relay.finish();
  EXPECT_NE(tail.find(R"("choices":[])"), std::string::npos);
  EXPECT_TRUE(tail.ends_with("data: [DONE]\n\n"));
}

TEST(OpenAiStreamRelay, ToolCallDeltasCountAsContent) {
  stream_relay relay{"c", false};
  auto s = relay.on_data(
    R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]})");
  EXPECT_TRUE(s.content);
  auto role_only = stream_relay{"c", false}.on_data(
    R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})");
  EXPECT_FALSE(role_only.content);
}

TEST(OpenAiStreamRelay, ErrorEventsAndGarbageAreErrors) {
  stream_relay relay{"c", false};
  EXPECT_TRUE(relay.on_data(R"({"error":{"message":"overloaded"}})").error);
  EXPECT_EQ(*relay.on_data(R"({"error":{"message":"overloaded"}})").error,
            "overloaded");
  EXPECT_TRUE(relay.on_data("not json").error);
}

TEST(UpstreamUrl, SplitsSchemeHostPortAndTarget) {
  auto u = parse_url("https://api.example.com/v1/chat?x=1");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "api.example.com");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/v1/chat?x=1");
  u = parse_url("http://[::1]:8080");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->target, "/");
  EXPECT_FALSE(parse_url("ftp://x"));
  EXPECT_FALSE(parse_url("http://host:port/"));
}
