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

TEST(Json, DocumentsBiggerThanOnePoolChunkParseWhole) {
  // More values than one 4 KiB chunk holds: the pool takes more chunks.
  std::string text = "[";
  for (int i = 0; i < 2000; ++i)
    text += (i ? ",\"" : "\"") + std::string(20, 'a' + i % 26) + "\"";
  text += "]";
  auto doc = oh::json::parse(text);
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->Size(), 2000u);
  EXPECT_EQ(std::string{(*doc)[1999].GetString()},
            std::string(20, 'a' + 1999 % 26));
}

TEST(Json, MovedDocumentsKeepTheirValues) {
  oh::json::document target;
  target.SetObject();
  target.AddMember("old", 1, target.GetAllocator());
  {
    auto parsed = oh::json::parse(R"({"model":"gpt-4o","n":[1,2,3]})");
    ASSERT_TRUE(parsed);
    oh::json::document moved{std::move(*parsed)};
    target = std::move(moved);
  } // the sources are gone; the values live in the pool target now owns
  EXPECT_FALSE(target.HasMember("old"));
  EXPECT_EQ(std::string{target["model"].GetString()}, "gpt-4o");
  EXPECT_EQ(target["n"][2].GetInt(), 3);
  // New values go into the same pool.
  target.AddMember("added", rapidjson::Value{"x", target.GetAllocator()},
                   target.GetAllocator());
  EXPECT_EQ(std::string{target["added"].GetString()}, "x");
}

TEST(Json, DocumentOverAnotherDocumentsPool) {
  oh::json::document owner;
  owner.SetArray();
  oh::json::document borrower(&owner.GetAllocator());
  borrower.SetObject();
  borrower.AddMember("k", rapidjson::Value{"v", owner.GetAllocator()},
                     owner.GetAllocator());
  owner.PushBack(borrower.Move(), owner.GetAllocator());
  EXPECT_EQ(std::string{owner[0]["k"].GetString()}, "v");
}

namespace {

std::string nested(int depth, char open = '[', char close = ']') {
  return std::string(static_cast<size_t>(depth), open)
         + std::string(static_cast<size_t>(depth), close);
}

std::string nested_objects(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i)
    text += "{\"a\":";
  text += "1";
  text += std::string(static_cast<size_t>(depth), '}');
  return text;
}

} // namespace

TEST(JsonLimits, DepthUpToTheLimitParses) {
  EXPECT_TRUE(json::parse(nested(json::max_depth - 1)));
  EXPECT_TRUE(json::parse(nested(json::max_depth)));
  EXPECT_TRUE(json::parse(nested_objects(json::max_depth)));
}

TEST(JsonLimits, OneLevelPastTheLimitIsAnErrorNamingTheDepth) {
  for (auto& text :
       {nested(json::max_depth + 1), nested_objects(json::max_depth + 1)}) {
    auto doc = json::parse(text);
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error().code, errc::invalid_json);
    EXPECT_NE(doc.error().message.find("deeper than 128"), std::string::npos)
      << doc.error().message;
  }
}

TEST(JsonLimits, HostileNestingFailsWithoutExhaustingTheStack) {
  // 150 000 levels closed, and 1 000 000 never closed: both used to
  // overflow an I/O thread's stack.
  EXPECT_FALSE(json::parse(nested(150000)));
  EXPECT_FALSE(json::parse(std::string(1000000, '[')));
  std::string objects;
  for (int i = 0; i < 200000; ++i)
    objects += "{\"a\":";
  EXPECT_FALSE(json::parse(objects));
}

TEST(JsonLimits, ACustomDepthApplies) {
  json::parse_options o;
  o.max_depth = 2;
  EXPECT_TRUE(json::parse("[[1]]", o));
  EXPECT_FALSE(json::parse("[[[1]]]", o));
}

TEST(JsonDuplicates, ADuplicateMemberIsNamed) {
  auto doc = json::parse(R"({"max_tokens":5,"model":"m","max_tokens":999999})");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, errc::invalid_json);
  EXPECT_EQ(doc.error().field, "max_tokens");
  EXPECT_NE(doc.error().message.find("\"max_tokens\""), std::string::npos);
}

TEST(JsonDuplicates, NestedAndLargeObjectsAreCheckedToo) {
  EXPECT_FALSE(json::parse(R"({"a":{"t":1,"t":2}})"));
  std::string big = "{";
  for (int i = 0; i < 100; ++i)
    big += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_TRUE(json::parse(big + "\"last\":0}"));
  auto dup = json::parse(big + "\"k42\":0}");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().field, "k42");
}

TEST(JsonDuplicates, SameNameInSiblingObjectsIsFine) {
  EXPECT_TRUE(json::parse(R"([{"a":1},{"a":2},{"a":{"a":{"a":3}}}])"));
  EXPECT_TRUE(json::parse(R"({"a":{"b":1},"b":{"a":2}})"));
}

TEST(JsonDuplicates, CanBeAllowed) {
  json::parse_options o;
  o.reject_duplicates = false;
  EXPECT_TRUE(json::parse(R"({"a":1,"a":2})", o));
}

TEST(JsonEncoding, InvalidUtf8InStringsAndNamesIsRefused) {
  for (std::string text : {
         std::string{"{\"a\":\"\xff\"}"},       // never valid
         std::string{"{\"\xff\":1}"},           // in a member name
         std::string{"[\"\xc0\xaf\"]"},         // overlong '/'
         std::string{"[\"\xe0\x80\xaf\"]"},     // overlong, 3 bytes
         std::string{"[\"\xed\xa0\x80\"]"},     // encoded surrogate
         std::string{"[\"\xf4\x90\x80\x80\"]"}, // past U+10FFFF
         std::string{"[\"\xe2\x82\"]"},         // cut sequence
         std::string{R"(["\udc00"])"},          // lone low surrogate
         std::string{R"(["x\udfff"])"},
       }) {
    auto doc = json::parse(text);
    ASSERT_FALSE(doc) << text;
    EXPECT_EQ(doc.error().code, errc::invalid_json);
    EXPECT_NE(doc.error().message.find("UTF-8"), std::string::npos)
      << doc.error().message;
  }
}

TEST(JsonEncoding, ValidUtf8AndPairedSurrogatesParse) {
  EXPECT_TRUE(json::parse("[\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"]"));
  EXPECT_TRUE(json::parse(R"(["\ud83d\ude00"])"));
  EXPECT_FALSE(json::parse(R"(["\ud83d"])")); // high without its low half
}

TEST(JsonEncoding, QuotingReplacesInvalidBytes) {
  std::string out;
  json::append_quoted(out, "a\xff"
                           "b\xed\xa0\x80"
                           "c\xc3\xa9");
  EXPECT_EQ(out, "\"a\\ufffdb\\ufffd\\ufffd\\ufffdc\xc3\xa9\"");
  EXPECT_TRUE(json::valid_utf8(out));
  EXPECT_EQ(json::sanitize_utf8("x\xffy"), "x\xef\xbf\xbdy");
  EXPECT_EQ(json::sanitize_utf8("ok"), "ok");
}
