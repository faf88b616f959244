#include <gtest/gtest.h>

#include "core/json.hpp"
#include "core/redact.hpp"

using namespace oh;

TEST(Redact, RemovesEveryCredentialValueOfTheAccount) {
  std::string key = "local-server-secret-123";
  auto out = redact_secrets(
    "401: key local-server-secret-123 is wrong (local-server-secret-123)",
    {key});
  EXPECT_EQ(out.find(key), std::string::npos);
  EXPECT_EQ(out, "401: key [redacted] is wrong ([redacted])");
}

TEST(Redact, RemovesBearerAndKeyShapedTokens) {
  auto out = redact_secrets(
    "bad header Authorization: Bearer abc.def; x-api-key sk-ant-api03-xyzxyz"
    " AIzaSyA1234567890 ohk_aaaaaaaaaaaaaaaaaaaa"
    " tok 0123456789abcdef0123456789abcdefXYZ",
    {});
  EXPECT_EQ(out.find("abc.def"), std::string::npos) << out;
  EXPECT_EQ(out.find("sk-ant"), std::string::npos) << out;
  EXPECT_EQ(out.find("AIza"), std::string::npos) << out;
  EXPECT_EQ(out.find("ohk_"), std::string::npos) << out;
  EXPECT_EQ(out.find("0123456789abcdef"), std::string::npos) << out;
  EXPECT_NE(out.find("Authorization: Bearer [redacted]"), std::string::npos)
    << out;
}

TEST(Redact, KeepsOrdinaryText) {
  std::string text = "model gpt-4o-mini not found (HTTP 404), retry in 30s";
  EXPECT_EQ(redact_secrets(text, {"short"}), text);
}

TEST(Redact, CutsLongTextOnACharacterBoundaryAsValidUtf8) {
  std::string text(2000, 'a');
  text.replace(1023, 2, "\xc3\xa9");
  text += "\xff";
  auto out = redact_secrets(text, {}, 1024);
  EXPECT_LE(out.size(), 1024u + 3);
  EXPECT_TRUE(json::valid_utf8(out));
}
