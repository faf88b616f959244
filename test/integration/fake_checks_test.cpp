// The fake upstream refuses what each vendor would refuse (body_checks in
// tools/fake_upstream), so the gateway's translations are held to the
// vendors' rules: bad bodies straight to the fake get the vendor's own
// error; the gateway's conversations with every provider type, in both
// client dialects, streamed or not, with tools, pass those rules; and the
// model listings follow the failure script, so a failing account is probed
// `down`.

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

enum class shape { anthropic, openai, gemini, ollama };

/// The value at `path` inside `v`, or nothing when a step is missing: a
/// test that meets the wrong shape fails and says so instead of aborting on
/// a rapidjson assertion.
const json::value* find_at(const json::value& v,
                           std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (auto* name : path) {
    if (!cur->IsObject() || !cur->HasMember(name))
      return nullptr;
    cur = &(*cur)[name];
  }
  return cur;
}

/// The string at `path`, or "<absent>" when there is none.
std::string text_at(const json::value& v,
                    std::initializer_list<const char*> path) {
  auto* found = find_at(v, path);
  return found != nullptr && found->IsString() ? found->GetString()
                                               : "<absent>";
}

/// The JSON text at `path`, or "<absent>".
std::string json_at(const json::value& v,
                    std::initializer_list<const char*> path) {
  auto* found = find_at(v, path);
  return found != nullptr ? json::to_string(*found) : "<absent>";
}

/// One body a vendor refuses: where it goes, what the refusal must say
/// and (OpenAI's shape) which parameter and code it names.
struct bad_body {
  const char* name;
  shape vendor;
  const char* path;
  const char* body;
  const char* says;
  const char* param = nullptr; // OpenAI: "" for null
  const char* code = nullptr;
};

const char* claude_headers = "x-api-key: sk-x\r\nanthropic-version: 2023-06-01";

std::string headers_for(shape s) {
  switch (s) {
    case shape::anthropic:
      return claude_headers;
    case shape::gemini:
      return "x-goog-api-key: sk-x";
    case shape::openai:
      return "Authorization: Bearer sk-x";
    case shape::ollama:
      break;
  }
  return {};
}

/// The refusal is the vendor's: its status, error shape and words.
void expect_vendor_refusal(const bad_body& c, const http_reply& r) {
  SCOPED_TRACE(c.name);
  ASSERT_EQ(r.status, 400) << r.body;
  auto doc = json::parse(r.body);
  ASSERT_TRUE(doc && doc->IsObject()) << r.body;
  auto& d = *doc;
  std::string message;
  switch (c.vendor) {
    case shape::anthropic:
      EXPECT_EQ(text_at(d, {"type"}), "error") << r.body;
      EXPECT_EQ(text_at(d, {"error", "type"}), "invalid_request_error")
        << r.body;
      message = text_at(d, {"error", "message"});
      break;
    case shape::openai:
      EXPECT_EQ(text_at(d, {"error", "type"}), "invalid_request_error")
        << r.body;
      // Both are always there, null when they name nothing.
      if (c.param != nullptr)
        EXPECT_EQ(json_at(d, {"error", "param"}),
                  *c.param == '\0' ? std::string{"null"}
                                   : "\"" + std::string{c.param} + "\"")
          << r.body;
      if (c.code != nullptr)
        EXPECT_EQ(json_at(d, {"error", "code"}),
                  *c.code == '\0' ? std::string{"null"}
                                  : "\"" + std::string{c.code} + "\"")
          << r.body;
      message = text_at(d, {"error", "message"});
      break;
    case shape::gemini:
      EXPECT_EQ(json_at(d, {"error", "code"}), "400") << r.body;
      EXPECT_EQ(text_at(d, {"error", "status"}), "INVALID_ARGUMENT") << r.body;
      message = text_at(d, {"error", "message"});
      break;
    case shape::ollama:
      EXPECT_EQ(d.MemberCount(), 1u) << r.body;
      message = text_at(d, {"error"});
      break;
  }
  EXPECT_NE(message.find(c.says), std::string::npos)
    << "expected \"" << c.says << "\" in: " << message;
}

