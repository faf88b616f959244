// The token life of a subscription account inside its actor (SPEC §7,
// docs/subscriptions.md "Tokens"), on virtual time: owned tokens refreshed
// single-flight before their expiry and after a 401, refresh failures,
// static bearers, and borrowed CLI files re-read at most once a second and
// never refreshed by us when the CLI rotates its refresh token.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/provider_account.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "support/temp_dir.hpp"

using namespace oh;
using namespace oh::actors;
using namespace std::chrono_literals;

namespace {

using refresh_callback = std::function<void(token_refresh_result)>;

token_refresh_result refreshed_ok(std::string access, int64_t expires_in_s,
                                  std::string refresh = {}) {
  token_refresh_result r;
  r.ok = true;
  r.access_token = std::move(access);
  r.refresh_token = std::move(refresh);
  r.expires_in_s = expires_in_s;
  return r;
}

token_refresh_result refresh_failed(std::string error) {
  token_refresh_result r;
  r.ok = false;
  r.error = std::move(error);
  return r;
}

/// A Claude Code credentials file.
std::string claude_code_file(const std::string& access, int64_t expires_at_ms,
                             const std::string& refresh = "cc-refresh") {
  return R"({"claudeAiOauth":{"accessToken":")" + access
         + R"(","refreshToken":")" + refresh + R"(","expiresAt":)"
         + std::to_string(expires_at_ms) + R"(,"subscriptionType":"max"}})";
}

std::string b64(std::string_view text) {
  return crypto::base64url(reinterpret_cast<const uint8_t*>(text.data()),
                           text.size());
}

/// A Codex CLI auth.json whose access token is a JWT expiring at
/// `expires_at_ms`.
std::string codex_file(const std::string& tag, int64_t expires_at_ms) {
  auto access = b64(R"({"alg":"RS256"})") + "."
                + b64(R"({"exp":)" + std::to_string(expires_at_ms / 1000)
                      + R"(,"tag":")" + tag + R"("})")
                + ".sig";
  return R"({"auth_mode":"chatgpt","tokens":{"access_token":")" + access
         + R"(","refresh_token":"codex-refresh","account_id":"acc-1"}})";
}

struct SubscriptionAccountTest : test::ActorFixture {
  std::shared_ptr<health_board> board = std::make_shared<health_board>();
  provider_account_actor account;
  /// Every actor a helper spawned to talk to the account.
  std::vector<caf::actor> clients;
  /// What env.refresh was asked, in order, and the callbacks of the
  /// refreshes the test has not completed yet.
  std::vector<refresh_request> refresh_calls;
  std::vector<refresh_callback> pending_refreshes;

  SubscriptionAccountTest() {
    // Virtual time on a realistic epoch (it also serves as the account's
    // wall clock, env.wall_ms), so that an expiry in the past is still a
    // positive number of milliseconds.
    sched->clock().current_time = caf::actor_clock::time_point{
      std::chrono::milliseconds{1'760'000'000'000}};
  }

  ~SubscriptionAccountTest() override {
    // Clients first: a lease still parked in the account never gets an
    // answer, and its client must not outlive the test.
    for (auto& c : clients)
      caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    if (account)
      caf::anon_send_exit(account, caf::exit_reason::user_shutdown);
    run();
  }

