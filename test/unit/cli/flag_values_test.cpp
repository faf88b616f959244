// Flag values turned into what the admin API takes, and the usage errors
// for values it would refuse.

#include "cli/flag_values.hpp"

#include <gtest/gtest.h>

#include "cli/session.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"

namespace oh::cli {
namespace {

invocation with(std::string flag, std::string value) {
  invocation in;
  in.flags[flag].push_back(std::move(value));
  return in;
}

int usage_status(const std::function<void()>& f) {
  try {
    f();
  } catch (const cli_failure& e) {
    return e.status;
  }
  return -1;
}

TEST(CliFlagValues, Integers) {
  EXPECT_EQ(integer_flag(with("--rpm", "60"), "--rpm", 0, 100), 60);
  EXPECT_FALSE(integer_flag(invocation{}, "--rpm", 0, 100));
  for (auto bad : {"x", "6o", "101", "-1", ""})
    EXPECT_EQ(usage_status([&] {
                integer_flag(with("--rpm", bad), "--rpm", 0, 100);
              }),
              exit_status::usage)
      << bad;
}

TEST(CliFlagValues, DollarsBecomeCents) {
  EXPECT_EQ(dollars_flag(with("--daily-budget", "5"), "--daily-budget"), 500);
  EXPECT_EQ(dollars_flag(with("--daily-budget", "2.50"), "--daily-budget"),
            250);
  EXPECT_EQ(dollars_flag(with("--daily-budget", "$0.07"), "--daily-budget"), 7);
  EXPECT_EQ(dollars_flag(with("--daily-budget", "0"), "--daily-budget"), 0);
  for (auto bad : {"-1", "five", "1e99", ""})
    EXPECT_EQ(usage_status([&] {
                dollars_flag(with("--daily-budget", bad), "--daily-budget");
              }),
              exit_status::usage)
      << bad;
}

TEST(CliFlagValues, ExpiryAsDateTimeSpanOrNever) {
  const int64_t now = 1'796'000'000'000; // 2026-11-30T...
  EXPECT_EQ(*expiry_flag(with("--expires", "2027-01-31"), "--expires", now),
            "2027-01-31T00:00:00.000Z");
  EXPECT_EQ(
    *expiry_flag(with("--expires", "2027-01-31T12:00:00Z"), "--expires", now),
    "2027-01-31T12:00:00.000Z");
  EXPECT_EQ(*expiry_flag(with("--expires", "30d"), "--expires", now),
            clock::format_iso(now + 30LL * 86'400'000));
  EXPECT_EQ(*expiry_flag(with("--expires", "12h"), "--expires", now),
            clock::format_iso(now + 12LL * 3'600'000));
  EXPECT_EQ(*expiry_flag(with("--expires", "never"), "--expires", now), "");
  for (auto bad : {"soon", "30x", "0d", "31/01/2027", "d"})
    EXPECT_EQ(usage_status([&] {
                expiry_flag(with("--expires", bad), "--expires", now);
              }),
              exit_status::usage)
      << bad;
}

TEST(CliFlagValues, ListsAndBodies) {
  EXPECT_EQ(split_list(" a, b,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list("").empty());
  body_builder b;
  EXPECT_TRUE(b.empty());
  b.text("name", "say \"hi\"\n")
    .integer("n", -3)
    .boolean("on", false)
    .null("gone")
    .raw("cfg", R"({"a":1})")
    .strings("ids", {"x", "y"});
  EXPECT_EQ(b.str(), R"({"name":"say \"hi\"\n","n":-3,"on":false,"gone":null,)"
                     R"("cfg":{"a":1},"ids":["x","y"]})");
  auto parsed = json::parse(b.str());
  EXPECT_TRUE(parsed) << "the body is valid JSON";
}

} // namespace
} // namespace oh::cli
