#include <gtest/gtest.h>

#include "core/cost.hpp"
#include "providers/price_table.hpp"

using namespace oh;

namespace {

price_table sample() {
  auto t = price_table::parse(R"({"as_of":"2026-11-01","models":{
    "gpt-4o":{"input":2.5,"output":10,"cache_read":1.25},
    "gpt-4o-mini":{"input":0.15,"output":0.6},
    "claude-sonnet-4":{"input":3,"output":15,"cache_read":0.3,"cache_write":3.75}}})");
  EXPECT_TRUE(t);
  return std::move(*t);
}

} // namespace

TEST(Cost, LookupIsExactThenDateSuffixThenLongestPrefix) {
  auto t = sample();
  EXPECT_DOUBLE_EQ(t.find("gpt-4o")->input, 2.5);
  EXPECT_DOUBLE_EQ(t.find("gpt-4o-2024-08-06")->input, 2.5);
  EXPECT_DOUBLE_EQ(t.find("gpt-4o-mini-2024-07-18")->input, 0.15);
  EXPECT_DOUBLE_EQ(t.find("claude-sonnet-4-20250514")->output, 15);
  EXPECT_DOUBLE_EQ(t.find("claude-sonnet-4-5")->output, 15);  // prefix
  EXPECT_DOUBLE_EQ(t.find("gpt-4o-mini-audio")->input, 0.15); // longest prefix
  EXPECT_FALSE(t.find("llama3:8b"));
  EXPECT_EQ(t.as_of(), "2026-11-01");
}

TEST(Cost, StripsBothDateSuffixForms) {
  EXPECT_EQ(strip_date_suffix("claude-haiku-4-5-20251001"), "claude-haiku-4-5");
  EXPECT_EQ(strip_date_suffix("gpt-4o-2024-08-06"), "gpt-4o");
  EXPECT_EQ(strip_date_suffix("gpt-4o"), "gpt-4o");
  EXPECT_EQ(strip_date_suffix("model-12345678x"), "model-12345678x");
}

TEST(Cost, ComputesMicroDollarsWithCacheTokensApart) {
  model_price p{3.0, 15.0, 0.3, 3.75};
  token_usage u;
  u.input = 1'000'000; // of which cached below
  u.cache_read = 200'000;
  u.cache_write = 100'000;
  u.output = 10'000;
  // 700k × 3 + 200k × 0.3 + 100k × 3.75 + 10k × 15 (micro-dollars)
  EXPECT_EQ(cost_micros(p, u), 2'100'000 + 60'000 + 375'000 + 150'000);
}

TEST(Cost, RoundsToTheNearestMicroDollar) {
  model_price p{0.15, 0.6};
  token_usage u;
  u.input = 3;
  u.output = 1;
  EXPECT_EQ(cost_micros(p, u), 1); // 0.45 + 0.6 = 1.05
}

TEST(Cost, RejectsMalformedTables) {
  EXPECT_FALSE(price_table::parse("{}"));
  EXPECT_FALSE(price_table::parse(R"({"models":{"x":{"input":-1}}})"));
  EXPECT_FALSE(price_table::parse(R"({"models":{"x":5}})"));
}

TEST(Cost, TheShippedTableParses) {
  auto t = providers::default_prices();
  EXPECT_GT(t.size(), 10u);
  EXPECT_FALSE(t.as_of().empty());
  EXPECT_TRUE(t.find("gpt-4o-mini"));
}
