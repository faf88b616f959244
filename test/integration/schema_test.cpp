// A soul's response_schema on the request path and the schema_valid verdict
// on the answer (SPEC §5.3, §5.4): every provider type, both dialects,
// whole answers and streams, against the real binary and the fake upstream.

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "gateway.hpp"
#include "upstream.hpp"
#include "wire.hpp"

namespace oh::test {
namespace {

using namespace std::chrono_literals;

struct account_type {
  const char* type;
  /// What the upstream body carries when the schema reached it.
  const char* schema_marker;
};

const account_type types[] = {
  {"openai", "\"json_schema\""},
  {"claude", "JSON Schema"},
  {"gemini", "responseSchema"},
  {"ollama", "\"format\""},
};

const char* schema
  = R"({"type":"object","required":["ok"],"properties":{"ok":{"type":"boolean"}}})";

struct SchemaTest : ::testing::Test {
  temp_dir dir;
  fake_upstream up{dir.path()};
  std::unique_ptr<gateway> gw;
  std::string key;

  void SetUp() override {
    gw = std::make_unique<gateway>(dir.file("data"));
    for (auto& t : types) {
      std::string creds = std::string{t.type} == "ollama"
                            ? ""
                            : R"(,"credentials":{"api_key":"sk-x"})";
      auto p = gw->admin("POST", "/admin/providers",
                         std::string{R"({"name":")"} + t.type + R"(","type":")"
                           + t.type + R"(","base_url":")" + up.base_url() + "\""
                           + creds + "}");
      ASSERT_EQ(p.status, 201) << p.body;
      std::string id = parse(p.body)["data"]["id"].GetString();
      auto s = gw->admin(
        "POST", "/admin/souls",
        std::string{R"({"name":"s-)"} + t.type
          + R"(","system_prompt":"Answer in JSON.",)" + R"("provider_id":")"
          + id + R"(","strict_chain":true,"response_schema":)" + schema + "}");
      ASSERT_EQ(s.status, 201) << s.body;
    }
    auto k = gw->admin("POST", "/admin/keys",
                       R"({"name":"k","rate_limit_rpm":10000})");
    ASSERT_EQ(k.status, 201) << k.body;
    key = parse(k.body)["data"]["key"].GetString();
  }

  http_reply post(const std::string& path, const std::string& body) {
    return http_request(gw->port(), "POST", path, body,
                        "Authorization: Bearer " + key);
  }
  std::string upstream_body() {
    auto stats = parse(http_request(up.port(), "GET", "/_fake/stats").body);
    return stats["last_body"].GetString();
  }
  static std::string chat(const std::string& text, bool stream,
                          const std::string& extra = {}) {
    return R"({"stream":)" + std::string{stream ? "true" : "false"} + extra
           + R"(,"messages":[{"role":"user","content":"go [[fake text=)" + text
           + R"( chunks=3]]"}]})";
  }
  static std::string messages(const std::string& text, bool stream) {
    return R"({"max_tokens":100,"stream":)"
           + std::string{stream ? "true" : "false"}
           + R"(,"messages":[{"role":"user","content":"go [[fake text=)" + text
           + R"( chunks=3]]"}]})";
  }
};

const std::string valid_text = R"({\"ok\":true})";
const std::string invalid_text = R"({\"ok\":\"yes\"})";

TEST_F(SchemaTest, TheSoulsSchemaReachesEveryTypeAndTheAnswerIsChecked) {
  for (auto& t : types) {
    SCOPED_TRACE(t.type);
    std::string path = std::string{"/v1/souls/s-"} + t.type;
    auto r = post(path + "/chat/completions", chat(valid_text, false));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(upstream_body().find(t.schema_marker), std::string::npos)
      << upstream_body();
    auto doc = parse(r.body);
    ASSERT_TRUE(doc["_openhinge"].HasMember("schema_valid")) << r.body;
    EXPECT_TRUE(doc["_openhinge"]["schema_valid"].GetBool());

    r = post(path + "/chat/completions", chat(invalid_text, false));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(parse(r.body)["_openhinge"]["schema_valid"].GetBool());

    r = post(path + "/messages", messages(valid_text, false));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(parse(r.body)["_openhinge"]["schema_valid"].GetBool())
      << r.body;
    r = post(path + "/messages", messages(invalid_text, false));
    EXPECT_FALSE(parse(r.body)["_openhinge"]["schema_valid"].GetBool())
      << r.body;
  }
}

