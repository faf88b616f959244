#include "core/json_schema.hpp"

#include <string>

#include <gtest/gtest.h>

namespace oh::json_schema {
namespace {

bool check(const std::string& schema, const std::string& instance) {
  auto s = json::parse(schema);
  auto i = json::parse(instance);
  EXPECT_TRUE(s && i) << schema << " / " << instance;
  return valid(*s, *i);
}

TEST(JsonSchema, TypeNamesIncludingIntegerAndLists) {
  EXPECT_TRUE(check(R"({"type":"string"})", R"("x")"));
  EXPECT_FALSE(check(R"({"type":"string"})", "1"));
  EXPECT_TRUE(check(R"({"type":"integer"})", "3"));
  EXPECT_TRUE(check(R"({"type":"integer"})", "3.0"));
  EXPECT_FALSE(check(R"({"type":"integer"})", "3.5"));
  EXPECT_TRUE(check(R"({"type":"number"})", "3.5"));
  EXPECT_TRUE(check(R"({"type":"null"})", "null"));
  EXPECT_FALSE(check(R"({"type":"boolean"})", "0"));
  EXPECT_TRUE(check(R"({"type":["string","null"]})", "null"));
  EXPECT_FALSE(check(R"({"type":["string","null"]})", "{}"));
  EXPECT_FALSE(check(R"({"type":"bogus"})", "{}"));
}

TEST(JsonSchema, ObjectsRequiredPropertiesAndAdditional) {
  const std::string person
    = R"({"type":"object","properties":{"name":{"type":"string"},
          "age":{"type":"integer"}},"required":["name"],
          "additionalProperties":false})";
  EXPECT_TRUE(check(person, R"({"name":"Ada","age":36})"));
  EXPECT_FALSE(check(person, R"({"age":36})"));
  EXPECT_FALSE(check(person, R"({"name":"Ada","age":"36"})"));
  EXPECT_FALSE(check(person, R"({"name":"Ada","extra":1})"));
  EXPECT_TRUE(
    check(R"({"additionalProperties":{"type":"number"}})", R"({"a":1,"b":2})"));
  EXPECT_FALSE(check(R"({"additionalProperties":{"type":"number"}})",
                     R"({"a":1,"b":"2"})"));
}

TEST(JsonSchema, ItemsEnumConstAndBooleanSchemas) {
  EXPECT_TRUE(
    check(R"({"type":"array","items":{"type":"integer"}})", "[1,2,3]"));
  EXPECT_FALSE(
    check(R"({"type":"array","items":{"type":"integer"}})", "[1,\"2\"]"));
  EXPECT_TRUE(check(R"({"enum":["red","green",1]})", R"("green")"));
  EXPECT_TRUE(check(R"({"enum":["red","green",1]})", "1.0"));
  EXPECT_FALSE(check(R"({"enum":["red","green"]})", R"("blue")"));
  EXPECT_TRUE(check(R"({"const":{"a":[1,2]}})", R"({"a":[1,2]})"));
  EXPECT_FALSE(check(R"({"const":{"a":[1,2]}})", R"({"a":[2,1]})"));
  EXPECT_TRUE(check("true", "[]"));
  EXPECT_FALSE(check("false", "[]"));
  EXPECT_FALSE(check(R"({"properties":{"x":false}})", R"({"x":1})"));
  // Nested: an array of objects.
  EXPECT_FALSE(check(R"({"items":{"type":"object","required":["id"]}})",
                     R"([{"id":1},{}])"));
}

TEST(JsonSchema, AnswerTextVerdicts) {
  const std::string s = R"({"type":"object","required":["ok"]})";
  EXPECT_EQ(check_text(s, R"({"ok":true})"), true);
  EXPECT_EQ(check_text(s, R"({"no":true})"), false);
  EXPECT_EQ(check_text(s, "Sure! Here it is."), false);
  EXPECT_EQ(check_text(s, "   "), std::nullopt);
  EXPECT_EQ(check_text(s, "```json\n{\"ok\":1}\n```"), true);
  EXPECT_EQ(check_text("not a schema", "{}"), std::nullopt);
}

} // namespace
} // namespace oh::json_schema
