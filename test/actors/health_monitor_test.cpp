// The health monitor with virtual time: rounds come once per interval
// (jittered by at most a tenth), the first one included, and each round
// sends every account of the current snapshot one check.

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/health_monitor.hpp"
#include "actors/provider_account.hpp"
#include "actors/system.hpp"
#include "core/json.hpp"

using namespace oh;
using namespace oh::actors;
using namespace std::chrono_literals;

namespace {

struct HealthMonitorTest : test::ActorFixture {
  std::shared_ptr<snapshot_holder> snapshot
    = std::make_shared<snapshot_holder>();
  provider_account_actor account;
  health_monitor_actor monitor;

  void SetUp() override {
    store::provider_record r;
    r.id = "a";
    r.name = "primary";
    r.type = "openai";
    r.credentials_json = R"({"api_key":"sk-a"})";
    account_env env;
    env.cell = std::make_shared<health_board>()->cell("a");
    // No upstream: a check is counted by the account and probes nothing.
    account = sys->spawn(provider_account, r, env);
    auto next = std::make_shared<lookup_snapshot>();
    next->accounts_by_id.emplace("a", account);
    snapshot->publish(next);
    monitor = spawn_health_monitor(*sys, snapshot, 60'000);
    run();
  }

  ~HealthMonitorTest() override {
    caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(account, caf::exit_reason::user_shutdown);
    run();
  }

  template<class Actor>
  int64_t field(const Actor& who, const char* name) {
    auto h = (*self)->request(who, caf::infinite, status_atom::value);
    run();
    int64_t out = -1;
    h.receive(
      [&](std::string& text) {
        auto doc = json::parse(text);
        if (!doc || !doc->IsObject() || !doc->HasMember(name)) {
          ADD_FAILURE() << "no " << name << " in " << text;
          return;
        }
        out = (*doc)[name].GetInt64();
      },
      [&](caf::error& e) {
        ADD_FAILURE() << sys->render(e);
      });
    return out;
  }

  int64_t rounds() {
    return field(monitor, "rounds");
  }

  /// Messages the account handled (status reads are not counted).
  int64_t account_handled() {
    return field(account, "handled");
  }
};

} // namespace

TEST_F(HealthMonitorTest, TheFirstRoundWaitsAWholeInterval) {
  sched->advance_time(5s);
  run();
  EXPECT_EQ(rounds(), 0) << "a round before the interval";
  // The earliest a jittered interval of 60 s can end is 54 s.
  sched->advance_time(48'999ms);
  run();
  EXPECT_EQ(rounds(), 0);
  // And the latest is 66 s.
  sched->advance_time(12'001ms);
  run();
  EXPECT_EQ(rounds(), 1);
}

TEST_F(HealthMonitorTest, EachRoundChecksEveryAccountOnce) {
  auto before = account_handled();
  ASSERT_GE(before, 0);
  sched->advance_time(66s);
  run();
  ASSERT_EQ(rounds(), 1);
  EXPECT_EQ(account_handled(), before + 1);
  sched->advance_time(66s);
  run();
  EXPECT_EQ(rounds(), 2);
  EXPECT_EQ(account_handled(), before + 2);
}

TEST_F(HealthMonitorTest, ANewIntervalCountsFromTheNextRound) {
  caf::anon_send(monitor, update_atom::value,
                 health_limits{.probe_interval_ms = 10'000});
  run();
  // The round already scheduled keeps its 60 s ± 6 s.
  sched->advance_time(53s);
  run();
  EXPECT_EQ(rounds(), 0);
  int waited = 0;
  for (; waited < 13 && rounds() == 0; ++waited) {
    sched->advance_time(1s);
    run();
  }
  ASSERT_EQ(rounds(), 1) << "no round within 66 s";
  // It ran within the last second; the next one comes 10 s ± 1 s after it.
  sched->advance_time(8s);
  run();
  EXPECT_EQ(rounds(), 1);
  sched->advance_time(3s);
  run();
  EXPECT_EQ(rounds(), 2);
}
