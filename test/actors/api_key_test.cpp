// The api-key actor with virtual time: the sliding window refills exactly,
// limits deny in SPEC order, settlement frees slots and counts spend.

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/api_key.hpp"
#include "actors/request.hpp"
#include "core/clock.hpp"

using namespace oh;
using namespace oh::actors;
using namespace std::chrono_literals;

namespace {

int64_t at(const char* iso) {
  auto ms = clock::parse_timestamp(iso);
  EXPECT_TRUE(ms) << iso;
  return ms.value_or(0);
}

struct ApiKeyTest : test::ActorFixture {
  api_key_actor key;
  /// The wall clock the budgets read: their day and month are UTC dates,
  /// while the rate windows run on the actor's (virtual) steady clock.
  int64_t wall = at("2026-12-02T12:00:00Z");

  void spawn(store::api_key_record rec, int64_t today = 0, int64_t month = 0) {
    key = sys->spawn(api_key, std::move(rec), today, month,
                     std::function<int64_t()>{[this] {
                       return wall;
                     }});
    run();
  }

  ~ApiKeyTest() override {
    caf::anon_send_exit(key, caf::exit_reason::user_shutdown);
    run();
  }

  admit_result admit(int64_t reserve = 100, int64_t cost = 0) {
    auto h = (*self)->request(
      key, caf::infinite, admit_atom::value,
      admit_request{.reserve_tokens = reserve, .reserve_cost_micros = cost});
    run();
    admit_result out;
    h.receive(
      [&](admit_result& r) {
        out = r;
      },
      [&](caf::error& e) {
        ADD_FAILURE() << sys->render(e);
      });
    return out;
  }

  void settle(uint64_t ticket, int64_t tokens, int64_t cost) {
    caf::anon_send(key, settle_atom::value, settle_info{ticket, tokens, cost});
    run();
  }
};

store::api_key_record key_with_rpm(int64_t rpm) {
  store::api_key_record r;
  r.id = "k";
  r.name = "k";
  r.rate_limit_rpm = rpm;
  return r;
}

} // namespace

