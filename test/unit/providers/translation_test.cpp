// The pure pieces around the golden corpus: model listings, NDJSON
// framing, Gemini schema cleaning, Anthropic validation, pair selection.

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "providers/anthropic/ingress.hpp"
#include "providers/gemini/translate.hpp"
#include "providers/model_listing.hpp"
#include "providers/sse.hpp"
#include "providers/translation.hpp"

using namespace oh;
using namespace oh::providers;

namespace {

std::string header(const upstream_request& r, const std::string& name) {
  for (auto& [k, v] : r.headers)
    if (k == name)
      return v;
  return "<absent>";
}

} // namespace

TEST(ModelListing, EachTypeAsksItsOwnEndpointWithItsOwnAuth) {
  auto claude = listing_request("claude", "https://api.anthropic.com", "k1");
  ASSERT_TRUE(claude);
  EXPECT_EQ(claude->url.target, "/v1/models");
  EXPECT_EQ(header(*claude, "x-api-key"), "k1");
  EXPECT_EQ(header(*claude, "anthropic-version"), "2023-06-01");
  EXPECT_EQ(header(*claude, "authorization"), "<absent>");
  auto gemini = listing_request(
    "gemini", "https://generativelanguage.googleapis.com", "k2");
  ASSERT_TRUE(gemini);
  EXPECT_EQ(gemini->url.target, "/v1beta/models");
  EXPECT_EQ(header(*gemini, "x-goog-api-key"), "k2");
  auto ollama = listing_request("ollama", "http://127.0.0.1:11434/", "");
  ASSERT_TRUE(ollama);
  EXPECT_EQ(ollama->url.target, "/api/tags");
  EXPECT_EQ(ollama->headers.size(), 0u);
  auto openai = listing_request("openai_compatible", "http://h/v1", "k3");
  ASSERT_TRUE(openai);
  EXPECT_EQ(openai->url.target, "/v1/models");
  EXPECT_EQ(header(*openai, "authorization"), "Bearer k3");
  EXPECT_EQ(openai->method, "GET");
}