// Each body differs from an accepted one (below) in the one rule it breaks.
const bad_body bad_bodies[]
  = {
    // Anthropic Messages.
    {"claude: max_tokens is required", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]})",
     "max_tokens: Field required"},
    {"claude: max_tokens is positive", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})",
     "max_tokens: Input should be greater than or equal to 1"},
    {"claude: model is a string", shape::anthropic, "/v1/messages",
     R"({"model":7,"max_tokens":8,"messages":[{"role":"user","content":"hi"}]})",
     "model: Input should be a valid string"},
    {"claude: messages are not empty", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"messages":[]})",
     "at least one message is required"},
    {"claude: system is top-level only", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]})",
     "Unexpected role \"system\""},
    {"claude: roles are user and assistant", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":"hi"},{"role":"tool","content":"x"}]})",
     "messages.1.role: Input should be 'user' or 'assistant'"},
    {"claude: the first message is the user's", shape::anthropic,
     "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"assistant","content":"Hello"},{"role":"user","content":"hi"}]})",
     "first message must use the \"user\" role"},
    {"claude: system blocks are text", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"system":[{"type":"image","source":{"type":"url","url":"https://x/y.png"}}],"messages":[{"role":"user","content":"hi"}]})",
     "system.0.type: Input should be 'text'"},
    {"claude: content blocks are typed", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]})",
     "Input tag 'image_url'"},
    {"claude: a tool_result answers a tool_use", shape::anthropic,
     "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}]})",
     "unexpected `tool_use_id`"},
    {"claude: a tool_use is answered at once", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},{"role":"user","content":"well?"}]})",
     "`tool_use` ids were found without `tool_result` blocks"},
    {"claude: temperature is at most 1", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"temperature":1.5,"messages":[{"role":"user","content":"hi"}]})",
     "temperature: Input should be less than or equal to 1"},
    {"claude: tools are Anthropic's shape", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"tools":[{"type":"function","function":{"name":"get_weather"}}],"messages":[{"role":"user","content":"hi"}]})",
     "Input tag 'function'"},
    {"claude: tool_choice is an object", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"tool_choice":"auto","messages":[{"role":"user","content":"hi"}]})",
     "tool_choice: Input should be a valid dictionary"},
    {"claude: no fields of other APIs", shape::anthropic, "/v1/messages",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]})",
     "stream_options: Extra inputs are not permitted"},
    {"claude: count_tokens takes no max_tokens", shape::anthropic,
     "/v1/messages/count_tokens",
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":"hi"}]})",
     "max_tokens: Extra inputs are not permitted"},

    // OpenAI Chat Completions.
    {"openai: model is required", shape::openai, "/v1/chat/completions",
     R"({"messages":[{"role":"user","content":"hi"}]})",
     "you must provide a model parameter", "", ""},
    {"openai: messages are not empty", shape::openai, "/v1/chat/completions",
     R"({"model":"gpt-4o","messages":[]})", "empty array", "messages",
     "empty_array"},
    {"openai: roles are OpenAI's", shape::openai, "/v1/chat/completions",
     R"({"model":"gpt-4o","messages":[{"role":"model","content":"hi"}]})",
     "Invalid value: 'model'", "messages[0].role", "invalid_value"},
    {"openai: a tool message names its call", shape::openai,
     "/v1/chat/completions",
     R"({"model":"gpt-4o","messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},{"role":"tool","content":"sunny"}]})",
     "Missing required parameter: 'messages[2].tool_call_id'",
     "messages[2].tool_call_id", "missing_required_parameter"},
    {"openai: a tool message answers tool_calls", shape::openai,
     "/v1/chat/completions",
     R"({"model":"gpt-4o","messages":[{"role":"user","content":"weather?"},{"role":"tool","tool_call_id":"call_1","content":"sunny"}]})",
     "must be a response to a preceeding message with 'tool_calls'",
     "messages.[1].role", ""},
    {"openai: every tool call is answered", shape::openai,
     "/v1/chat/completions",
     R"({"model":"gpt-4o","messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}},{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_1","content":"sunny"},{"role":"user","content":"and?"}]})",
     "did not have response messages: call_2", "messages.[1].role", ""},
    {"openai: call arguments are a string", shape::openai,
     "/v1/chat/completions",
     R"({"model":"gpt-4o","messages":[{"role":"user","content":"weather?"},{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":{"city":"Oslo"}}}]},{"role":"tool","tool_call_id":"call_1","content":"sunny"}]})",
     "expected a string, but got an object instead",
     "messages[1].tool_calls[0].function.arguments", "invalid_type"},
    {"openai: no fields of other APIs", shape::openai, "/v1/chat/completions",
     R"({"model":"gpt-4o","max_tokens":8,"system":"Be brief.","messages":[{"role":"user","content":"hi"}]})",
     "Unrecognized request argument supplied: system", "", ""},

    // Gemini generateContent and streamGenerateContent.
    {"gemini: contents are required", shape::gemini,
     "/v1beta/models/gemini-2.5-flash:generateContent",
     R"({"generationConfig":{"maxOutputTokens":8}})",
     "contents is not specified"},
    {"gemini: roles are user and model", shape::gemini,
     "/v1beta/models/gemini-2.5-flash:generateContent",
     R"({"contents":[{"role":"user","parts":[{"text":"hi"}]},{"role":"assistant","parts":[{"text":"Hello"}]}]})",
     "Please use a valid role: user, model."},
    {"gemini: the system instruction is not a turn", shape::gemini,
     "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
     R"({"contents":[{"role":"system","parts":[{"text":"Be brief."}]},{"role":"user","parts":[{"text":"hi"}]}]})",
     "Please use a valid role: user, model."},
    {"gemini: parts are not empty", shape::gemini,
     "/v1beta/models/gemini-2.5-flash:generateContent",
     R"({"contents":[{"role":"user","parts":[]}]})",
     "contents[0].parts: contents.parts must not be empty"},
    {"gemini: a part carries data", shape::gemini,
     "/v1beta/models/gemini-2.5-flash:generateContent",
     R"({"contents":[{"role":"user","parts":[{"text":""}]}]})",
     "required oneof field 'data' must have one initialized field"},
    {"gemini: one response per call", shape::gemini,
     "/v1beta/models/gemini-2.5-flash:generateContent",
     R"({"contents":[{"role":"user","parts":[{"text":"weather?"}]},{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{}}},{"functionCall":{"name":"get_weather","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"sunny"}}}]}]})",
     "number of function response parts is equal to the number of function "
     "call parts"},
    {"gemini: schemas are Gemini's subset", shape::gemini,
     "/v1beta/models/gemini-2.5-flash:generateContent",
     R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"object","additionalProperties":false}}]}]})",
     "Unknown name \"additionalProperties\""},
    {"gemini: the system instruction is Content", shape::gemini,
     "/v1beta/models/gemini-2.5-flash:generateContent",
     R"({"systemInstruction":"Be brief.","contents":[{"role":"user","parts":[{"text":"hi"}]}]})",
     "Invalid value at 'system_instruction'"},

    // Ollama /api/chat.
    {"ollama: model is required", shape::ollama, "/api/chat",
     R"({"messages":[{"role":"user","content":"hi"}]})", "model is required"},
    {"ollama: roles are Ollama's", shape::ollama, "/api/chat",
     R"({"model":"qwen3:8b","messages":[{"role":"model","content":"hi"}]})",
     "invalid role \"model\""},
    {"ollama: content is a string", shape::ollama, "/api/chat",
     R"({"model":"qwen3:8b","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]})",
     "cannot unmarshal array into Go struct field Message.messages.content"},
    {"ollama: call arguments are an object", shape::ollama, "/api/chat", R"({"model":"qwen3:8b","messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":"{}"}}]}]})",
     "cannot unmarshal string"},
    {"ollama: images are bare base64", shape::ollama, "/api/chat",
     R"({"model":"qwen3:8b","messages":[{"role":"user","content":"what?","images":["data:image/png;base64,iVBORw0KGgo="]}]})",
     "illegal base64 data"},
};

