// A Claude body rewritten for a subscription account (docs/subscriptions.md,
// "Claude subscription"): the identity first as system blocks, or merged
// into the first user message; and the anthropic-beta header value.

#include <string>

#include <gtest/gtest.h>

#include "core/json.hpp"
#include "providers/claude/translate.hpp"

using namespace oh;
using namespace oh::providers;

namespace {

const std::string identity
  = "You are Claude Code, Anthropic's official CLI for Claude.";

/// The canonical JSON text of `text` (to compare documents, member order
/// kept).
std::string canon(const std::string& text) {
  auto doc = json::parse(text);
  EXPECT_TRUE(doc) << text;
  return doc ? json::to_string(*doc) : std::string{};
}

std::string identity_block() {
  std::string out = R"({"type":"text","text":)";
  json::append_quoted(out, identity);
  return out + "}";
}

std::string quoted(const std::string& s) {
  std::string out;
  json::append_quoted(out, s);
  return out;
}

} // namespace

TEST(ClaudeSubscription, IdentityIsTheExactText) {
  EXPECT_EQ(claude::identity_prompt, identity);
  EXPECT_STREQ(claude::oauth_beta, "claude-code-20250219,oauth-2025-04-20");
}

// -- blocks mode (default) --

TEST(ClaudeSubscriptionBlocks, NoSystemGivesTheIdentityAlone) {
  auto out = claude::subscription_body(
    R"({"model":"claude-sonnet-4-5","max_tokens":64,)"
    R"("messages":[{"role":"user","content":"hi"}]})",
    false);
  EXPECT_EQ(canon(out), canon(R"({"model":"claude-sonnet-4-5","max_tokens":64,)"
                              R"("messages":[{"role":"user","content":"hi"}],)"
                              R"("system":[)"
                              + identity_block() + "]}"));
}

TEST(ClaudeSubscriptionBlocks, AStringSystemBecomesASecondBlock) {
  auto out = claude::subscription_body(
    R"({"model":"m","system":"Be terse.","messages":[{"role":"user","content":"hi"}]})",
    false);
  auto doc = json::parse(out);
  ASSERT_TRUE(doc) << out;
  auto* system = json::find(*doc, "system");
  ASSERT_NE(system, nullptr) << out;
  EXPECT_EQ(json::to_string(*system),
            "[" + identity_block() + R"(,{"type":"text","text":"Be terse."}])");
  // The messages are untouched.
  EXPECT_EQ(json::to_string(*json::find(*doc, "messages")),
            R"([{"role":"user","content":"hi"}])");
  EXPECT_EQ(json::get_string(*doc, "model"), "m");
}

TEST(ClaudeSubscriptionBlocks, AnEmptyStringSystemIsDropped) {
  auto out = claude::subscription_body(
    R"({"system":"","messages":[{"role":"user","content":"hi"}]})", false);
  auto doc = json::parse(out);
  ASSERT_TRUE(doc) << out;
  EXPECT_EQ(json::to_string(*json::find(*doc, "system")),
            "[" + identity_block() + "]");
}

TEST(ClaudeSubscriptionBlocks, ArrayBlocksAreKeptWithCacheControl) {
  auto out = claude::subscription_body(
    R"({"system":[{"type":"text","text":"Soul prompt."},)"
    R"({"type":"text","text":"Client prompt.","cache_control":{"type":"ephemeral"}}],)"
    R"("messages":[{"role":"user","content":"hi"}],"stream":true})",
    false);
  auto doc = json::parse(out);
  ASSERT_TRUE(doc) << out;
  EXPECT_EQ(
    json::to_string(*json::find(*doc, "system")),
    "[" + identity_block()
      + R"(,{"type":"text","text":"Soul prompt."},)"
        R"({"type":"text","text":"Client prompt.","cache_control":{"type":"ephemeral"}}])");
  auto* stream = json::find(*doc, "stream");
  ASSERT_NE(stream, nullptr);
  EXPECT_TRUE(stream->IsBool() && stream->GetBool());
  // Exactly one `system` member.
  int systems = 0;
  for (auto& m : doc->GetObject())
    systems += std::string{m.name.GetString()} == "system";
  EXPECT_EQ(systems, 1);
}

TEST(ClaudeSubscriptionBlocks, ANonObjectBodyIsReturnedAsIs) {
  EXPECT_EQ(claude::subscription_body("not json", false), "not json");
  EXPECT_EQ(claude::subscription_body("[1]", true), "[1]");
}

// -- user_merge --

TEST(ClaudeSubscriptionMerge, StringContentGetsTheInstructionsFirst) {
  auto out = claude::subscription_body(
    R"({"model":"m","system":"Be terse.",)"
    R"("messages":[{"role":"user","content":"hi"},)"
    R"({"role":"assistant","content":"hello"},{"role":"user","content":"again"}]})",
    true);
  EXPECT_EQ(canon(out),
            canon(R"({"model":"m","messages":[{"role":"user","content":)"
                  + quoted("[System Instructions: Be terse.]\n\nhi")
                  + R"(},{"role":"assistant","content":"hello"},)"
                    R"({"role":"user","content":"again"}],"system":)"
                  + quoted(identity) + "}"));
}

