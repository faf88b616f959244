// The provider-account actor's health with virtual time: the breaker opens,
// half-opens and closes; a 429 limits the account until the announced reset.

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/provider_account.hpp"
#include "actors/selector.hpp"

using namespace oh;
using namespace oh::actors;
using namespace std::chrono_literals;

namespace {

struct AccountHealthTest : test::ActorFixture {
  std::shared_ptr<health_board> board = std::make_shared<health_board>();
  provider_account_actor account;

  void SetUp() override {
    store::provider_record r;
    r.id = "a";
    r.name = "primary";
    r.type = "openai";
    r.credentials_json = R"({"api_key":"sk-a"})";
    account_env env;
    env.cell = board->cell("a");
    env.breaker_failures = 3;
    env.breaker_cooldown_ms = 10'000;
    account = sys->spawn(provider_account, r, env);
    run();
  }

  ~AccountHealthTest() override {
    caf::anon_send_exit(account, caf::exit_reason::user_shutdown);
    run();
  }

  route lease() {
    auto h = (*self)->request(account, caf::infinite, lease_atom::value,
                              plan_request{"r", std::string{"gpt-4o"}, {}},
                              soul_plan{});
    run();
    route out;
    h.receive(
      [&](route& r) {
        out = r;
      },
      [&](caf::error& e) {
        ADD_FAILURE() << sys->render(e);
      });
    return out;
  }

  void outcome(outcome_report::verdict v, int64_t retry_ms = 0) {
    caf::anon_send(account, outcome_atom::value,
                   outcome_report{v, retry_ms, "boom"});
    run();
  }

  circuit_state circuit() {
    return static_cast<circuit_state>(board->find("a")->circuit.load());
  }
};

} // namespace

TEST_F(AccountHealthTest, BreakerOpensHalfOpensAndCloses) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(lease().ok);
    outcome(outcome_report::verdict::failure);
  }
  EXPECT_EQ(circuit(), circuit_state::open);
  EXPECT_EQ(board->find("a")->read().status, "down");
  auto refused = lease();
  EXPECT_FALSE(refused.ok);
  EXPECT_TRUE(refused.skip);
  EXPECT_EQ(refused.account_id, "a");
  EXPECT_GT(refused.retry_after_ms, 0);
  sched->advance_time(10s);
  auto trial = lease(); // half-open: one trial
  EXPECT_TRUE(trial.ok);
  EXPECT_FALSE(lease().ok); // a second one waits for the verdict
  outcome(outcome_report::verdict::success);
  EXPECT_EQ(circuit(), circuit_state::closed);
  EXPECT_EQ(board->find("a")->read().status, "healthy");
  EXPECT_TRUE(lease().ok);
}

TEST_F(AccountHealthTest, ASuccessReportedDuringTheCoolDownKeepsItOpen) {
  ASSERT_TRUE(lease().ok); // this one is still out when the circuit opens
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(lease().ok);
    outcome(outcome_report::verdict::failure);
  }
  ASSERT_EQ(circuit(), circuit_state::open);
  outcome(outcome_report::verdict::success); // the early request ends well
  EXPECT_EQ(circuit(), circuit_state::open);
  EXPECT_FALSE(lease().ok);
  sched->advance_time(10s);
  ASSERT_TRUE(lease().ok); // the half-open trial decides
  outcome(outcome_report::verdict::success);
  EXPECT_EQ(circuit(), circuit_state::closed);
}

TEST_F(AccountHealthTest, RateLimitedUntilTheAnnouncedReset) {
  ASSERT_TRUE(lease().ok);
  outcome(outcome_report::verdict::limited, 5'000);
  EXPECT_GT(board->find("a")->limited_until_ms.load(), 0);
  EXPECT_EQ(board->find("a")->read().status, "degraded");
  EXPECT_FALSE(lease().ok);
  sched->advance_time(4'999ms);
  EXPECT_FALSE(lease().ok);
  sched->advance_time(1ms);
  EXPECT_TRUE(lease().ok);
  EXPECT_EQ(circuit(), circuit_state::closed); // a 429 is not a breaker failure
}

TEST_F(AccountHealthTest, InFlightIsPublishedForTheSelector) {
  ASSERT_TRUE(lease().ok);
  ASSERT_TRUE(lease().ok);
  EXPECT_EQ(board->find("a")->in_flight.load(), 2);
  outcome(outcome_report::verdict::neutral);
  EXPECT_EQ(board->find("a")->in_flight.load(), 1);
}

TEST(SelectorHealth, SkipsOpenAndLimitedAccountsAndPrefersTheLessBusy) {
  health_board board;
  std::map<std::string, selector_entry> accounts;
  for (auto id : {"a", "b", "c"}) {
    account_info info;
    info.id = id;
    info.name = id;
    info.type = "openai";
    info.priority = 5;
    accounts[id] = selector_entry{info, {}};
    board.cell(id);
  }
  board.cell("a")->in_flight = 4;
  board.cell("b")->in_flight = 1;
  board.cell("c")->in_flight = 2;
  plan_request req{"r", std::string{"gpt-4o"}, {}};
  auto p = pick_account(accounts, req, soul_plan{}, &board, 1'000);
  ASSERT_TRUE(p.account);
  EXPECT_EQ(p.account->info.id, "b");
  board.cell("b")->circuit = static_cast<uint8_t>(circuit_state::open);
  board.cell("b")->open_until_ms = 5'000;
  board.cell("c")->limited_until_ms = 3'000;
  p = pick_account(accounts, req, soul_plan{}, &board, 1'000);
  ASSERT_TRUE(p.account);
  EXPECT_EQ(p.account->info.id, "a");
  board.cell("a")->limited_until_ms = 9'000;
  p = pick_account(accounts, req, soul_plan{}, &board, 1'000);
  EXPECT_FALSE(p.account);
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->code, errc::no_providers);
  EXPECT_EQ(p.retry_after_ms, 2'000); // c reopens first, at 3 000
}