/// The accepted twin of each vendor's bad bodies: the checks refuse the
/// rule broken, not the vendor.
struct good_body {
  const char* path;
  shape vendor;
  const char* body;
};
const good_body good_bodies[]
  = {
    {"/v1/messages", shape::anthropic,
     R"({"model":"claude-sonnet-4-6","max_tokens":8,"system":[{"type":"text","text":"Be brief."}],"temperature":1,"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"tool_choice":{"type":"auto"},"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}]})"},
    {"/v1/messages/count_tokens", shape::anthropic,
     R"({"model":"claude-sonnet-4-6","messages":[{"role":"user","content":"hi"}]})"},
    {"/v1/chat/completions", shape::openai,
     R"({"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"tools":[{"type":"function","function":{"name":"get_weather"}}],"messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}},{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_1","content":"sunny"},{"role":"tool","tool_call_id":"call_2","content":"rainy"}]})"},
    {"/v1beta/models/gemini-2.5-flash:generateContent", shape::gemini,
     R"({"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":"weather?"}]},{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{}}},{"functionCall":{"name":"get_weather","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"result":"sunny"}}},{"functionResponse":{"name":"get_weather","response":{"result":"rainy"}}}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING"}}}}]}]})"},
    {"/api/chat", shape::ollama, R"({"model":"qwen3:8b","stream":false,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"what?","images":["iVBORw0KGgo="]},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{}}}]},{"role":"tool","content":"sunny"}]})"},
};

struct FakeChecks : ::testing::Test {
  temp_dir dir;
};

} // namespace