TEST_F(SchemaTest, StreamsCarryTheVerdictOnTheirFinalEvent) {
  for (auto& t : types) {
    SCOPED_TRACE(t.type);
    std::string path = std::string{"/v1/souls/s-"} + t.type;
    for (auto [text, expected] :
         {std::pair{valid_text, true}, std::pair{invalid_text, false}}) {
      // OpenAI: a chunk with empty choices and the verdict, then [DONE].
      auto r = post(path + "/chat/completions", chat(text, true));
      ASSERT_EQ(r.status, 200) << r.body;
      auto events = sse_data(r.body);
      ASSERT_GE(events.size(), 3u) << r.body;
      ASSERT_EQ(events.back(), "[DONE]") << r.body;
      auto verdict = parse(events[events.size() - 2]);
      ASSERT_TRUE(verdict.HasMember("_openhinge")) << r.body;
      EXPECT_EQ(verdict["_openhinge"]["schema_valid"].GetBool(), expected);
      EXPECT_EQ(verdict["choices"].Size(), 0u);

      // Anthropic: `_openhinge` in message_delta, then message_stop.
      r = post(path + "/messages", messages(text, true));
      ASSERT_EQ(r.status, 200) << r.body;
      auto ev = sse_data(r.body);
      ASSERT_GE(ev.size(), 2u);
      EXPECT_STREQ(parse(ev.back())["type"].GetString(), "message_stop");
      bool seen = false;
      for (auto& e : ev) {
        auto d = parse(e);
        if (std::string_view{d["type"].GetString()} != "message_delta")
          continue;
        seen = true;
        ASSERT_TRUE(d.HasMember("_openhinge")) << e;
        EXPECT_EQ(d["_openhinge"]["schema_valid"].GetBool(), expected);
      }
      EXPECT_TRUE(seen) << r.body;
    }
  }
}

TEST_F(SchemaTest, TheClientsOwnFormatWinsOverTheSouls) {
  // json_object: the client chose a format, so the soul's schema is not
  // sent and no verdict is given.
  auto r = post(
    "/v1/souls/s-openai/chat/completions",
    chat(valid_text, false, R"(,"response_format":{"type":"json_object"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(upstream_body().find("json_schema"), std::string::npos);
  EXPECT_FALSE(parse(r.body)["_openhinge"].HasMember("schema_valid"));
  // The client's own schema is the one checked.
  r = post("/v1/souls/s-gemini/chat/completions",
           chat(valid_text, false,
                R"(,"response_format":{"type":"json_schema","json_schema":)"
                R"({"name":"n","schema":{"type":"array"}}})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(parse(r.body)["_openhinge"]["schema_valid"].GetBool());
  // No soul, no schema: nothing said.
  r = post("/v1/chat/completions", chat(valid_text, false));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(parse(r.body)["_openhinge"].HasMember("schema_valid"));
}

} // namespace
} // namespace oh::test

namespace oh::test {
namespace {

TEST_F(SchemaTest,
       TheOriginalsResponseSchemaFieldWinsOverTheSoulsAndIsNotForwarded) {
  for (auto* type : {"openai", "gemini"}) {
    SCOPED_TRACE(type);
    auto r = post(std::string{"/v1/souls/s-"} + type + "/chat/completions",
                  chat(valid_text, false,
                       R"(,"response_schema":{"type":"array","items":{}})"));
    ASSERT_EQ(r.status, 200) << r.body;
    auto sent = upstream_body();
    EXPECT_EQ(sent.find("response_schema"), std::string::npos) << sent;
    EXPECT_NE(sent.find("array"), std::string::npos) << sent;
    EXPECT_EQ(sent.find("\"ok\""), std::string::npos)
      << "the soul's schema was sent: " << sent;
    auto doc = parse(r.body);
    EXPECT_FALSE(doc["_openhinge"]["schema_valid"].GetBool()) << r.body;
    EXPECT_EQ(r.body.find("\"dropped_params\":[\"response_schema\""),
              std::string::npos);
  }
}

} // namespace
} // namespace oh::test
