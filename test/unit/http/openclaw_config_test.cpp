#include "http/handlers/openclaw_config.hpp"

#include <gtest/gtest.h>

#include "core/json.hpp"

namespace oh::http::openclaw {
namespace {

json::document parsed(const std::string& text) {
  auto doc = json::parse(text);
  EXPECT_TRUE(doc) << text;
  return doc ? std::move(*doc) : json::document{};
}

TEST(OpenClawConfig, ConnectCreatesTheProviderPathAndCapsTheModels) {
  std::vector<std::string> models;
  for (int i = 0; i < 15; ++i)
    models.push_back("m" + std::to_string(i));
  auto out = connect("{}", "http://127.0.0.1:3700/v1", "ohk_x", models);
  ASSERT_TRUE(out);
  auto doc = parsed(*out);
  auto& entry = doc["models"]["providers"]["openhinge"];
  EXPECT_STREQ(entry["baseUrl"].GetString(), "http://127.0.0.1:3700/v1");
  EXPECT_EQ(entry["models"].Size(), max_models);
  EXPECT_STREQ(entry["models"][0]["id"].GetString(), "m0");
  EXPECT_EQ(entry["models"][0]["contextWindow"].GetInt(), 200000);
  // No agent fallback list: none is invented.
  EXPECT_FALSE(doc.HasMember("agents"));
  EXPECT_TRUE(is_connected(*out));
  EXPECT_FALSE(is_connected("{}"));
}

TEST(OpenClawConfig, ConnectTwiceKeepsOneEntryAndOneSetOfFallbacks) {
  std::string file
    = R"({"agents":{"defaults":{"model":{"fallbacks":["a/b"]}}}})";
  auto once = connect(file, "u", "k", {"x", "y", "z", "w"});
  ASSERT_TRUE(once);
  auto twice = connect(*once, "u", "k", {"x", "y", "z", "w"});
  ASSERT_TRUE(twice);
  auto doc = parsed(*twice);
  auto& fb = doc["agents"]["defaults"]["model"]["fallbacks"];
  ASSERT_EQ(fb.Size(), 1u + max_fallbacks);
  EXPECT_STREQ(fb[0].GetString(), "a/b");
  EXPECT_STREQ(fb[1].GetString(), "openhinge/x");
  EXPECT_STREQ(fb[3].GetString(), "openhinge/z");
}

TEST(OpenClawConfig, ABrokenFileIsRefusedNotOverwritten) {
  EXPECT_FALSE(connect("[1,2]", "u", "k", {}));
  EXPECT_FALSE(connect("{\"a\":", "u", "k", {}));
  EXPECT_FALSE(disconnect("not json"));
}

TEST(OpenClawConfig, DisconnectLeavesAFileWithoutTheGatewayAlone) {
  auto out = disconnect(R"({"models":{"providers":{"other":{}}}})");
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->empty());
  auto moved = disconnect(
    R"({"agents":{"defaults":{"model":{"primary":"openhinge/x"}}}})");
  ASSERT_TRUE(moved);
  EXPECT_STREQ(
    parsed(*moved)["agents"]["defaults"]["model"]["primary"].GetString(),
    fallback_primary);
}

} // namespace
} // namespace oh::http::openclaw