TEST_F(FakeChecks, EachVendorRefusesWhatItWouldRefuseInItsOwnWords) {
  fake_upstream fake{dir.path()};
  for (auto& g : good_bodies) {
    auto r = http_request(fake.port(), "POST", g.path, g.body,
                          headers_for(g.vendor));
    EXPECT_EQ(r.status, 200) << g.path << ": " << r.body;
  }
  for (auto& c : bad_bodies) {
    auto r = http_request(fake.port(), "POST", c.path, c.body,
                          headers_for(c.vendor));
    expect_vendor_refusal(c, r);
  }
  // A scripted answer needs a valid body too: the checks come first.
  auto r = http_request(fake.port(), "POST", "/v1/chat/completions",
                        R"({"messages":[{"role":"user","content":"hi"}]})",
                        "Authorization: Bearer sk-x\r\nx-fake-status: 503");
  EXPECT_EQ(r.status, 400) << r.body;
}

TEST_F(FakeChecks, SubscriptionWiresRefuseTheirOwnBadBodies) {
  fake_upstream fake{dir.path(), {"--flavor", "oauth", "--api-key", "tok"}};
  auto codex = [&](const std::string& input) {
    return http_request(
      fake.port(), "POST", "/responses",
      R"({"model":"gpt-5","instructions":"Be brief.","store":false,"stream":true,"input":)"
        + input + "}",
      "Authorization: Bearer tok\r\nchatgpt-account-id: acct_fake");
  };
  EXPECT_EQ(
    codex(
      R"([{"role":"user","content":[{"type":"input_text","text":"hi"}]},{"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"sunny"}])")
      .status,
    200);
  expect_vendor_refusal(
    {"codex: assistant content is output_text", shape::openai, "", "",
     "Supported values are: 'output_text' and 'refusal'", "input[1].content[0]",
     "invalid_value"},
    codex(
      R"([{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"input_text","text":"Hello"}]}])"));
  expect_vendor_refusal(
    {"codex: an output answers a call", shape::openai, "", "",
     "No tool call found for function call output with call_id c9", "input",
     ""},
    codex(
      R"([{"role":"user","content":"hi"},{"type":"function_call_output","call_id":"c9","output":"sunny"}])"));
  expect_vendor_refusal({"codex: roles are the Responses API's", shape::openai,
                         "", "", "Invalid value: 'tool'", "input[0].role",
                         "invalid_value"},
                        codex(R"([{"role":"tool","content":"hi"}])"));

  auto code_assist = [&](const std::string& body) {
    return http_request(fake.port(), "POST", "/v1internal:generateContent",
                        body,
                        "Authorization: Bearer tok\r\nuser-agent: "
                        "GeminiCLI/1.0 google-cloud-sdk");
  };
  EXPECT_EQ(
    code_assist(
      R"({"model":"gemini-2.5-flash","project":"proj-fake","user_prompt_id":"p1","request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"session_id":"s1"}})")
      .status,
    200);
  expect_vendor_refusal(
    {"code assist: roles are user and model", shape::gemini, "", "",
     "Please use a valid role: user, model."},
    code_assist(
      R"({"model":"gemini-2.5-flash","project":"proj-fake","request":{"contents":[{"role":"assistant","parts":[{"text":"hi"}]}]}})"));
  expect_vendor_refusal(
    {"code assist: the wrapper is Code Assist's", shape::gemini, "", "",
     "Unknown name \"contents\""},
    code_assist(
      R"({"model":"gemini-2.5-flash","project":"proj-fake","contents":[],"request":{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}})"));

  // Claude with a subscription bearer: the identity system, then the body.
  auto claude = http_request(
    fake.port(), "POST", "/v1/messages",
    R"({"model":"claude-sonnet-4-6","max_tokens":8,"system":"You are Claude Code, Anthropic's official CLI for Claude.","messages":[{"role":"assistant","content":"Hi"}]})",
    "Authorization: Bearer tok\r\nanthropic-version: 2023-06-01\r\n"
    "anthropic-beta: claude-code-20250219,oauth-2025-04-20\r\n"
    "user-agent: claude-cli/2.1.62\r\nx-app: cli");
  expect_vendor_refusal({"claude subscription: the first message is the "
                         "user's",
                         shape::anthropic, "", "",
                         "first message must use the \"user\" role"},
                        claude);
}