TEST_F(ApiKeyTest, WindowRefillsExactlySixtySecondsAfterEachRequest) {
  spawn(key_with_rpm(2));
  EXPECT_TRUE(admit().ok);
  sched->advance_time(10s);
  EXPECT_TRUE(admit().ok);
  auto denied = admit();
  EXPECT_FALSE(denied.ok);
  EXPECT_EQ(denied.code, errc::rate_limited);
  EXPECT_EQ(denied.reason, "rpm");
  EXPECT_EQ(denied.retry_after_ms, 50'000);
  sched->advance_time(49'999ms);
  EXPECT_FALSE(admit().ok); // one millisecond early
  sched->advance_time(1ms);
  auto again = admit();
  EXPECT_TRUE(again.ok);
  EXPECT_EQ(again.rate.remaining, 0);
}

TEST_F(ApiKeyTest, ConcurrencyLimitHoldsUntilSettled) {
  auto rec = key_with_rpm(0);
  rec.max_concurrency = 1;
  spawn(rec);
  auto first = admit();
  ASSERT_TRUE(first.ok);
  auto second = admit();
  EXPECT_FALSE(second.ok);
  EXPECT_EQ(second.reason, "concurrency");
  settle(first.ticket, 10, 0);
  EXPECT_TRUE(admit().ok);
}

TEST_F(ApiKeyTest, TokenReservationsAreSettledToRealUsage) {
  auto rec = key_with_rpm(0);
  rec.rate_limit_tpm = 1000;
  spawn(rec);
  auto a = admit(800);
  ASSERT_TRUE(a.ok);
  auto b = admit(300);
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.reason, "tpm");
  settle(a.ticket, 100, 0); // used far less than reserved
  EXPECT_TRUE(admit(300).ok);
}

TEST_F(ApiKeyTest, BudgetsCompareSettledSpend) {
  auto rec = key_with_rpm(0);
  rec.daily_budget_cents = 10; // 100 000 micro-dollars
  spawn(rec, 90'000, 90'000);
  auto a = admit();
  ASSERT_TRUE(a.ok);
  settle(a.ticket, 10, 20'000);
  auto over = admit();
  EXPECT_FALSE(over.ok);
  EXPECT_EQ(over.code, errc::budget_exceeded);
  EXPECT_EQ(over.reason, "daily");
  EXPECT_NE(over.message.find("$0.11 / $0.10"), std::string::npos);
}

TEST_F(ApiKeyTest, BudgetsCountTheCostOfRequestsStillOpen) {
  auto rec = key_with_rpm(0);
  rec.daily_budget_cents = 10; // 100 000 micro-dollars
  spawn(rec, 50'000, 50'000);
  // Two requests in flight, each estimated at 30 000: together with the
  // settled 50 000 the budget is committed, so a third waits for them.
  auto a = admit(100, 30'000);
  auto b = admit(100, 30'000);
  ASSERT_TRUE(a.ok);
  ASSERT_TRUE(b.ok);
  auto third = admit(100, 30'000);
  EXPECT_FALSE(third.ok);
  EXPECT_EQ(third.reason, "daily");
  EXPECT_NE(third.message.find("held for requests still open"),
            std::string::npos)
    << third.message;
  // Settling replaces the estimate with the real cost (far less here).
  settle(a.ticket, 10, 1'000);
  settle(b.ticket, 10, 1'000);
  EXPECT_TRUE(admit(100, 30'000).ok);
}

TEST_F(ApiKeyTest, TheDailyBudgetIsReachedFromBelow) {
  auto rec = key_with_rpm(0);
  rec.daily_budget_cents = 10; // 100 000 micro-dollars
  spawn(rec);
  // Three requests settle 30 000 each: every one admitted, 90 000 spent.
  for (int i = 0; i < 3; ++i) {
    auto a = admit(100, 25'000);
    ASSERT_TRUE(a.ok) << "refused at " << i * 30'000 << ": " << a.message;
    settle(a.ticket, 10, 30'000);
  }
  // 90 000 settled: two open requests of 5 000 fit, the third would reach
  // the budget with them and waits.
  auto a = admit(100, 5'000);
  auto b = admit(100, 5'000);
  ASSERT_TRUE(a.ok);
  ASSERT_TRUE(b.ok) << b.message;
  auto c = admit(100, 5'000);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.code, errc::budget_exceeded);
  EXPECT_EQ(c.reason, "daily");
  // Settled at their estimate: exactly the budget, which is spent.
  settle(a.ticket, 10, 5'000);
  settle(b.ticket, 10, 5'000);
  auto over = admit(100, 0);
  EXPECT_FALSE(over.ok);
  EXPECT_EQ(over.reason, "daily");
  EXPECT_NE(over.message.find("$0.10 / $0.10"), std::string::npos)
    << over.message;
}

TEST_F(ApiKeyTest, TheMonthlyBudgetOutlivesTheDay) {
  auto rec = key_with_rpm(0);
  rec.monthly_budget_cents = 10;
  spawn(rec, 0, 95'000);
  auto a = admit(100, 1'000);
  ASSERT_TRUE(a.ok) << a.message;
  settle(a.ticket, 10, 5'000);
  auto over = admit();
  EXPECT_FALSE(over.ok);
  EXPECT_EQ(over.code, errc::budget_exceeded);
  EXPECT_EQ(over.reason, "monthly");
  // A new day of the same month: still spent.
  wall = at("2026-12-03T00:00:01Z");
  EXPECT_EQ(admit().reason, "monthly");
  wall = at("2026-12-31T23:59:59.999Z");
  EXPECT_FALSE(admit().ok);
  // The first millisecond of January (UTC) starts a new month.
  wall = at("2027-01-01T00:00:00Z");
  EXPECT_TRUE(admit().ok);
}

TEST_F(ApiKeyTest, TheDailyBudgetStartsAgainAtUtcMidnight) {
  auto rec = key_with_rpm(0);
  rec.daily_budget_cents = 10;
  rec.monthly_budget_cents = 20;
  wall = at("2026-12-02T23:59:59.999Z");
  spawn(rec, 100'000, 150'000);
  auto over = admit();
  EXPECT_FALSE(over.ok);
  EXPECT_EQ(over.reason, "daily");
  // Midnight UTC, whatever the machine's zone: the day's spend is zero,
  // the month's stays.
  wall = at("2026-12-03T00:00:00Z");
  auto a = admit(100, 1'000);
  ASSERT_TRUE(a.ok) << a.message;
  settle(a.ticket, 10, 60'000);
  auto b = admit(100, 1'000);
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.reason, "monthly") << "the month kept 150 000 + 60 000";
}

TEST_F(ApiKeyTest, DryRunReportsLimitsWithoutTakingASlot) {
  spawn(key_with_rpm(1));
  auto h
    = (*self)->request(key, caf::infinite, admit_atom::value,
                       admit_request{.reserve_tokens = 0, .dry_run = true});
  run();
  h.receive(
    [](admit_result& r) {
      EXPECT_EQ(r.rate.remaining, 1);
    },
    [&](caf::error& e) {
      ADD_FAILURE() << sys->render(e);
    });
  EXPECT_TRUE(admit().ok);
}

TEST_F(ApiKeyTest, UpdatesChangeTheLimitAtOnce) {
  spawn(key_with_rpm(1));
  EXPECT_TRUE(admit().ok);
  EXPECT_FALSE(admit().ok);
  caf::anon_send(key, update_atom::value, key_with_rpm(5));
  run();
  EXPECT_TRUE(admit().ok);
}

TEST(RateLimitLines, RequestAndTokenLimitsAsOpenAiNamesThem) {
  rate_info rate;
  rate.limit = 60;
  rate.remaining = 59;
  rate.reset_ms = 1'500; // rounds up to whole seconds
  rate.tpm_limit = 1000;
  rate.tpm_remaining = 900;
  rate.tpm_reset_ms = 60'000;
  std::string out;
  append_rate_limit_lines(out, rate, 1'700'000'000'000);
  EXPECT_EQ(out, "x-ratelimit-limit-requests: 60\r\n"
                 "x-ratelimit-remaining-requests: 59\r\n"
                 "x-ratelimit-reset-requests: 2s\r\n"
                 "x-ratelimit-limit: 60\r\n"
                 "x-ratelimit-remaining: 59\r\n"
                 "x-ratelimit-reset: 2\r\n"
                 "x-ratelimit-reset-at: 1700000002\r\n"
                 "x-ratelimit-limit-tokens: 1000\r\n"
                 "x-ratelimit-remaining-tokens: 900\r\n"
                 "x-ratelimit-reset-tokens: 60s\r\n");
}

TEST(RateLimitLines, UnlimitedKeysAnnounceTheLargestIntegerAndNoTokens) {
  std::string out;
  append_rate_limit_lines(out, rate_info{}, 1'700'000'000'000);
  EXPECT_NE(out.find("x-ratelimit-limit-requests: 2147483647\r\n"),
            std::string::npos)
    << out;
  EXPECT_NE(out.find("x-ratelimit-remaining: 2147483647\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("x-ratelimit-reset-requests: 0s\r\n"), std::string::npos);
  EXPECT_NE(out.find("x-ratelimit-reset-at: 1700000000\r\n"),
            std::string::npos);
  EXPECT_EQ(out.find("tokens"), std::string::npos);
}
