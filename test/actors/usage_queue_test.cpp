// The queue between request actors and the usage logger: bounded pushes,
// oldest-first takes, and written rows handed back per origin thread.
#include "actors/usage_queue.hpp"

#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

using namespace oh;
using namespace oh::actors;

namespace {

store::usage_row row(std::string id) {
  store::usage_row r;
  r.request_id = std::move(id);
  return r;
}

std::vector<std::string> ids(const std::vector<store::usage_row>& rows) {
  std::vector<std::string> out;
  for (auto& r : rows)
    out.push_back(r.request_id);
  return out;
}

thread_local int test_origin = -1;

} // namespace

TEST(UsageQueue, TakesOldestFirstAndCountsWhatItCannotHold) {
  usage_queue q{3};
  for (auto id : {"a", "b", "c", "d"})
    q.push(row(id));
  EXPECT_EQ(q.dropped(), 1u);
  EXPECT_EQ(ids(q.take(2)), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ids(q.take(5)), (std::vector<std::string>{"c"}));
  EXPECT_EQ(q.depth(), 0u);
}

TEST(UsageQueue, WrittenRowsGoBackToTheThreadThatMadeThem) {
  usage_queue q;
  std::map<int, std::vector<std::string>> released;
  q.set_release_hooks({[] {
                         return test_origin;
                       },
                       [&](int origin, std::vector<store::usage_row>&& rows) {
                         for (auto& id : ids(rows))
                           released[origin].push_back(id);
                       }});
  test_origin = 0;
  q.push(row("a"));
  std::thread other{[&] {
    test_origin = 1;
    q.push(row("b"));
    q.push(row("c"));
  }};
  other.join();
  q.push(row("d"));
  test_origin = -1; // a thread of no origin: freed by the logger
  q.push(row("e"));

  auto rows = q.take(10);
  EXPECT_EQ(rows[0].origin, 0);
  EXPECT_EQ(rows[1].origin, 1);
  EXPECT_EQ(rows[4].origin, -1);
  q.release(std::move(rows));
  EXPECT_EQ(released[0], (std::vector<std::string>{"a", "d"}));
  EXPECT_EQ(released[1], (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(released.count(-1), 0u);
}

TEST(UsageQueue, LastRowsAreFreedWhereTheyAreWritten) {
  usage_queue q;
  int calls = 0;
  q.set_release_hooks({[] {
                         return 0;
                       },
                       [&](int, std::vector<store::usage_row>&&) {
                         ++calls;
                       }});
  q.push(row("a"));
  q.release(q.take(10), false);
  EXPECT_EQ(calls, 0);
}