TEST_F(FakeChecks, ListingsFollowTheFailureScript) {
  fake_upstream fake{dir.path(), {"--flavor", "oauth", "--api-key", "tok"}};
  struct listing {
    const char* method;
    const char* path;
    std::string headers;
    const char* body;
  };
  const listing listings[] = {
    {"GET", "/v1/models", "Authorization: Bearer tok", ""},
    {"GET", "/v1/models", "x-api-key: tok\r\nanthropic-version: 2023-06-01",
     ""},
    {"GET", "/v1/models",
     "Authorization: Bearer tok\r\nanthropic-version: 2023-06-01\r\n"
     "anthropic-beta: oauth-2025-04-20",
     ""},
    {"GET", "/v1beta/models", "x-goog-api-key: tok", ""},
    {"GET", "/api/tags", "", ""},
    {"POST", "/v1internal:loadCodeAssist", "Authorization: Bearer tok",
     R"({"metadata":{"ideType":"GEMINI_CLI"}})"},
  };
  auto each = [&](int expected) {
    for (auto& l : listings) {
      auto r = http_request(fake.port(), l.method, l.path, l.body, l.headers);
      EXPECT_EQ(r.status, expected)
        << l.path << " " << l.headers << ": " << r.body;
    }
  };
  each(200);
  auto script = [&](const std::string& pairs) {
    auto r = http_request(fake.port(), "POST", "/_fake/script", pairs);
    ASSERT_EQ(r.status, 200) << r.body;
  };
  script("status=503");
  each(503);
  // The vendor's error body, as for a failing generation.
  auto gemini = http_request(fake.port(), "GET", "/v1beta/models", "",
                             "x-goog-api-key: tok");
  EXPECT_EQ(text_at(parse(gemini.body), {"error", "status"}), "UNAVAILABLE");
  script("status=401");
  each(401);
  // listings=ok: an upstream that lists its models but fails generations.
  script("status=503 listings=ok");
  each(200);
  auto chat = http_request(
    fake.port(), "POST", "/v1/chat/completions",
    R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})",
    "Authorization: Bearer tok");
  EXPECT_EQ(chat.status, 503) << chat.body;
  script("");
  each(200);
  // A header scripts one listing, as it scripts one generation.
  auto one
    = http_request(fake.port(), "GET", "/api/tags", "", "x-fake-status: 500");
  EXPECT_EQ(one.status, 500) << one.body;
  EXPECT_GE(fake.stats()["listings"].GetInt64(), 25);
}

namespace {

/// Every provider type the fake can play with an API key, each its own
/// account on one fake (the path tells the wires apart).
struct provider_case {
  const char* type;
  const char* model;
};
const provider_case provider_cases[] = {
  {"claude", "claude-sonnet-4-6"},
  {"openai", "gpt-4o"},
  {"openai_compatible", "local-model"},
  {"gemini", "gemini-2.5-flash"},
  {"ollama", "qwen3:8b"},
};

struct GatewayMatrix : FakeChecks {
  std::unique_ptr<fake_upstream> fake;
  std::unique_ptr<gateway> gw;
  std::string key;
  std::map<std::string, std::string> ids; // type → account id

  void SetUp() override {
    fake = std::make_unique<fake_upstream>(dir.path());
    write_file(dir.file("config.json"), R"({"health":{"interval_s":3600}})");
    gw = std::make_unique<gateway>(
      dir.file("data"), std::map<std::string, std::string>{},
      std::vector<std::string>{"--config", dir.file("config.json")});
    for (auto& p : provider_cases) {
      std::string type = p.type;
      std::string creds
        = type == "ollama" ? "" : R"(,"credentials":{"api_key":"sk-x"})";
      auto r
        = gw->admin("POST", "/admin/providers",
                    R"({"name":")" + type + R"(","type":")" + type
                      + R"(","base_url":")" + fake->base_url() + "\"" + creds
                      + R"(,"config":{"default_model":")" + p.model + R"("}})");
      ASSERT_EQ(r.status, 201) << r.body;
      ids[type] = parse(r.body)["data"]["id"].GetString();
    }
    auto k = gw->admin("POST", "/admin/keys",
                       R"({"name":"checks","rate_limit_rpm":0})");
    ASSERT_EQ(k.status, 201) << k.body;
    key = parse(k.body)["data"]["key"].GetString();
  }

  http_reply openai(const std::string& body) {
    return http_request(gw->port(), "POST", "/v1/chat/completions", body,
                        "Authorization: Bearer " + key);
  }
  http_reply anthropic(const std::string& body) {
    return http_request(gw->port(), "POST", "/v1/messages", body,
                        "x-api-key: " + key
                          + "\r\nanthropic-version: 2023-06-01");
  }
};

} // namespace