  /// The virtual clock, in epoch milliseconds.
  int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             sched->clock().now().time_since_epoch())
      .count();
  }

  static store::provider_record claude_record(std::string auth_mode,
                                              std::string credentials) {
    store::provider_record r;
    r.id = "sub";
    r.name = "claude-sub";
    r.type = "claude";
    r.auth_mode = std::move(auth_mode);
    r.credentials_json = std::move(credentials);
    return r;
  }

  /// An owned token expiring at `expires_at_ms` (stored as the original
  /// did: milliseconds in a string).
  static store::provider_record owned(int64_t expires_at_ms,
                                      bool with_refresh_token = true) {
    std::string c = R"({"oauth_token":"old",)";
    if (with_refresh_token)
      c += R"("refresh_token":"r1",)";
    c += R"("expires_at":")" + std::to_string(expires_at_ms) + R"("})";
    return claude_record("oauth", c);
  }

  static store::provider_record borrowed(const std::string& path,
                                         const char* source = "claude_code",
                                         const char* type = "claude") {
    std::string c
      = R"({"source":")" + std::string{source} + R"(","source_path":)";
    json::append_quoted(c, path);
    auto r = claude_record("borrowed", c + "}");
    r.type = type;
    return r;
  }

  void start(store::provider_record r) {
    account_env env;
    env.cell = board->cell(r.id);
    // env.store unset: the persist step is skipped; env.upstream nullptr:
    // no probes. Token expiry is judged by wall-clock time: here the
    // virtual clock's.
    env.wall_ms = [this] {
      return now_ms();
    };
    env.refresh = [this](const refresh_request& req, refresh_callback done) {
      refresh_calls.push_back(req);
      pending_refreshes.push_back(std::move(done));
    };
    account = sys->spawn(provider_account, std::move(r), env);
    run();
  }

  /// Completes the one refresh under way as `r` says.
  void complete_refresh(token_refresh_result r) {
    ASSERT_EQ(pending_refreshes.size(), 1u) << "no single refresh under way";
    auto done = std::move(pending_refreshes.front());
    pending_refreshes.erase(pending_refreshes.begin());
    done(std::move(r)); // sends `refreshed` to the account
    run();
  }

  /// Sends `n` requests `xs...` to the account from a fresh actor; the
  /// answers arrive in the returned vector as the scheduler runs. A
  /// caf::error fails the test.
  template<class T, class... Ts>
  std::shared_ptr<std::vector<T>> send(int n, Ts... xs) {
    auto out = std::make_shared<std::vector<T>>();
    auto target = account;
    auto* system = sys.get();
    // An argument, because CAF 0.17 dereferences a null argument tuple for
    // a function actor without one (UBSan reports it).
    clients.push_back(sys->spawn(
      [=](caf::event_based_actor* me, int count) {
        for (int i = 0; i < count; ++i)
          me->request(target, caf::infinite, xs...)
            .then(
              [out](T& x) {
                out->push_back(std::move(x));
              },
              [system](caf::error& e) {
                ADD_FAILURE()
                  << "the account answered an error: " << system->render(e);
              });
      },
      n));
    return out;
  }

  std::shared_ptr<std::vector<route>> send_leases(int n) {
    return send<route>(n, lease_atom::value,
                       plan_request{"r", std::string{"claude-sonnet-4-5"}, {}},
                       soul_plan{});
  }

  std::shared_ptr<std::vector<route>> send_reauth(uint64_t generation) {
    return send<route>(1, reauth_atom::value,
                       plan_request{"r", std::string{"claude-sonnet-4-5"}, {}},
                       soul_plan{}, generation);
  }

  /// The one answer in `got`; fails the test when there is not exactly one.
  template<class T>
  T only(const std::shared_ptr<std::vector<T>>& got, const char* what) {
    if (got->size() != 1) {
      ADD_FAILURE() << "expected one answer to " << what << ", got "
                    << got->size();
      return T{};
    }
    return got->front();
  }

  /// A lease that must be answered at once (served or refused).
  route lease() {
    auto got = send_leases(1);
    run();
    return only(got, "a lease");
  }

  route reauth(uint64_t generation) {
    auto got = send_reauth(generation);
    run();
    return only(got, "a reauth");
  }

  /// The status_atom JSON, parsed.
  json::document status() {
    auto got = send<std::string>(1, status_atom::value);
    run();
    auto text = only(got, "status");
    auto doc = json::parse(text);
    if (!doc || !doc->IsObject()) {
      ADD_FAILURE() << "status is not a JSON object: " << text;
      json::document empty;
      empty.SetObject();
      return empty;
    }
    return std::move(*doc);
  }

  std::string health() {
    return json::get_string(status(), "health").value_or("<none>");
  }

  account_health_cell::text cell() {
    return board->find("sub")->read();
  }

  void outcome(outcome_report::verdict v) {
    caf::anon_send(account, outcome_atom::value, outcome_report{v, 0, ""});
    run();
  }

  static std::string message_of(const route& r) {
    return r.error ? r.error->message : std::string{"<no error>"};
  }
};

} // namespace

