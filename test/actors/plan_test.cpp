// Soul → selector → account delegation: the route carries the soul's part,
// honours its chain and skips accounts already tried.

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/provider_account.hpp"
#include "actors/selector.hpp"
#include "actors/soul.hpp"

using namespace oh;
using namespace oh::actors;

namespace {

store::provider_record account(std::string id, int64_t priority,
                               std::string models = "[]") {
  store::provider_record r;
  r.id = id;
  r.name = "acct-" + id;
  r.type = "openai";
  r.priority = priority;
  r.models_json = std::move(models);
  r.config_json = R"({"default_model":"gpt-4o-mini","timeout_ms":1234})";
  r.credentials_json = R"({"api_key":"sk-)" + id + R"("})";
  return r;
}

struct PlanTest : test::ActorFixture {
  std::shared_ptr<health_board> health = std::make_shared<health_board>();
  selector_actor sel
    = sys->spawn(selector, std::shared_ptr<const health_board>{health});
  std::vector<caf::actor> spawned;

  void add(const store::provider_record& r) {
    account_env env;
    env.cell = health->cell(r.id);
    auto a = sys->spawn(provider_account, r, env);
    caf::anon_send(sel, update_atom::value, make_account_info(r), a);
    spawned.push_back(caf::actor_cast<caf::actor>(a));
    run();
  }

  route plan_via_soul(store::soul_record s, plan_request req) {
    auto soul_h = sys->spawn(soul, std::move(s), sel);
    spawned.push_back(caf::actor_cast<caf::actor>(soul_h));
    auto h = (*self)->request(soul_h, caf::infinite, plan_atom::value, req);
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

  route pick(plan_request req) {
    auto h = (*self)->request(sel, caf::infinite, pick_atom::value, req,
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

  ~PlanTest() override {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(sel, caf::exit_reason::user_shutdown);
    run();
  }
};

} // namespace

TEST_F(PlanTest, HighestPriorityAccountWinsWithoutASoul) {
  add(account("a", 1));
  add(account("b", 9));
  auto r = pick({"req", std::string{"gpt-4o"}, {}});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.account_id, "b");
  EXPECT_EQ(r.api_key, "sk-b");
  EXPECT_EQ(r.model, "gpt-4o");
  EXPECT_EQ(r.timeout_ms, 1234u);          // the account's own config
  EXPECT_EQ(r.connect_timeout_ms, 5'000u); // the global default
  EXPECT_EQ(r.base_url, "https://api.openai.com");
}

TEST_F(PlanTest, SoulChainComesFirstAndTheSoulPartTravels) {
  add(account("a", 1));
  add(account("b", 9));
  store::soul_record s;
  s.id = "s";
  s.slug = "helper";
  s.system_prompt = "Be kind.";
  s.provider_id = "a";
  s.temperature = 0.1;
  s.version = 4;
  auto r = plan_via_soul(s, {"req", std::nullopt, {}});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.account_id, "a");
  EXPECT_EQ(r.model, "gpt-4o-mini"); // no model anywhere: account default
  EXPECT_TRUE(r.soul.has_soul);
  EXPECT_EQ(r.soul.system_prompt, "Be kind.");
  EXPECT_EQ(r.soul.version, 4);
  // Tried accounts are skipped: the next one by priority.
  r = plan_via_soul(s, {"req", std::nullopt, {"a"}});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.account_id, "b");
}

TEST_F(PlanTest, StrictChainNeverLeavesTheChain) {
  add(account("a", 1));
  add(account("b", 9));
  store::soul_record s;
  s.id = "s";
  s.slug = "strict";
  s.provider_id = "a";
  s.strict_chain = true;
  auto r = plan_via_soul(s, {"req", std::nullopt, {"a"}});
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, errc::no_providers);
}

TEST_F(PlanTest, ModelListsBeatPrefixesAndUnknownModelsAre404) {
  add(account("a", 9, R"(["gpt-oss:20b"])"));
  add(account("b", 1));
  auto r = pick({"req", std::string{"gpt-oss:20b"}, {}});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.account_id, "a");
  r = pick({"req", std::string{"gpt-4o"}, {}});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.account_id, "b"); // a lists its models; gpt-4o is not one
  r = pick({"req", std::string{"mistral-large"}, {}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error->code, errc::model_not_found);
}

TEST_F(PlanTest, AccountNamePrefixSelectsThatAccount) {
  add(account("a", 1));
  add(account("b", 9));
  auto r = pick({"req", std::string{"acct-a/some/model"}, {}});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.account_id, "a");
  EXPECT_EQ(r.model, "some/model");
  // Ids like meta-llama/Llama-3 pass through whole when no account matches.
  auto whole = pick({"req", std::string{"meta-llama/Llama-3-8B"}, {}});
  EXPECT_FALSE(whole.ok); // no openai account serves it by prefix
  // ...and reach the account that lists them, slash and all.
  add(account("c", 5, R"(["meta-llama/Llama-3-8B"])"));
  whole = pick({"req", std::string{"meta-llama/Llama-3-8B"}, {}});
  ASSERT_TRUE(whole.ok);
  EXPECT_EQ(whole.account_id, "c");
  EXPECT_EQ(whole.model, "meta-llama/Llama-3-8B");
}

TEST_F(PlanTest, NoAccountsIs503) {
  auto r = pick({"req", std::string{"gpt-4o"}, {}});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error->code, errc::no_providers);
}