TEST_F(GatewayMatrix, EveryProviderTypeGetsBodiesItsVendorTakes) {
  // Conversations with the rules' corners: system prompts in each
  // dialect's own place, a developer message, parallel tool calls and
  // their results, a user turn after the results, sampling and stop
  // settings, streamed and not.
  const std::string openai_tools
    = R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}])";
  const std::string anthropic_tools
    = R"("tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}])";
  for (auto& p : provider_cases) {
    SCOPED_TRACE(p.type);
    std::string model = std::string{p.type} + "/" + p.model;
    for (bool stream : {false, true}) {
      SCOPED_TRACE(stream ? "streamed" : "whole");
      std::string s = stream ? "true" : "false";
      auto r = openai(
        R"({"model":")" + model + R"(","stream":)" + s + "," + openai_tools
        + R"(,"temperature":0.5,"top_p":0.9,"stop":["END"],"max_tokens":64,"messages":[{"role":"system","content":"Be brief."},{"role":"developer","content":"Use tools."},{"role":"user","content":"Weather in Oslo and Bergen?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}},{"id":"call_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Bergen\"}"}}]},{"role":"tool","tool_call_id":"call_a","content":"sunny"},{"role":"tool","tool_call_id":"call_b","content":"rainy"},{"role":"assistant","content":"Sunny in Oslo, rainy in Bergen."},{"role":"user","content":[{"type":"text","text":"And tomorrow?"}]}]})");
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.body.find("\"error\""), std::string::npos) << r.body;

      r = openai(
        R"({"model":")" + model + R"(","stream":)" + s + "," + openai_tools
        + R"(,"tool_choice":"required","messages":[{"role":"user","content":"Weather? [[fake tools=2]]"}]})");
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.body.find("\"error\""), std::string::npos) << r.body;

      r = anthropic(
        R"({"model":")" + model + R"(","stream":)" + s
        + R"(,"max_tokens":64,"temperature":0.5,"stop_sequences":["END"],"system":[{"type":"text","text":"Be brief."}],)"
        + anthropic_tools
        + R"(,"tool_choice":{"type":"auto"},"messages":[{"role":"user","content":"Weather in Oslo and Bergen?"},{"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{"city":"Oslo"}},{"type":"tool_use","id":"toolu_b","name":"get_weather","input":{"city":"Bergen"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_a","content":"sunny"},{"type":"tool_result","tool_use_id":"toolu_b","content":[{"type":"text","text":"rainy"}]},{"type":"text","text":"And tomorrow?"}]}]})");
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.body.find("event: error"), std::string::npos) << r.body;
      EXPECT_EQ(r.body.find("\"type\":\"error\""), std::string::npos) << r.body;
    }
  }
}

TEST_F(GatewayMatrix, AnAccountWhoseUpstreamIsScriptedToFailIsProbedDown) {
  auto probe = [&](const std::string& id) {
    auto r = gw->admin("POST", "/admin/providers/" + id + "/health");
    EXPECT_EQ(r.status, 200) << r.body;
    auto doc = parse(r.body);
    return text_at(doc, {"data", "status"});
  };
  for (auto& [type, id] : ids) {
    SCOPED_TRACE(type);
    EXPECT_EQ(probe(id), "healthy");
  }
  auto script = [&](const std::string& pairs) {
    ASSERT_EQ(http_request(fake->port(), "POST", "/_fake/script", pairs).status,
              200);
  };
  script("status=503");
  auto listings = fake->stats()["listings"].GetInt64();
  for (auto& [type, id] : ids) {
    SCOPED_TRACE(type);
    EXPECT_EQ(probe(id), "down");
    auto shown = parse(gw->admin("GET", "/admin/providers/" + id).body);
    EXPECT_EQ(text_at(shown, {"data", "health", "status"}), "down");
    EXPECT_NE(text_at(shown, {"data", "health", "last_error"}).find("503"),
              std::string::npos);
  }
  // Each probe asked the fake's listing.
  EXPECT_EQ(fake->stats()["listings"].GetInt64() - listings,
            static_cast<int64_t>(ids.size()));
  // The account recovers with its upstream.
  script("");
  for (auto& [type, id] : ids) {
    SCOPED_TRACE(type);
    EXPECT_EQ(probe(id), "healthy");
  }
}

