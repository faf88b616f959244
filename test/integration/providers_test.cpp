// The 2×4 matrix over real sockets: OpenAI and Anthropic clients in front of
// claude, openai, gemini and ollama accounts, each played by the fake
// upstream in that vendor's exact wire format.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "gateway.hpp"
#include "upstream.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;
using namespace std::chrono_literals;

namespace {

struct target {
  const char* type;
  const char* model;
  const char* path_prefix; // what the fake must have been asked
};

const target targets[] = {
  {"claude", "claude-sonnet-4-6", "/v1/messages"},
  {"openai", "gpt-4o", "/v1/chat/completions"},
  {"gemini", "gemini-2.5-flash", "/v1beta/models/gemini-2.5-flash:"},
  {"ollama", "qwen3:8b", "/api/chat"},
};

struct ProvidersTest : ::testing::Test {
  temp_dir dir;
  fake_upstream upstream{dir.path(), {"--api-key", "sk-upstream"}};
  std::unique_ptr<gateway> gw;
  std::string key;

  void SetUp() override {
    // The machine's own Ollama and provider keys, for detect/import.
    gw = std::make_unique<gateway>(
      dir.file("data"),
      std::map<std::string, std::string>{
        {"OLLAMA_HOST", "127.0.0.1:" + std::to_string(upstream.port())},
        {"ANTHROPIC_API_KEY", "sk-ant-env-secret"}});
    for (auto& t : targets) {
      std::string creds = std::string{t.type} == "ollama"
                            ? ""
                            : R"(,"credentials":{"api_key":"sk-upstream"})";
      auto r = gw->admin("POST", "/admin/providers",
                         std::string{R"({"name":")"} + t.type
                           + R"(-acct","type":")" + t.type + R"(","base_url":")"
                           + upstream.base_url() + "\"" + creds + "}");
      ASSERT_EQ(r.status, 201) << r.body;
    }
    auto r = gw->admin("POST", "/admin/keys",
                       R"({"name":"matrix","rate_limit_rpm":10000})");
    ASSERT_EQ(r.status, 201) << r.body;
    key = parse(r.body)["data"]["key"].GetString();
    // Each account's first probe fetches its model list.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto models = list_models().body;
      bool all = true;
      for (auto& t : targets)
        all = all && models.find(t.model) != std::string::npos;
      if (all)
        return;
      std::this_thread::sleep_for(20ms);
    }
    FAIL() << "the accounts' model lists never arrived: " << list_models().body;
  }

  http_reply list_models(const std::string& extra = {}) {
    std::string headers = "Authorization: Bearer " + key;
    if (!extra.empty())
      headers += "\r\n" + extra;
    return http_request(gw->port(), "GET", "/v1/models", "", headers);
  }

  http_reply openai_chat(const std::string& body) {
    return http_request(gw->port(), "POST", "/v1/chat/completions", body,
                        "Authorization: Bearer " + key);
  }

  http_reply anthropic_messages(const std::string& body) {
    return http_request(gw->port(), "POST", "/v1/messages", body,
                        "x-api-key: " + key
                          + "\r\nanthropic-version: 2023-06-01");
  }

  std::string last_target() {
    auto stats = upstream.stats();
    return stats.HasMember("last_target") ? stats["last_target"].GetString()
                                          : "";
  }
};

/// Text of an OpenAI stream's content deltas; fails on a missing [DONE].
std::string openai_stream_text(const std::string& body, std::string* finish) {
  std::string text;
  auto events = sse_data(body);
  EXPECT_FALSE(events.empty()) << body;
  if (events.empty())
    return text;
  EXPECT_EQ(events.back(), "[DONE]") << body;
  for (auto& e : events) {
    if (e == "[DONE]")
      continue;
    auto doc = parse(e);
    if (doc.HasMember("error"))
      ADD_FAILURE() << e;
    if (!doc.HasMember("choices") || doc["choices"].Empty())
      continue;
    auto& c = doc["choices"][0];
    if (c["delta"].HasMember("content") && c["delta"]["content"].IsString())
      text += c["delta"]["content"].GetString();
    if (c["finish_reason"].IsString() && finish)
      *finish = c["finish_reason"].GetString();
  }
  return text;
}

