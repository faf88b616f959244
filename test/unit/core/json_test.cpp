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