TEST_F(FakeChecks, AnAccountStartedAgainstAFailingUpstreamIsDown) {
  std::filesystem::create_directories(dir.file("up"));
  fake_upstream bad{dir.file("up"), {"--script", "status=500"}};
  write_file(dir.file("config.json"), R"({"health":{"interval_s":3600}})");
  gateway gw{dir.file("data"), {}, {"--config", dir.file("config.json")}};
  auto r
    = gw.admin("POST", "/admin/providers",
               R"({"name":"failing","type":"claude","base_url":")"
                 + bad.base_url() + R"(","credentials":{"api_key":"sk-x"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id = parse(r.body)["data"]["id"].GetString();
  auto probe = gw.admin("POST", "/admin/providers/" + id + "/health");
  ASSERT_EQ(probe.status, 200) << probe.body;
  auto doc = parse(probe.body);
  EXPECT_EQ(text_at(doc, {"data", "status"}), "down") << probe.body;
  EXPECT_NE(text_at(doc, {"data", "message"}).find("500"), std::string::npos)
    << probe.body;
}

// -- Translations the vendors' rules caught -----------------------------------

namespace {

constexpr const char* hi = R"([{"role":"user","content":"hi"}])";

/// The names in an answer's x-openhinge-dropped-params header.
std::string dropped(const http_reply& r) {
  return r.header("x-openhinge-dropped-params");
}

} // namespace

TEST_F(GatewayMatrix, ReasoningReachesClaudeWithRoomLeftToAnswer) {
  // Claude's thinking budget counts inside max_tokens and must stay below
  // it, whatever effort an OpenAI client names.
  for (auto* effort : {"low", "medium", "high"}) {
    SCOPED_TRACE(effort);
    auto r
      = openai(R"({"model":"claude/claude-sonnet-4-6","reasoning_effort":")"
               + std::string{effort} + R"(","messages":)" + hi + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    auto sent = parse(text_at(fake->stats(), {"last_body"}));
    ASSERT_TRUE(find_at(sent, {"thinking", "budget_tokens"}))
      << json::to_string(sent);
    EXPECT_LT(sent["thinking"]["budget_tokens"].GetInt64(),
              sent["max_tokens"].GetInt64());
  }
  // The client's own cap stays: the budget shrinks under it.
  auto r = openai(
    R"({"model":"claude/claude-sonnet-4-6","reasoning_effort":"high","max_completion_tokens":3000,"messages":)"
    + std::string{hi} + "}");
  EXPECT_EQ(r.status, 200) << r.body;
  auto sent = parse(text_at(fake->stats(), {"last_body"}));
  EXPECT_EQ(json_at(sent, {"max_tokens"}), "3000");
  ASSERT_TRUE(find_at(sent, {"thinking", "budget_tokens"}))
    << json::to_string(sent);
  EXPECT_LT(sent["thinking"]["budget_tokens"].GetInt64(), 3000);
  // A cap too small for Claude's least budget: no thinking, and it says so.
  r = openai(
    R"({"model":"claude/claude-sonnet-4-6","reasoning_effort":"low","max_tokens":500,"messages":)"
    + std::string{hi} + "}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(dropped(r).find("reasoning_effort"), std::string::npos)
    << dropped(r);
  EXPECT_FALSE(
    find_at(parse(text_at(fake->stats(), {"last_body"})), {"thinking"}));
  // With thinking Claude takes no temperature but 1: dropped and listed.
  r = openai(
    R"({"model":"claude/claude-sonnet-4-6","reasoning_effort":"low","temperature":0.3,"messages":)"
    + std::string{hi} + "}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(dropped(r).find("temperature"), std::string::npos) << dropped(r);
  // Nor a top_p below 0.95.
  r = openai(
    R"({"model":"claude/claude-sonnet-4-6","reasoning_effort":"low","top_p":0.5,"messages":)"
    + std::string{hi} + "}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(dropped(r).find("top_p"), std::string::npos) << dropped(r);
  // A forced tool and thinking do not go together: the tool wins.
  r = openai(
    R"({"model":"claude/claude-sonnet-4-6","reasoning_effort":"medium","tool_choice":"required","tools":[{"type":"function","function":{"name":"get_weather"}}],"messages":)"
    + std::string{hi} + "}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(dropped(r).find("reasoning_effort"), std::string::npos)
    << dropped(r);
}

TEST_F(GatewayMatrix, ATemperatureClaudeCannotTakeIsRefusedNamingIt) {
  auto before = fake->stats()["requests"].GetInt64();
  auto r = openai(
    R"({"model":"claude/claude-sonnet-4-6","temperature":1.5,"messages":)"
    + std::string{hi} + "}");
  EXPECT_EQ(r.status, 400) << r.body;
  auto doc = parse(r.body);
  ASSERT_TRUE(doc.HasMember("error")) << r.body;
  EXPECT_EQ(json::to_string(doc["error"]["param"]), "\"temperature\"");
  EXPECT_EQ(fake->stats()["requests"].GetInt64(), before)
    << "refused before the upstream";
  // OpenAI's range is Gemini's and Ollama's too.
  for (auto* model :
       {"openai/gpt-4o", "gemini/gemini-2.5-flash", "ollama/qwen3:8b"}) {
    r = openai(R"({"model":")" + std::string{model}
               + R"(","temperature":1.5,"messages":)" + hi + "}");
    EXPECT_EQ(r.status, 200) << model << ": " << r.body;
  }
}

TEST_F(GatewayMatrix, AnEmptyTurnIsLeftOutNotSent) {
  // An assistant turn with no text (a cancelled answer, say) is no content
  // to Claude or Gemini, which refuse it.
  for (auto& p : provider_cases) {
    SCOPED_TRACE(p.type);
    auto r = openai(
      R"({"model":")" + std::string{p.type} + "/" + p.model
      + R"(","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":""},{"role":"user","content":"hello?"}]})");
    EXPECT_EQ(r.status, 200) << r.body;
  }
}