/// Text of an Anthropic stream's text deltas; checks the event order.
std::string anthropic_stream_text(const std::string& body,
                                  std::string* stop_reason) {
  std::string text;
  std::vector<std::string> types;
  for (auto& e : sse_data(body)) {
    auto doc = parse(e);
    std::string type = doc["type"].GetString();
    types.push_back(type);
    if (type == "content_block_delta"
        && std::string_view{doc["delta"]["type"].GetString()} == "text_delta")
      text += doc["delta"]["text"].GetString();
    if (type == "message_delta" && stop_reason)
      *stop_reason = doc["delta"]["stop_reason"].GetString();
  }
  EXPECT_GE(types.size(), 4u) << body;
  if (types.size() >= 4) {
    EXPECT_EQ(types.front(), "message_start") << body;
    EXPECT_EQ(types[1], "ping") << body;
    EXPECT_EQ(types[types.size() - 2], "message_delta") << body;
    EXPECT_EQ(types.back(), "message_stop") << body;
  }
  return text;
}

} // namespace

TEST_F(ProvidersTest, ModelsListEveryAccountsModelsFromTheirProbes) {
  auto doc = parse(list_models().body);
  std::map<std::string, std::string> owners;
  for (auto& m : doc["data"].GetArray())
    owners[m["id"].GetString()] = m["owned_by"].GetString();
  EXPECT_EQ(owners["claude-sonnet-4-6"], "claude");
  EXPECT_EQ(owners["gemini-2.5-pro"], "gemini");
  EXPECT_EQ(owners["qwen3:8b"], "ollama");
  EXPECT_EQ(owners["gpt-4o"], "openai");
  // Gemini models that cannot generate are not chat models.
  EXPECT_EQ(owners.count("text-embedding-004"), 0u);
  auto anthropic = parse(list_models("anthropic-version: 2023-06-01").body);
  EXPECT_FALSE(anthropic["has_more"].GetBool());
  EXPECT_STREQ(anthropic["data"][0]["type"].GetString(), "model");
}

TEST_F(ProvidersTest, OpenAIClientsReachEveryProvider) {
  for (auto& t : targets) {
    SCOPED_TRACE(t.type);
    std::string model = t.model;
    auto r = openai_chat(
      R"({"model":")" + model
      + R"(","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = parse(r.body);
    EXPECT_STREQ(doc["object"].GetString(), "chat.completion");
    EXPECT_STREQ(doc["choices"][0]["message"]["content"].GetString(),
                 "Hello from fake upstream");
    EXPECT_STREQ(doc["choices"][0]["finish_reason"].GetString(), "stop");
    EXPECT_GT(doc["usage"]["prompt_tokens"].GetInt(), 0);
    EXPECT_STREQ(doc["_openhinge"]["provider_type"].GetString(), t.type);
    EXPECT_TRUE(last_target().starts_with(t.path_prefix)) << last_target();

    r = openai_chat(
      R"({"model":")" + model
      + R"(","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi [[fake chunks=4]]"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/event-stream; charset=utf-8");
    std::string finish;
    EXPECT_EQ(openai_stream_text(r.body, &finish), "Hello from fake upstream");
    EXPECT_EQ(finish, "stop");
    auto events = sse_data(r.body);
    ASSERT_GE(events.size(), 2u);
    auto usage = parse(events[events.size() - 2]);
    EXPECT_GT(usage["usage"]["completion_tokens"].GetInt(), 0) << r.body;
  }
}

