#include <gtest/gtest.h>

#include "core/json.hpp"

using namespace oh;

TEST(Json, EscapesControlCharactersQuotesAndBackslashes) {
  std::string out;
  json::append_quoted(out, std::string_view{"a\"b\\c\nd\x01", 8});
  EXPECT_EQ(out, R"("a\"b\\c\nd\u0001")");
}

TEST(Json, ParseReportsOffsetOfTheError) {
  auto doc = json::parse("{\"a\": }");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, errc::invalid_json);
  EXPECT_NE(doc.error().message.find("offset"), std::string::npos);
}

TEST(Json, RejectsTrailingGarbage) {
  EXPECT_FALSE(json::parse("{} {}"));
  EXPECT_TRUE(json::parse("{}  \n"));
}

TEST(Json, ParsesTextWithEmbeddedNulBytesByLength) {
  std::string text{"{\"a\":1}\0junk", 11};
  EXPECT_FALSE(json::parse(text));
}
