// Streams that wait long for their first content (SPEC §5.5): after
// timeouts.stream_heartbeat_s the head and keep-alives go out; a fallback
// after that stays silent, a final failure is in-band.

#include <gtest/gtest.h>

#include "gateway.hpp"
#include "upstream.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;

namespace {

struct HeartbeatTest : ::testing::Test {
  temp_dir dir;
  std::unique_ptr<fake_upstream> slow_failing;
  std::unique_ptr<fake_upstream> healthy;
  std::unique_ptr<gateway> gw;
  std::string key;

  void SetUp() override {
    std::filesystem::create_directories(dir.file("slow"));
    std::filesystem::create_directories(dir.file("healthy"));
    // The primary answers 503 only after 4 s, well past the 1 s heartbeat
    // (keep-alives are due at 1, 2 and 3 s; a loaded run still sends one).
    slow_failing = std::make_unique<fake_upstream>(
      dir.file("slow"),
      std::vector<std::string>{"--script", "delay_ms=4000 status=503"});
    healthy = std::make_unique<fake_upstream>(dir.file("healthy"));
    gw = std::make_unique<gateway>(dir.file("data"),
                                   std::map<std::string, std::string>{
                                     {"OPENHINGE_STREAM_HEARTBEAT_S", "1"}});
    for (auto [name, up, priority] :
         {std::tuple{"primary", slow_failing.get(), 10},
          std::tuple{"backup", healthy.get(), 0}}) {
      auto r = gw->admin(
        "POST", "/admin/providers",
        std::string{R"({"name":")"} + name + R"(","type":"openai","priority":)"
          + std::to_string(priority) + R"(,"base_url":")" + up->base_url()
          + R"(","credentials":{"api_key":"sk-x"},"config":{"default_model":"gpt-4o-mini"}})");
      ASSERT_EQ(r.status, 201) << r.body;
    }
    auto r = gw->admin("POST", "/admin/keys", R"({"name":"hb"})");
    ASSERT_EQ(r.status, 201) << r.body;
    key = parse(r.body)["data"]["key"].GetString();
  }

  http_reply stream(const std::string& path, const std::string& body) {
    return http_request(gw->port(), "POST", path, body,
                        "Authorization: Bearer " + key
                          + "\r\nanthropic-version: 2023-06-01");
  }
};

} // namespace

TEST_F(HeartbeatTest, KeepAlivesPrecedeALateAnswerAndFallbackStaysSilent) {
  auto r = stream(
    "/v1/chat/completions",
    R"({"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  // The head and a keep-alive went out while the primary was silent; its
  // 503 then fell back to the backup without a word to the client.
  EXPECT_EQ(r.body.rfind(": keep-alive\n\n", 0), 0u) << r.body;
  EXPECT_EQ(r.body.find("error"), std::string::npos) << r.body;
  auto events = sse_data(r.body);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  for (auto& e : events)
    if (e != "[DONE]") {
      auto doc = parse(e);
      if (!doc["choices"].Empty()
          && doc["choices"][0]["delta"].HasMember("content"))
        text += doc["choices"][0]["delta"]["content"].GetString();
    }
  EXPECT_EQ(text, "Hello from fake upstream");
}

TEST_F(HeartbeatTest, AFinalFailureAfterTheHeadIsInBand) {
  // Only the slow failing account: after the head there is no status left
  // to send, so the failure ends the stream in-band.
  auto r = stream(
    "/v1/chat/completions",
    R"({"model":"primary/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.rfind(": keep-alive\n\n", 0), 0u) << r.body;
  auto events = sse_data(r.body);
  ASSERT_GE(events.size(), 2u) << r.body;
  EXPECT_EQ(events.back(), "[DONE]");
  auto err = parse(events[events.size() - 2]);
  ASSERT_TRUE(err.HasMember("error")) << r.body;
  EXPECT_STREQ(err["error"]["code"].GetString(), "provider_error");
}

TEST_F(HeartbeatTest, AnthropicClientsGetPingEventsBeforeContent) {
  auto r = stream(
    "/v1/messages",
    R"({"model":"gpt-4o-mini","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.rfind("event: ping\n", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("event: message_start"), std::string::npos);
  EXPECT_NE(r.body.find("event: message_stop"), std::string::npos);
  EXPECT_EQ(r.body.find("event: error"), std::string::npos) << r.body;
}