TEST_F(ProvidersTest, AnthropicClientsReachEveryProvider) {
  for (auto& t : targets) {
    SCOPED_TRACE(t.type);
    std::string model = t.model;
    auto r = anthropic_messages(
      R"({"model":")" + model
      + R"(","max_tokens":256,"system":"Be brief.","messages":[{"role":"user","content":"hi"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = parse(r.body);
    EXPECT_STREQ(doc["type"].GetString(), "message");
    EXPECT_STREQ(doc["content"][0]["type"].GetString(), "text");
    EXPECT_STREQ(doc["content"][0]["text"].GetString(),
                 "Hello from fake upstream");
    EXPECT_STREQ(doc["stop_reason"].GetString(), "end_turn");
    EXPECT_GT(doc["usage"]["output_tokens"].GetInt(), 0);
    EXPECT_TRUE(last_target().starts_with(t.path_prefix)) << last_target();

    r = anthropic_messages(
      R"({"model":")" + model
      + R"(","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"hi [[fake chunks=5]]"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    std::string stop;
    EXPECT_EQ(anthropic_stream_text(r.body, &stop), "Hello from fake upstream");
    EXPECT_EQ(stop, "end_turn");
  }
}

TEST_F(ProvidersTest, ToolCallRoundTripsThroughEveryProviderInBothDialects) {
  const std::string tools
    = R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}])";
  const std::string anthropic_tools
    = R"("tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}])";
  for (auto& t : targets) {
    SCOPED_TRACE(t.type);
    std::string model = t.model;
    // OpenAI dialect: two parallel calls, then their results.
    auto r = openai_chat(
      R"({"model":")" + model + R"(",)" + tools
      + R"(,"messages":[{"role":"user","content":"weather? [[fake tools=2]]"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = parse(r.body);
    auto& msg = doc["choices"][0]["message"];
    EXPECT_STREQ(doc["choices"][0]["finish_reason"].GetString(), "tool_calls");
    ASSERT_TRUE(msg["tool_calls"].IsArray()) << r.body;
    ASSERT_EQ(msg["tool_calls"].Size(), 2u);
    std::string id0 = msg["tool_calls"][0]["id"].GetString();
    std::string id1 = msg["tool_calls"][1]["id"].GetString();
    EXPECT_NE(id0, id1);
    auto args
      = parse(msg["tool_calls"][1]["function"]["arguments"].GetString());
    EXPECT_STREQ(args["city"].GetString(), "City 1");
    std::string history
      = R"({"model":")" + model + R"(",)" + tools
        + R"(,"messages":[{"role":"user","content":"weather?"},)"
        + json::to_string(msg) + R"(,{"role":"tool","tool_call_id":")" + id0
        + R"(","content":"sunny"},{"role":"tool","tool_call_id":")" + id1
        + R"(","content":"rainy"}]})";
    r = openai_chat(history);
    ASSERT_EQ(r.status, 200) << r.body;
    doc = parse(r.body);
    std::string answer = doc["choices"][0]["message"]["content"].GetString();
    EXPECT_EQ(answer.rfind("The tool said ", 0), 0u) << answer;

    // Anthropic dialect: streamed tool_use blocks with input_json_delta.
    r = anthropic_messages(
      R"({"model":")" + model + R"(","max_tokens":256,"stream":true,)"
      + anthropic_tools
      + R"(,"messages":[{"role":"user","content":"weather? [[fake tools=1]]"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    std::string tool_id;
    std::string partial;
    std::string stop;
    for (auto& e : sse_data(r.body)) {
      auto ev = parse(e);
      std::string type = ev["type"].GetString();
      if (type == "content_block_start"
          && std::string_view{ev["content_block"]["type"].GetString()}
               == "tool_use")
        tool_id = ev["content_block"]["id"].GetString();
      if (type == "content_block_delta"
          && std::string_view{ev["delta"]["type"].GetString()}
               == "input_json_delta")
        partial += ev["delta"]["partial_json"].GetString();
      if (type == "message_delta")
        stop = ev["delta"]["stop_reason"].GetString();
    }
    EXPECT_FALSE(tool_id.empty()) << r.body;
    auto input = json::parse(partial);
    ASSERT_TRUE(input && input->IsObject()) << partial;
    EXPECT_STREQ((*input)["city"].GetString(), "City 0");
    EXPECT_EQ(stop, "tool_use");
    r = anthropic_messages(
      R"({"model":")" + model + R"(","max_tokens":256,)" + anthropic_tools
      + R"(,"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":[{"type":"tool_use","id":")"
      + tool_id
      + R"(","name":"get_weather","input":{"city":"City 0"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":")"
      + tool_id + R"(","content":"sunny"}]}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    doc = parse(r.body);
    EXPECT_STREQ(doc["content"][0]["text"].GetString(), "The tool said sunny");
  }
}

