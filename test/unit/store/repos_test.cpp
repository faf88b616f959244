#include <gtest/gtest.h>

#include "store/api_keys_repo.hpp"
#include "store/credential_vault.hpp"
#include "store/migrations.hpp"
#include "store/providers_repo.hpp"
#include "store/souls_repo.hpp"
#include "store/statement.hpp"
#include "store/usage_repo.hpp"
#include "support/temp_dir.hpp"

using namespace oh;
using namespace oh::store;

namespace {

struct StoreFixture : ::testing::Test {
  test::temp_dir dir;
  database db{dir.file("oh.db")};
  void SetUp() override {
    ASSERT_TRUE(migrate(db, embedded_migrations()));
  }
};

provider_record sample_provider() {
  provider_record p;
  p.id = "p1";
  p.name = "OpenAI main";
  p.type = "openai";
  p.credentials_json = R"({"api_key":"sk-live-verysecret"})";
  p.created_at = p.updated_at = "2026-01-01T00:00:00.000Z";
  return p;
}

} // namespace

using CredentialVault = StoreFixture;
using Repositories = StoreFixture;

TEST_F(CredentialVault, StoresCiphertextAndReadsPlaintextBack) {
  auto vault = credential_vault::open(db, "my configured key");
  ASSERT_TRUE(vault);
  providers_repo repo{db, *vault};
  repo.insert(sample_provider());
  statement raw{db, "SELECT credentials FROM providers WHERE id = 'p1'"};
  ASSERT_TRUE(raw.step());
  EXPECT_TRUE(raw.text(0).starts_with("v2:"));
  EXPECT_EQ(raw.text(0).find("verysecret"), std::string::npos);
  auto back = repo.get("p1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->credentials_json, R"({"api_key":"sk-live-verysecret"})");
}

TEST_F(CredentialVault, ADifferentKeyIsRefusedAtStart) {
  ASSERT_TRUE(credential_vault::open(db, "the right key"));
  auto wrong = credential_vault::open(db, "another key");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("does not decrypt"), std::string::npos);
  EXPECT_TRUE(credential_vault::open(db, "the right key"));
}

TEST_F(CredentialVault, KeyStringIsUsedAsGivenNotHexDecoded) {
  // "00" and "0000" hex-decode differently but are distinct strings either
  // way; two hex strings that decode alike must still be different keys.
  ASSERT_TRUE(credential_vault::open(db, "abcd"));
  EXPECT_FALSE(credential_vault::open(db, "ABCD"));
}