TEST_F(GatewayMatrix, ASystemPromptAloneIsNoConversationForClaudeOrGemini) {
  const std::string only_system
    = R"(,"messages":[{"role":"system","content":"Say hello."}]})";
  for (auto* model : {"claude/claude-sonnet-4-6", "gemini/gemini-2.5-flash"}) {
    SCOPED_TRACE(model);
    auto before = fake->stats()["requests"].GetInt64();
    auto r = openai(R"({"model":")" + std::string{model} + "\"" + only_system);
    EXPECT_EQ(r.status, 400) << r.body;
    auto doc = parse(r.body);
    ASSERT_TRUE(doc.HasMember("error")) << r.body;
    EXPECT_EQ(json::to_string(doc["error"]["param"]), "\"messages\"");
    EXPECT_EQ(fake->stats()["requests"].GetInt64(), before);
  }
  for (auto* model : {"openai/gpt-4o", "ollama/qwen3:8b"}) {
    auto r = openai(R"({"model":")" + std::string{model} + "\"" + only_system);
    EXPECT_EQ(r.status, 200) << model << ": " << r.body;
  }
}

TEST_F(GatewayMatrix, AToolChoiceWithoutToolsStaysHome) {
  // Anthropic takes tool_choice without tools; OpenAI refuses it (and
  // parallel_tool_calls) unless tools come along.
  for (auto* choice : {R"({"type":"none"})",
                       R"({"type":"auto","disable_parallel_tool_use":true})"})
    for (auto& p : provider_cases) {
      SCOPED_TRACE(std::string{p.type} + " " + choice);
      auto r = anthropic(R"({"model":")" + std::string{p.type} + "/" + p.model
                         + R"(","max_tokens":32,"tool_choice":)" + choice
                         + R"(,"messages":)" + hi + "}");
      EXPECT_EQ(r.status, 200) << r.body;
    }
}

TEST_F(GatewayMatrix, GeminiGetsToolSchemasInItsOwnSubset) {
  // What JSON-Schema generators write (pydantic, zod): nullable type
  // lists, oneOf, bounds and keywords Gemini's Schema has no field for.
  const std::string schema
    = R"({"type":"object","properties":{"city":{"type":["string","null"]},"days":{"oneOf":[{"type":"integer"},{"type":"string"}]},"units":{"type":"integer","enum":[1,2],"exclusiveMinimum":0},"tags":{"type":"array","items":{"type":"string"},"uniqueItems":true},"when":{"type":["integer","string"]}},"required":["city"],"additionalProperties":false})";
  auto r = openai(
    R"({"model":"gemini/gemini-2.5-flash","tools":[{"type":"function","function":{"name":"get_weather","parameters":)"
    + schema + R"(}}],"messages":)" + hi + "}");
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = dropped(r);
  for (auto* kw :
       {"additionalProperties", "exclusiveMinimum", "uniqueItems", "enum"})
    EXPECT_NE(list.find(kw), std::string::npos) << kw << " in " << list;
  auto sent = parse(text_at(fake->stats(), {"last_body"}));
  ASSERT_TRUE(sent.HasMember("tools") && sent["tools"].IsArray()
              && !sent["tools"].Empty())
    << json::to_string(sent);
  auto* props = find_at(sent["tools"][0], {"functionDeclarations"});
  ASSERT_TRUE(props && props->IsArray() && !props->Empty());
  props = find_at((*props)[0], {"parameters", "properties"});
  ASSERT_TRUE(props) << json::to_string(sent);
  // A nullable type list is a type and `nullable`, nothing lost.
  EXPECT_EQ(json_at(*props, {"city", "type"}), "\"string\"");
  EXPECT_EQ(json_at(*props, {"city", "nullable"}), "true");
  EXPECT_TRUE(find_at(*props, {"days", "anyOf"})) << json::to_string(*props);
  EXPECT_TRUE(find_at(*props, {"when", "anyOf"})) << json::to_string(*props);
}