TEST_F(ProvidersTest, UpstreamsGetTheirOwnAuthHeaders) {
  auto r = anthropic_messages(
    R"({"model":"claude-sonnet-4-6","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto stats = upstream.stats();
  auto& h = stats["last_headers"];
  EXPECT_STREQ(h["x-api-key"].GetString(), "sk-upstream");
  EXPECT_STREQ(h["anthropic-version"].GetString(), "2023-06-01");
  EXPECT_FALSE(h.HasMember("authorization"));
  r = openai_chat(
    R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  stats = upstream.stats();
  EXPECT_STREQ(stats["last_headers"]["x-goog-api-key"].GetString(),
               "sk-upstream");
  // The client's own key never travels upstream.
  EXPECT_EQ(std::string{stats["last_body"].GetString()}.find(key),
            std::string::npos);
}

TEST_F(ProvidersTest, MidStreamErrorsEndInBandInEitherDialect) {
  for (auto& t : targets) {
    SCOPED_TRACE(t.type);
    std::string model = t.model;
    auto r = openai_chat(
      R"({"model":")" + model
      + R"(","stream":true,"messages":[{"role":"user","content":"hi [[fake chunks=4 error_after=2]]"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    auto events = sse_data(r.body);
    ASSERT_GE(events.size(), 3u) << r.body;
    EXPECT_EQ(events.back(), "[DONE]");
    auto err = parse(events[events.size() - 2]);
    ASSERT_TRUE(err.HasMember("error")) << r.body;
    EXPECT_STREQ(err["error"]["type"].GetString(), "upstream_error");

    r = anthropic_messages(
      R"({"model":")" + model
      + R"(","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi [[fake chunks=4 error_after=2]]"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("event: error\n"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("message_stop"), std::string::npos) << r.body;
  }
}

TEST_F(ProvidersTest, WhatATargetCannotTakeIsA400NamingIt) {
  auto r = openai_chat(
    R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_STREQ(parse(r.body)["error"]["param"].GetString(),
               "messages[0].content[1]");
  r = openai_chat(
    R"({"model":"claude-sonnet-4-6","n":2,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_STREQ(parse(r.body)["error"]["param"].GetString(), "n");
  // Dropped parameters are listed, never silently lost.
  r = openai_chat(
    R"({"model":"claude-sonnet-4-6","seed":7,"logit_bias":{"50256":-100},"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r.body);
  auto& dropped = doc["_openhinge"]["dropped_params"];
  ASSERT_EQ(dropped.Size(), 2u) << r.body;
  EXPECT_EQ(r.header("x-openhinge-dropped-params"), "logit_bias, seed");
  // Anthropic dialect errors are Anthropic's shape.
  r = anthropic_messages(R"({"model":"claude-sonnet-4-6","messages":[]})");
  EXPECT_EQ(r.status, 400);
  doc = parse(r.body);
  EXPECT_STREQ(doc["type"].GetString(), "error");
  EXPECT_STREQ(doc["error"]["type"].GetString(), "invalid_request_error");
}

TEST_F(ProvidersTest, CountTokensForwardsToClaudeAndEstimatesElsewhere) {
  auto count = [&](const std::string& model) {
    return http_request(
      gw->port(), "POST", "/v1/messages/count_tokens",
      R"({"model":")" + model
        + R"(","max_tokens":100,"system":"Be brief.","messages":[{"role":"user","content":"How many tokens is this?"}]})",
      "x-api-key: " + key + "\r\nanthropic-version: 2023-06-01");
  };
  auto r = count("claude-sonnet-4-6");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r.body);
  EXPECT_GT(doc["input_tokens"].GetInt(), 0);
  EXPECT_FALSE(doc.HasMember("estimated"));
  auto stats = upstream.stats();
  EXPECT_STREQ(stats["last_target"].GetString(), "/v1/messages/count_tokens");
  // count_tokens refuses generation-only fields: they are not forwarded.
  auto sent = parse(stats["last_body"].GetString());
  EXPECT_FALSE(sent.HasMember("max_tokens"));
  EXPECT_STREQ(sent["system"].GetString(), "Be brief.");

  r = count("gemini-2.5-flash");
  ASSERT_EQ(r.status, 200) << r.body;
  doc = parse(r.body);
  EXPECT_GT(doc["input_tokens"].GetInt(), 0);
  EXPECT_TRUE(doc["estimated"].GetBool());
}

TEST_F(ProvidersTest, DetectFindsOllamaAndEnvironmentKeysAndImportCreatesThem) {
  auto r = gw->admin("GET", "/admin/providers/detect");
  ASSERT_EQ(r.status, 200) << r.body;
  // The key's value never leaves the gateway.
  EXPECT_EQ(r.body.find("sk-ant-env-secret"), std::string::npos);
  auto doc = parse(r.body);
  bool saw_env = false;
  bool saw_ollama = false;
  for (auto& d : doc["data"].GetArray()) {
    std::string source = d["source"].GetString();
    if (source == "env:ANTHROPIC_API_KEY") {
      saw_env = true;
      EXPECT_STREQ(d["type"].GetString(), "claude");
    }
    if (source == "ollama") {
      saw_ollama = true;
      EXPECT_TRUE(d["found"].GetBool()) << r.body;
      EXPECT_STREQ(d["models"][0].GetString(), "qwen3:8b");
    }
  }
  EXPECT_TRUE(saw_env) << r.body;
  EXPECT_TRUE(saw_ollama) << r.body;

  r = gw->admin("POST", "/admin/providers/import",
                R"({"source":"env:ANTHROPIC_API_KEY","name":"from-env"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body.find("sk-ant-env-secret"), std::string::npos);
  auto created = parse(r.body);
  EXPECT_STREQ(created["data"]["type"].GetString(), "claude");
  r = gw->admin("POST", "/admin/providers/import",
                R"({"source":"ollama","name":"local-ollama"})");
  ASSERT_EQ(r.status, 201) << r.body;
  created = parse(r.body);
  EXPECT_EQ(std::string{created["data"]["base_url"].GetString()},
            "http://127.0.0.1:" + std::to_string(upstream.port()));
  r = gw->admin("POST", "/admin/providers/import",
                R"({"source":"/etc/passwd"})");
  EXPECT_EQ(r.status, 400) << r.body;
}

TEST_F(ProvidersTest, AGeminiKeyRefusedAs400IsTheAccountsFailureNotTheClients) {
  // A higher-priority Gemini account with a wrong key: Gemini answers 400
  // API_KEY_INVALID, the gateway fails over instead of blaming the client.
  auto r = gw->admin(
    "POST", "/admin/providers",
    R"({"name":"gemini-bad-key","type":"gemini","priority":10,"base_url":")"
      + upstream.base_url() + R"(","credentials":{"api_key":"wrong"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  r = openai_chat(
    R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r.body);
  EXPECT_STREQ(doc["_openhinge"]["provider"].GetString(), "gemini-acct");
  ASSERT_TRUE(doc["_openhinge"].HasMember("attempts")) << r.body;
  EXPECT_STREQ(doc["_openhinge"]["attempts"][0]["provider"].GetString(),
               "gemini-bad-key");
  EXPECT_EQ(doc["_openhinge"]["attempts"][0]["status"].GetInt(), 401);
}