TEST(ClaudeSubscriptionMerge, BlocksAreJoinedWithABlankLine) {
  auto out = claude::subscription_body(
    R"({"system":[{"type":"text","text":"One."},)"
    R"({"type":"text","text":"Two.","cache_control":{"type":"ephemeral"}}],)"
    R"("messages":[{"role":"user","content":"hi"}]})",
    true);
  auto doc = json::parse(out);
  ASSERT_TRUE(doc) << out;
  EXPECT_EQ(json::get_string(*doc, "system"), identity);
  EXPECT_EQ(json::to_string(*json::find(*doc, "messages")),
            R"([{"role":"user","content":)"
              + quoted("[System Instructions: One.\n\nTwo.]\n\nhi") + "}]");
}

TEST(ClaudeSubscriptionMerge, ArrayContentGetsATextBlockFirst) {
  auto out = claude::subscription_body(
    R"({"system":"Be terse.","messages":[{"role":"user","content":[)"
    R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},)"
    R"({"type":"text","text":"what is this?"}]}]})",
    true);
  auto doc = json::parse(out);
  ASSERT_TRUE(doc) << out;
  EXPECT_EQ(json::get_string(*doc, "system"), identity);
  EXPECT_EQ(
    json::to_string(*json::find(*doc, "messages")),
    R"([{"role":"user","content":[{"type":"text","text":"[System Instructions: Be terse.]"},)"
    R"({"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},)"
    R"({"type":"text","text":"what is this?"}]}])");
}

TEST(ClaudeSubscriptionMerge,
     AFirstMessageNotFromTheUserGetsOneInsertedBefore) {
  auto out = claude::subscription_body(
    R"({"system":"Be terse.","messages":[{"role":"assistant","content":"Hello!"},)"
    R"({"role":"user","content":"hi"}]})",
    true);
  auto doc = json::parse(out);
  ASSERT_TRUE(doc) << out;
  EXPECT_EQ(json::get_string(*doc, "system"), identity);
  EXPECT_EQ(
    json::to_string(*json::find(*doc, "messages")),
    R"([{"role":"user","content":[{"type":"text","text":"[System Instructions: Be terse.]"}]},)"
    R"({"role":"assistant","content":"Hello!"},{"role":"user","content":"hi"}])");

  auto empty = claude::subscription_body(
    R"({"system":"Be terse.","messages":[]})", true);
  auto d2 = json::parse(empty);
  ASSERT_TRUE(d2) << empty;
  EXPECT_EQ(
    json::to_string(*json::find(*d2, "messages")),
    R"([{"role":"user","content":[{"type":"text","text":"[System Instructions: Be terse.]"}]}])");
}

TEST(ClaudeSubscriptionMerge, NoSystemTextLeavesTheMessagesAlone) {
  const std::string messages
    = R"([{"role":"assistant","content":"x"},{"role":"user","content":"hi"}])";
  for (std::string system :
       {std::string{}, std::string{R"(,"system":"")"},
        std::string{R"(,"system":[])"},
        std::string{R"(,"system":[{"type":"text","text":""}])"}}) {
    auto out = claude::subscription_body(
      R"({"model":"m")" + system + R"(,"messages":)" + messages + "}", true);
    auto doc = json::parse(out);
    ASSERT_TRUE(doc) << out;
    EXPECT_EQ(json::get_string(*doc, "system"), identity) << out;
    EXPECT_EQ(json::to_string(*json::find(*doc, "messages")), messages) << out;
  }
}

// -- anthropic-beta --

TEST(ClaudeSubscriptionBeta, RequiredFlagsFirstThenTheClientsNew) {
  EXPECT_EQ(claude::subscription_beta(""),
            "claude-code-20250219,oauth-2025-04-20");
  EXPECT_EQ(claude::subscription_beta("prompt-caching-2024-07-31"),
            "claude-code-20250219,oauth-2025-04-20,prompt-caching-2024-07-31");
  // Order kept, duplicates (of ours and of the client's own) dropped,
  // blanks trimmed, empty items skipped.
  EXPECT_EQ(claude::subscription_beta(
              " b-2 , oauth-2025-04-20,a-1,, b-2,claude-code-20250219 ,a-1 "),
            "claude-code-20250219,oauth-2025-04-20,b-2,a-1");
  EXPECT_EQ(claude::subscription_beta(",,,"),
            "claude-code-20250219,oauth-2025-04-20");
  EXPECT_EQ(claude::subscription_beta("oauth-2025-04-20"),
            "claude-code-20250219,oauth-2025-04-20");
  // A flag that merely contains one of ours is a different flag.
  EXPECT_EQ(claude::subscription_beta("oauth-2025-04-2"),
            "claude-code-20250219,oauth-2025-04-20,oauth-2025-04-2");
}