TEST(ModelListing, ReadsEachShapeAndSkipsModelsThatCannotChat) {
  EXPECT_EQ(parse_listing("openai", R"({"data":[{"id":"a"},{"id":"b"}]})"),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(
    parse_listing(
      "claude",
      R"({"data":[{"type":"model","id":"claude-x"}],"has_more":false})"),
    (std::vector<std::string>{"claude-x"}));
  EXPECT_EQ(
    parse_listing(
      "gemini",
      R"({"models":[{"name":"models/gemini-2.5-pro","supportedGenerationMethods":["generateContent"]},{"name":"models/embedding","supportedGenerationMethods":["embedContent"]}]})"),
    (std::vector<std::string>{"gemini-2.5-pro"}));
  EXPECT_EQ(parse_listing("ollama", R"({"models":[{"name":"qwen3:8b"}]})"),
            (std::vector<std::string>{"qwen3:8b"}));
  EXPECT_TRUE(parse_listing("ollama", "not json").empty());
  EXPECT_TRUE(parse_listing("openai", R"({"error":"x"})").empty());
}

TEST(NdjsonReader, GivesOneEventPerLineWhereverTheBytesSplit) {
  std::string raw = "{\"a\":1}\r\n\n{\"b\":2}\n{\"c\":3}";
  for (size_t cut = 0; cut <= raw.size(); ++cut) {
    ndjson_reader r;
    std::vector<std::string> lines;
    auto on = [&](sse_event& ev) {
      lines.push_back(ev.data);
    };
    r.feed(std::string_view{raw}.substr(0, cut), on);
    r.feed(std::string_view{raw}.substr(cut), on);
    r.finish(on);
    EXPECT_EQ(lines,
              (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"}))
      << "cut at " << cut;
  }
}

TEST(GeminiBody, SchemaCleaningKeepsPropertiesNamedLikeKeywords) {
  canonical_request r;
  r.model = "gemini-2.5-flash";
  r.turns.push_back({turn::role_kind::user, {text_part("hi")}, true});
  tool_def tool;
  tool.name = "f";
  tool.parameters
    = R"({"type":"object","$schema":"x","properties":{"const":{"type":"string","const":"v"},"list":{"type":"array","items":{"type":"object","additionalProperties":false}}},"additionalProperties":false})";
  r.tools.push_back(tool);
  auto body = gemini::build_body(r);
  ASSERT_TRUE(body);
  auto doc = json::parse(*body);
  ASSERT_TRUE(doc);
  auto& params = (*doc)["tools"][0]["functionDeclarations"][0]["parameters"];
  EXPECT_FALSE(params.HasMember("additionalProperties"));
  EXPECT_FALSE(params.HasMember("$schema"));
  ASSERT_TRUE(params["properties"].HasMember("const"));
  EXPECT_FALSE(params["properties"]["const"].HasMember("const"));
  EXPECT_FALSE(
    params["properties"]["list"]["items"].HasMember("additionalProperties"));
  EXPECT_EQ(r.dropped,
            (std::vector<std::string>{"tools.parameters.$schema",
                                      "tools.parameters.additionalProperties",
                                      "tools.parameters.const"}));
}

TEST(AnthropicValidation, NamesTheOffendingField) {
  auto check = [](const char* body) {
    auto doc = json::parse(body);
    EXPECT_TRUE(doc);
    auto f = anthropic::validate_request(*doc);
    return f ? f->field : std::string{"<valid>"};
  };
  EXPECT_EQ(check(R"({"messages":[{"role":"user","content":"hi"}]})"),
            "<valid>");
  EXPECT_EQ(check(R"({})"), "messages");
  EXPECT_EQ(check(R"({"messages":[{"role":"system","content":"x"}]})"),
            "messages[0].role");
  EXPECT_EQ(
    check(R"({"messages":[{"role":"user","content":[{"type":"text"}]}]})"),
    "messages[0].content[0].text");
  EXPECT_EQ(
    check(R"({"messages":[{"role":"user","content":"x"}],"temperature":1.5})"),
    "temperature");
  EXPECT_EQ(
    check(R"({"messages":[{"role":"user","content":"x"}],"max_tokens":0})"),
    "max_tokens");
  EXPECT_EQ(
    check(
      R"({"messages":[{"role":"user","content":"x"}],"stop_sequences":[1]})"),
    "stop_sequences");
}

TEST(Pairs, SameDialectRelaysAndEverythingElseTranslates) {
  call_input in;
  in.client = dialect::openai;
  for (auto [type, relay] :
       {std::pair{"openai", true}, std::pair{"openai_compatible", true},
        std::pair{"claude", false}, std::pair{"gemini", false},
        std::pair{"ollama", false}}) {
    in.account_type = type;
    EXPECT_EQ(is_relay(in), relay) << type;
  }
  in.client = dialect::anthropic;
  in.account_type = "claude";
  EXPECT_TRUE(is_relay(in));
  in.account_type = "openai";
  EXPECT_FALSE(is_relay(in));
  EXPECT_FALSE(wire_for_type("bedrock"));
}

TEST(Pairs, AnthropicRelayForwardsTheClientsVersionAndBetaHeaders) {
  auto body = json::parse(
    R"({"model":"x","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(body);
  http_request http;
  http.headers = {{"anthropic-version", "2023-06-01"},
                  {"anthropic-beta", "prompt-caching-2024-07-31"}};
  call_input in;
  in.client = dialect::anthropic;
  in.body = &*body;
  in.http = &http;
  in.account_type = "claude";
  in.base_url = "https://api.anthropic.com/";
  in.api_key = "sk-ant";
  in.model = "claude-sonnet-4-6";
  auto call = prepare_call(in);
  ASSERT_TRUE(call);
  EXPECT_EQ(call->request.url.target, "/v1/messages");
  EXPECT_TRUE(call->request.url.tls);
  EXPECT_EQ(header(call->request, "anthropic-beta"),
            "prompt-caching-2024-07-31");
  EXPECT_EQ(header(call->request, "x-api-key"), "sk-ant");
  auto sent = json::parse(call->request.body);
  ASSERT_TRUE(sent);
  EXPECT_STREQ((*sent)["model"].GetString(), "claude-sonnet-4-6");
}