TEST_F(Repositories, KeyAndBindingsRoundTrip) {
  auto vault = credential_vault::open(db, "k");
  ASSERT_TRUE(vault);
  souls_repo souls{db};
  soul_record s;
  s.id = "s1";
  s.name = "Helper";
  s.slug = "helper";
  s.fallback_chain = {"p1", "p2"};
  s.created_at = s.updated_at = "2026-01-01T00:00:00.000Z";
  souls.insert(s);
  EXPECT_EQ(souls.get_by_slug("helper")->fallback_chain,
            (std::vector<std::string>{"p1", "p2"}));
  api_keys_repo keys{db};
  api_key_record k;
  k.id = "k1";
  k.name = "ci";
  k.key_hash = std::string(64, 'a');
  k.key_prefix = "ohk_abcdefgh";
  k.soul_ids = {"s1"};
  k.created_at = k.updated_at = "2026-01-01T00:00:00.000Z";
  keys.insert(k);
  auto back = keys.get("k1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->soul_ids, std::vector<std::string>{"s1"});
  EXPECT_EQ(back->rate_limit_rpm, 60);
  // Deleting the soul removes the binding.
  souls.remove("s1");
  EXPECT_TRUE(keys.get("k1")->soul_ids.empty());
}

TEST_F(Repositories, DuplicateSlugIsAUniqueViolation) {
  souls_repo souls{db};
  soul_record s;
  s.id = "s1";
  s.name = "A";
  s.slug = "same";
  s.created_at = s.updated_at = "x";
  souls.insert(s);
  s.id = "s2";
  try {
    souls.insert(s);
    FAIL() << "expected a unique violation";
  } catch (const store_error& e) {
    EXPECT_TRUE(e.is_unique_violation());
  }
}

TEST_F(Repositories, UsageBatchRollsUpCostPerKeyDayAndLogsEveryRow) {
  auto row
    = [](std::string id, std::string key, std::string at, int64_t micros) {
        usage_row r;
        r.request_id = std::move(id);
        r.api_key_id = std::move(key);
        r.provider_id = "p1";
        r.created_at = std::move(at);
        r.tokens.input = 10;
        r.tokens.output = 5;
        r.cost_micros = micros;
        r.model = "gpt-4o";
        return r;
      };
  std::vector<usage_row> rows{row("a", "k1", "2026-01-01T10:00:00.000Z", 100),
                              row("b", "k1", "2026-01-01T11:00:00.000Z", 200),
                              row("c", "k1", "2026-01-02T09:00:00.000Z", 50),
                              row("d", "k2", "2026-01-01T12:00:00.000Z", 7)};
  usage_repo{db}.insert_batch(rows);
  usage_repo{db}.insert_batch({row("e", "k1", "2026-01-01T23:00:00.000Z", 1)});
  EXPECT_EQ(usage_repo{db}.count(), 5);
  statement st{db,
               "SELECT date, api_key_id, total_requests, total_input_tokens,"
               " total_cost_micros FROM cost_daily ORDER BY date,"
               " api_key_id"};
  std::vector<std::string> got;
  while (st.step())
    got.push_back(
      st.text(0) + " " + st.text(1) + " " + std::to_string(st.int64(2)) + " "
      + std::to_string(st.int64(3)) + " " + std::to_string(st.int64(4)));
  EXPECT_EQ(got, (std::vector<std::string>{"2026-01-01 k1 3 30 301",
                                           "2026-01-01 k2 1 10 7",
                                           "2026-01-02 k1 1 10 50"}));
}

TEST_F(Repositories, UsageBatchStoresEveryRowsOwnTextsAndIndexesThem) {
  // The writer binds each row's texts in place: every row must keep its own.
  std::vector<usage_row> rows;
  for (int i = 0; i < 3; ++i) {
    usage_row r;
    r.request_id = "req-" + std::to_string(i);
    r.created_at = "2026-01-0" + std::to_string(i + 1) + "T10:00:00.000Z";
    r.model_requested = "requested-model-" + std::to_string(i);
    if (i != 1)
      r.model = "upstream-model-" + std::to_string(i);
    r.error_message
      = i == 2 ? std::optional<std::string>{"boom"} : std::nullopt;
    r.key_name = "key-name-" + std::to_string(i);
    rows.push_back(std::move(r));
  }
  usage_repo{db}.insert_batch(rows);
  statement st{db, "SELECT request_id, created_at, model_requested, model,"
                   " error_message FROM usage_logs ORDER BY id"};
  std::vector<std::string> got;
  while (st.step())
    got.push_back(st.text(0) + "|" + st.text(1) + "|" + st.text(2) + "|"
                  + st.opt_text(3).value_or("null") + "|"
                  + st.opt_text(4).value_or("null"));
  EXPECT_EQ(got, (std::vector<std::string>{
                   "req-0|2026-01-01T10:00:00.000Z|requested-model-0|"
                   "upstream-model-0|null",
                   "req-1|2026-01-02T10:00:00.000Z|requested-model-1|null|null",
                   "req-2|2026-01-03T10:00:00.000Z|requested-model-2|"
                   "upstream-model-2|boom"}));
  // The search index names the requested model when the upstream named none.
  statement fts{db, "SELECT rowid FROM usage_logs_fts WHERE usage_logs_fts"
                    " MATCH ?1 ORDER BY rowid"};
  fts.bind(1, "\"requested-model-1\"");
  ASSERT_TRUE(fts.step());
  EXPECT_EQ(fts.int64(0), 2);
  fts.reset();
  fts.bind(1, "\"key-name-2\" AND boom");
  ASSERT_TRUE(fts.step());
  EXPECT_EQ(fts.int64(0), 3);
}