// -- owned tokens: single flight --

TEST_F(SubscriptionAccountTest, ConcurrentLeasesShareOneRefresh) {
  start(owned(now_ms() + 400'000)); // outside the 300 s margin yet
  auto first = lease();
  ASSERT_TRUE(first.ok) << message_of(first);
  EXPECT_EQ(first.access_token, "old");
  EXPECT_TRUE(refresh_calls.empty());
  auto before = first.token_generation;

  sched->advance_time(101s); // 299 s left: inside the margin
  auto waiting = send_leases(200);
  run();
  ASSERT_EQ(refresh_calls.size(), 1u);
  EXPECT_EQ(refresh_calls[0].type, "claude");
  EXPECT_EQ(refresh_calls[0].refresh_token, "r1");
  EXPECT_TRUE(waiting->empty()) << waiting->size() << " answered early";
  auto s = status();
  EXPECT_EQ(json::get_int64(s, "waiting_for_token", -1), 200);
  auto* refreshing = json::find(s, "refreshing");
  ASSERT_NE(refreshing, nullptr);
  EXPECT_TRUE(refreshing->IsBool() && refreshing->GetBool());

  complete_refresh(refreshed_ok("new", 3600, "r2"));
  ASSERT_EQ(waiting->size(), 200u);
  for (auto& r : *waiting) {
    ASSERT_TRUE(r.ok) << message_of(r);
    EXPECT_FALSE(r.skip);
    EXPECT_EQ(r.access_token, "new");
    EXPECT_GT(r.token_generation, before);
    EXPECT_EQ(r.token_generation, waiting->front().token_generation);
    EXPECT_EQ(r.account_id, "sub");
    EXPECT_EQ(r.model, "claude-sonnet-4-5");
  }
  EXPECT_EQ(refresh_calls.size(), 1u);
  s = status();
  EXPECT_EQ(json::get_int64(s, "waiting_for_token", -1), 0);
  refreshing = json::find(s, "refreshing");
  ASSERT_NE(refreshing, nullptr);
  EXPECT_TRUE(refreshing->IsBool() && !refreshing->GetBool());

  // Well before the new expiry: served at once, no second refresh.
  sched->advance_time(1000s);
  auto later = lease();
  ASSERT_TRUE(later.ok) << message_of(later);
  EXPECT_EQ(later.access_token, "new");
  EXPECT_EQ(later.token_generation, waiting->front().token_generation);
  EXPECT_EQ(refresh_calls.size(), 1u);

  // The next refresh spends the rotated refresh token.
  sched->advance_time(2400s); // 200 s left
  auto again = send_leases(1);
  run();
  EXPECT_TRUE(again->empty());
  ASSERT_EQ(refresh_calls.size(), 2u);
  EXPECT_EQ(refresh_calls[1].refresh_token, "r2");
  complete_refresh(refreshed_ok("newer", 3600));
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().access_token, "newer");
}

TEST_F(SubscriptionAccountTest, TheMarginIsExactly300Seconds) {
  start(owned(now_ms() + 300'001));
  auto served = lease();
  ASSERT_TRUE(served.ok) << message_of(served);
  EXPECT_EQ(served.access_token, "old");
  EXPECT_TRUE(refresh_calls.empty());
  sched->advance_time(1ms); // exactly 300 s left
  auto waiting = send_leases(1);
  run();
  EXPECT_EQ(refresh_calls.size(), 1u);
  EXPECT_TRUE(waiting->empty());
  complete_refresh(refreshed_ok("new", 3600));
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().access_token, "new");
}

TEST_F(SubscriptionAccountTest, AValidTokenIsServedAtOnce) {
  start(owned(now_ms() + 3'600'000));
  for (int i = 0; i < 5; ++i) {
    auto r = lease();
    ASSERT_TRUE(r.ok) << message_of(r);
    EXPECT_FALSE(r.skip);
    EXPECT_EQ(r.access_token, "old");
    EXPECT_TRUE(r.subscription);
    EXPECT_EQ(r.api_key, "");
    EXPECT_EQ(r.base_url, "https://api.anthropic.com");
    EXPECT_FALSE(r.metered);
  }
  EXPECT_TRUE(refresh_calls.empty());
  EXPECT_TRUE(pending_refreshes.empty());
}

// -- owned tokens: refresh failure --

TEST_F(SubscriptionAccountTest, AFailedRefreshServesTheOldTokenWhileValid) {
  start(owned(now_ms() + 200'000)); // inside the margin, valid for 200 s
  auto waiting = send_leases(3);
  run();
  ASSERT_EQ(refresh_calls.size(), 1u);
  EXPECT_TRUE(waiting->empty());
  complete_refresh(refresh_failed("invalid_grant: refresh token revoked"));
  ASSERT_EQ(waiting->size(), 3u);
  for (auto& r : *waiting) {
    ASSERT_TRUE(r.ok) << message_of(r);
    EXPECT_EQ(r.access_token, "old");
  }
  EXPECT_EQ(health(), "degraded");
  EXPECT_EQ(cell().status, "degraded");
  EXPECT_EQ(cell().last_error,
            "token refresh failed: invalid_grant: refresh token revoked");

  // Within refresh_retry_ms: served with the old token, no new refresh.
  sched->advance_time(29'999ms);
  auto cooling = lease();
  ASSERT_TRUE(cooling.ok) << message_of(cooling);
  EXPECT_EQ(cooling.access_token, "old");
  EXPECT_EQ(refresh_calls.size(), 1u);

  // Past it: the next lease refreshes again.
  sched->advance_time(2ms);
  auto retry = send_leases(1);
  run();
  ASSERT_EQ(refresh_calls.size(), 2u);
  EXPECT_EQ(refresh_calls[1].refresh_token, "r1");
  EXPECT_TRUE(retry->empty());
  complete_refresh(refreshed_ok("new", 3600));
  ASSERT_EQ(retry->size(), 1u);
  ASSERT_TRUE(retry->front().ok) << message_of(retry->front());
  EXPECT_EQ(retry->front().access_token, "new");
  EXPECT_NE(health(), "degraded");
  outcome(outcome_report::verdict::success);
  EXPECT_EQ(health(), "healthy");
  EXPECT_EQ(cell().status, "healthy");
}

TEST_F(SubscriptionAccountTest, AFailedRefreshRefusesOnceTheTokenExpired) {
  start(owned(now_ms() - 1'000)); // expired already
  auto waiting = send_leases(3);
  run();
  ASSERT_EQ(refresh_calls.size(), 1u);
  EXPECT_TRUE(waiting->empty());
  complete_refresh(refresh_failed("invalid_grant"));
  ASSERT_EQ(waiting->size(), 3u);
  for (auto& r : *waiting) {
    EXPECT_FALSE(r.ok);
    EXPECT_TRUE(r.skip);
    EXPECT_EQ(r.access_token, "");
    EXPECT_EQ(r.account_id, "sub");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code, errc::no_providers);
    EXPECT_EQ(r.error->message, "claude-sub: the access token expired and its "
                                "refresh failed: invalid_grant");
  }
  EXPECT_EQ(health(), "down");
  EXPECT_EQ(cell().status, "down");
  EXPECT_EQ(cell().last_error, "token refresh failed: invalid_grant");

  // Within refresh_retry_ms: refused at once, no new refresh.
  sched->advance_time(10s);
  auto cooling = lease();
  EXPECT_FALSE(cooling.ok);
  EXPECT_TRUE(cooling.skip);
  EXPECT_EQ(message_of(cooling), "claude-sub: the access token expired and "
                                 "its refresh failed: invalid_grant");
  EXPECT_EQ(refresh_calls.size(), 1u);

  sched->advance_time(20'001ms);
  auto retry = send_leases(1);
  run();
  ASSERT_EQ(refresh_calls.size(), 2u);
  EXPECT_TRUE(retry->empty());
  complete_refresh(refreshed_ok("new", 3600, "r2"));
  ASSERT_EQ(retry->size(), 1u);
  ASSERT_TRUE(retry->front().ok) << message_of(retry->front());
  EXPECT_EQ(retry->front().access_token, "new");
  EXPECT_NE(health(), "down");
  outcome(outcome_report::verdict::success);
  EXPECT_EQ(health(), "healthy");
}

TEST_F(SubscriptionAccountTest, WithoutARefreshTokenItIsAStaticBearer) {
  start(owned(now_ms() + 100'000, false));
  // Inside the margin but valid: served, nothing to refresh with.
  auto served = lease();
  ASSERT_TRUE(served.ok) << message_of(served);
  EXPECT_EQ(served.access_token, "old");

  sched->advance_time(100s); // expired
  auto refused = lease();
  EXPECT_FALSE(refused.ok);
  EXPECT_TRUE(refused.skip);
  EXPECT_EQ(refused.access_token, "");
  EXPECT_EQ(message_of(refused), "claude-sub: the access token expired and "
                                 "the account has no refresh token");
  EXPECT_EQ(health(), "degraded"); // SPEC §7: degraded at its expiry
  EXPECT_EQ(cell().last_error,
            "the access token expired and the account has no refresh token");

  auto after_401 = reauth(served.token_generation);
  EXPECT_FALSE(after_401.ok);
  EXPECT_EQ(after_401.access_token, "");
  EXPECT_EQ(message_of(after_401),
            "claude-sub: the provider refused the token and it cannot be "
            "refreshed here");
  EXPECT_TRUE(refresh_calls.empty());
  EXPECT_TRUE(pending_refreshes.empty());
}

// -- a 401 --

TEST_F(SubscriptionAccountTest,
       AReauthRefreshesOnceAndLaterOnesTakeTheNewToken) {
  start(owned(now_ms() + 3'600'000));
  auto leased = lease();
  ASSERT_TRUE(leased.ok) << message_of(leased);
  EXPECT_EQ(leased.access_token, "old");
  auto g = leased.token_generation;

  auto first = send_reauth(g);
  run();
  ASSERT_EQ(refresh_calls.size(), 1u);
  EXPECT_EQ(refresh_calls[0].refresh_token, "r1");
  EXPECT_TRUE(first->empty());
  complete_refresh(refreshed_ok("new", 3600, "r2"));
  auto renewed = only(first, "the first reauth");
  ASSERT_TRUE(renewed.ok) << message_of(renewed);
  EXPECT_EQ(renewed.access_token, "new");
  EXPECT_GT(renewed.token_generation, g);

  // Another request that held the old token: the refresh since counts.
  auto second = reauth(g);
  ASSERT_TRUE(second.ok) << message_of(second);
  EXPECT_EQ(second.access_token, "new");
  EXPECT_EQ(second.token_generation, renewed.token_generation);
  EXPECT_EQ(refresh_calls.size(), 1u);

  auto plain = lease();
  ASSERT_TRUE(plain.ok) << message_of(plain);
  EXPECT_EQ(plain.access_token, "new");
  EXPECT_EQ(refresh_calls.size(), 1u);
}

TEST_F(SubscriptionAccountTest, ConcurrentReauthsShareOneRefresh) {
  start(owned(now_ms() + 3'600'000));
  auto g = lease().token_generation;
  auto a = send_reauth(g);
  auto b = send_reauth(g);
  auto c = send_leases(2); // ordinary leases meanwhile wait too
  run();
  EXPECT_EQ(refresh_calls.size(), 1u);
  EXPECT_TRUE(a->empty());
  EXPECT_TRUE(b->empty());
  EXPECT_TRUE(c->empty()); // after a 401 the token is not lent again
  complete_refresh(refreshed_ok("new", 3600));
  for (auto* got : {&a, &b}) {
    auto r = only(*got, "a reauth");
    ASSERT_TRUE(r.ok) << message_of(r);
    EXPECT_EQ(r.access_token, "new");
  }
  EXPECT_EQ(refresh_calls.size(), 1u);
  ASSERT_EQ(c->size(), 2u);
  for (auto& r : *c) {
    ASSERT_TRUE(r.ok) << message_of(r);
    EXPECT_EQ(r.access_token, "new");
  }
}

TEST_F(SubscriptionAccountTest,
       AReauthWhoseRefreshFailsIsNotGivenTheRefusedToken) {
  start(owned(now_ms() + 3'600'000));
  auto leased = lease();
  ASSERT_TRUE(leased.ok) << message_of(leased);
  auto got = send_reauth(leased.token_generation);
  run();
  ASSERT_EQ(refresh_calls.size(), 1u);
  complete_refresh(refresh_failed("invalid_grant"));
  // The upstream just refused that token: it is not handed out again.
  auto r = only(got, "the reauth");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.access_token, "");
  EXPECT_EQ(message_of(r), "claude-sub: the provider refused the token and "
                           "its refresh failed: invalid_grant");
  EXPECT_EQ(refresh_calls.size(), 1u);
  // The old lease stays counted until the request reports its outcome.
  EXPECT_EQ(json::get_int64(status(), "in_flight", -1), 1);
  outcome(outcome_report::verdict::failure);
  EXPECT_EQ(json::get_int64(status(), "in_flight", -1), 0);
  EXPECT_EQ(board->find("sub")->in_flight.load(), 0);
}

// -- borrowed CLI tokens --

TEST_F(SubscriptionAccountTest, BorrowedFileIsReReadAtMostOnceASecond) {
  test::temp_dir dir;
  auto path = dir.file(".credentials.json");
  test::write_file(path, claude_code_file("cc-1", now_ms() + 3'600'000));
  start(borrowed(path));
  auto a = lease();
  ASSERT_TRUE(a.ok) << message_of(a);
  EXPECT_EQ(a.access_token, "cc-1");

  // Claude Code writes a new token (another size, so the change is seen
  // even on a file system with coarse mtimes).
  test::write_file(path, claude_code_file("cc-2-longer", now_ms() + 7'200'000));
  auto b = lease(); // the same instant: not stat-ed again
  ASSERT_TRUE(b.ok) << message_of(b);
  EXPECT_EQ(b.access_token, "cc-1");
  EXPECT_EQ(b.token_generation, a.token_generation);

  sched->advance_time(999ms);
  auto c = lease();
  ASSERT_TRUE(c.ok) << message_of(c);
  EXPECT_EQ(c.access_token, "cc-1");

  sched->advance_time(1ms);
  auto d = lease();
  ASSERT_TRUE(d.ok) << message_of(d);
  EXPECT_EQ(d.access_token, "cc-2-longer");
  EXPECT_GT(d.token_generation, a.token_generation);
  EXPECT_TRUE(refresh_calls.empty());
}

TEST_F(SubscriptionAccountTest,
       BorrowedTokenNearItsExpiryIsServedNotRefreshed) {
  test::temp_dir dir;
  auto path = dir.file(".credentials.json");
  test::write_file(path, claude_code_file("cc-1", now_ms() + 60'000));
  start(borrowed(path));
  auto a = lease();
  ASSERT_TRUE(a.ok) << message_of(a);
  EXPECT_EQ(a.access_token, "cc-1");
  EXPECT_TRUE(refresh_calls.empty());
}

TEST_F(SubscriptionAccountTest, AnExpiredBorrowedTokenWaitsForClaudeCode) {
  test::temp_dir dir;
  auto path = dir.file(".credentials.json");
  test::write_file(path, claude_code_file("cc-old", now_ms() - 1'000));
  start(borrowed(path));
  auto refused = lease();
  EXPECT_FALSE(refused.ok);
  EXPECT_TRUE(refused.skip);
  EXPECT_EQ(refused.access_token, "");
  EXPECT_EQ(message_of(refused),
            "claude-sub: waiting for Claude Code to refresh its token");
  EXPECT_EQ(health(), "degraded");
  EXPECT_EQ(cell().last_error, "waiting for Claude Code to refresh its token");

  // A 401 does not make us spend Claude Code's refresh token either.
  auto after_401 = reauth(refused.token_generation);
  EXPECT_FALSE(after_401.ok);
  EXPECT_EQ(after_401.access_token, "");
  sched->advance_time(5s);
  EXPECT_FALSE(lease().ok);
  EXPECT_TRUE(refresh_calls.empty());
  EXPECT_TRUE(pending_refreshes.empty());

  // Claude Code refreshed: the new token is read and served.
  test::write_file(path, claude_code_file("cc-fresh", now_ms() + 3'600'000));
  sched->advance_time(1s);
  auto served = lease();
  ASSERT_TRUE(served.ok) << message_of(served);
  EXPECT_EQ(served.access_token, "cc-fresh");
  EXPECT_NE(health(), "degraded");
  EXPECT_TRUE(refresh_calls.empty());
}

TEST_F(SubscriptionAccountTest, AMissingBorrowedFileIsRefusedNamingIt) {
  test::temp_dir dir;
  auto path = dir.file("absent.json");
  start(borrowed(path));
  auto refused = lease();
  EXPECT_FALSE(refused.ok);
  EXPECT_TRUE(refused.skip);
  EXPECT_EQ(message_of(refused),
            "claude-sub: Claude Code credentials file " + path + " is missing");
  EXPECT_EQ(health(), "down");
  EXPECT_TRUE(refresh_calls.empty());

  // It appears: read at the next check.
  test::write_file(path, claude_code_file("cc-1", now_ms() + 3'600'000));
  sched->advance_time(1s);
  auto served = lease();
  ASSERT_TRUE(served.ok) << message_of(served);
  EXPECT_EQ(served.access_token, "cc-1");
}

TEST_F(SubscriptionAccountTest,
       AMalformedBorrowedFileIsRefusedWithoutItsValues) {
  test::temp_dir dir;
  auto path = dir.file(".credentials.json");
  test::write_file(path, R"({"claudeAiOauth":{"refreshToken":"cc-SECRET"}})");
  start(borrowed(path));
  auto refused = lease();
  EXPECT_FALSE(refused.ok);
  EXPECT_TRUE(refused.skip);
  EXPECT_EQ(message_of(refused), "claude-sub: Claude Code credentials file "
                                   + path
                                   + ": claudeAiOauth.accessToken is missing");
  EXPECT_EQ(message_of(refused).find("SECRET"), std::string::npos);
  EXPECT_TRUE(refresh_calls.empty());
}

TEST_F(SubscriptionAccountTest, AnAdminUpdateKeepsTheBorrowedToken) {
  test::temp_dir dir;
  auto path = dir.file(".credentials.json");
  test::write_file(path, claude_code_file("cc-1", now_ms() + 3'600'000));
  auto record = borrowed(path);
  start(record);
  auto a = lease();
  ASSERT_TRUE(a.ok) << message_of(a);
  ASSERT_EQ(a.access_token, "cc-1");

  // The admin renames the account (same source file).
  record.name = "claude-renamed";
  record.priority = 7;
  caf::anon_send(account, update_atom::value, record);
  run();
  auto b = lease();
  ASSERT_TRUE(b.ok) << message_of(b);
  EXPECT_EQ(b.account_name, "claude-renamed");
  // The record holds no token of its own: the file's stays.
  EXPECT_EQ(b.access_token, "cc-1");
  EXPECT_EQ(b.token_generation, a.token_generation);
}

TEST_F(SubscriptionAccountTest, AnExpiredCodexTokenWaitsForTheCodexCli) {
  test::temp_dir dir;
  auto path = dir.file("auth.json");
  test::write_file(path, codex_file("old", now_ms() - 60'000));
  start(borrowed(path, "codex", "openai"));
  auto refused = lease();
  EXPECT_FALSE(refused.ok);
  EXPECT_TRUE(refused.skip);
  EXPECT_EQ(message_of(refused),
            "claude-sub: waiting for Codex CLI to refresh its token");
  EXPECT_FALSE(reauth(refused.token_generation).ok);
  EXPECT_TRUE(refresh_calls.empty());

  test::write_file(path, codex_file("fresh-one", now_ms() + 3'600'000));
  sched->advance_time(1s);
  auto served = lease();
  ASSERT_TRUE(served.ok) << message_of(served);
  EXPECT_EQ(served.chatgpt_account_id, "acc-1");
  EXPECT_NE(served.access_token.find('.'), std::string::npos);
  EXPECT_EQ(served.base_url, "https://chatgpt.com/backend-api/codex");
  EXPECT_TRUE(refresh_calls.empty());
}

TEST_F(SubscriptionAccountTest, GcloudAdcIsRefreshedInMemoryAndTheFileKept) {
  test::temp_dir dir;
  auto path = dir.file("application_default_credentials.json");
  const std::string adc
    = R"({"type":"authorized_user","client_id":"cid","client_secret":"cs",)"
      R"("refresh_token":"1//adc","quota_project_id":"proj"})";
  test::write_file(path, adc);
  start(borrowed(path, "gcloud_adc", "gemini"));
  // The file holds no access token: the first lease waits for a refresh
  // from its (non-rotating) refresh token.
  auto waiting = send_leases(2);
  run();
  ASSERT_EQ(refresh_calls.size(), 1u);
  EXPECT_TRUE(waiting->empty());
  EXPECT_EQ(refresh_calls[0].type, "gemini");
  EXPECT_EQ(refresh_calls[0].refresh_token, "1//adc");
  EXPECT_EQ(refresh_calls[0].client_id, "cid");
  EXPECT_EQ(refresh_calls[0].client_secret, "cs");
  complete_refresh(refreshed_ok("ya29.new", 3600));
  ASSERT_EQ(waiting->size(), 2u);
  for (auto& r : *waiting) {
    ASSERT_TRUE(r.ok) << message_of(r);
    EXPECT_EQ(r.access_token, "ya29.new");
    EXPECT_EQ(r.project_id, "proj");
  }
  EXPECT_EQ(test::read_file(path), adc); // never written

  // The unchanged file does not discard the token refreshed from it.
  sched->advance_time(2s);
  auto later = lease();
  ASSERT_TRUE(later.ok) << message_of(later);
  EXPECT_EQ(later.access_token, "ya29.new");
  EXPECT_EQ(refresh_calls.size(), 1u);
}

TEST_F(SubscriptionAccountTest, TheSelectorSeesTheLeaseARefusedReauthKeeps) {
  start(owned(now_ms() + 3'600'000));
  auto leased = lease();
  ASSERT_TRUE(leased.ok) << message_of(leased);
  ASSERT_EQ(board->find("sub")->in_flight.load(), 1);
  auto got = send_reauth(leased.token_generation);
  run();
  complete_refresh(refresh_failed("invalid_grant"));
  ASSERT_EQ(got->size(), 1u);
  ASSERT_FALSE(got->front().ok);
  // The actor still counts the old lease; the health cell (what the
  // selector reads) must say the same.
  ASSERT_EQ(json::get_int64(status(), "in_flight", -1), 1);
  EXPECT_EQ(board->find("sub")->in_flight.load(), 1);
}
