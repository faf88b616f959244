// The original-install fixture (test/support/original_install.*) checked
// against the reference's formats with code of its own: its own SQLite reads,
// its own scrypt and AES-GCM, so a mistake in the writer cannot hide behind
// the same mistake in a reader.

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/password.hpp"
#include "support/original_install.hpp"
#include "support/temp_dir.hpp"

using namespace oh;

namespace {

/// Node's scryptSync defaults: N=16384, r=8, p=1.
crypto::bytes node_scrypt(std::string_view secret, const uint8_t* salt,
                          size_t salt_len, size_t length) {
  crypto::bytes out(length);
  EXPECT_EQ(EVP_PBE_scrypt(secret.data(), secret.size(), salt, salt_len, 16384,
                           8, 1, 64 * 1024 * 1024, out.data(), out.size()),
            1);
  return out;
}

crypto::bytes unhex(std::string_view hex) {
  auto b = crypto::from_hex(hex);
  EXPECT_TRUE(b) << hex;
  return b ? *b : crypto::bytes{};
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    auto at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string::npos)
      return out;
    start = at + 1;
  }
}

/// The original's decrypt(): salt:iv:tag:ciphertext, AES-256-GCM, 16-byte
/// IV, key = scrypt(passphrase, salt bytes, 32). nullopt when the tag fails.
std::optional<std::string> original_decrypt(const std::string& stored,
                                            const std::string& passphrase) {
  auto parts = split(stored, ':');
  if (parts.size() != 4)
    return std::nullopt;
  auto salt = unhex(parts[0]);
  auto iv = unhex(parts[1]);
  auto tag = unhex(parts[2]);
  auto ct = unhex(parts[3]);
  EXPECT_EQ(salt.size(), 16u);
  EXPECT_EQ(iv.size(), 16u);
  EXPECT_EQ(tag.size(), 16u);
  auto key = node_scrypt(passphrase, salt.data(), salt.size(), 32);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{
    EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  std::string out(ct.size() + 16, '\0');
  int len = 0;
  int total = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr)
        != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 16, nullptr)
           != 1
      || EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data())
           != 1
      || EVP_DecryptUpdate(ctx.get(), o, &len, ct.data(),
                           static_cast<int>(ct.size()))
           != 1)
    return std::nullopt;
  total = len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) != 1
      || EVP_DecryptFinal_ex(ctx.get(), o + total, &len) != 1)
    return std::nullopt;
  out.resize(static_cast<size_t>(total + len));
  return out;
}

/// A read-only connection and one-shot queries.
class reader {
public:
  explicit reader(const std::string& path) {
    rc_ = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
  }
  ~reader() {
    sqlite3_close(db_);
  }
  int open_rc() const {
    return rc_;
  }
  /// Every row, every column as text ("NULL" for NULL).
  std::vector<std::vector<std::string>>
  rows(const std::string& sql, const std::vector<std::string>& args = {}) {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* raw = nullptr;
    last_rc_ = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
    if (last_rc_ != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_) << " in " << sql;
      return out;
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st{
      raw, &sqlite3_finalize};
    for (size_t i = 0; i < args.size(); ++i)
      sqlite3_bind_text(raw, static_cast<int>(i + 1), args[i].c_str(), -1,
                        SQLITE_TRANSIENT);
    while ((last_rc_ = sqlite3_step(raw)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(raw); ++c) {
        auto* text = sqlite3_column_text(raw, c);
        row.push_back(sqlite3_column_type(raw, c) == SQLITE_NULL
                        ? "NULL"
                        : reinterpret_cast<const char*>(text));
      }
      out.push_back(std::move(row));
    }
    EXPECT_EQ(last_rc_, SQLITE_DONE) << sqlite3_errmsg(db_) << " in " << sql;
    return out;
  }
  std::string one(const std::string& sql,
                  const std::vector<std::string>& args = {}) {
    auto r = rows(sql, args);
    return r.empty() || r[0].empty() ? "<none>" : r[0][0];
  }

private:
  sqlite3* db_ = nullptr;
  int rc_ = SQLITE_OK;
  int last_rc_ = SQLITE_OK;
};

class OriginalInstall : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = new test::temp_dir;
    inst_ = new test::original_install{
      test::make_original_install(dir_->path(), spec_)};
  }
  static void TearDownTestSuite() {
    delete inst_;
    delete dir_;
  }
  static inline test::original_install_spec spec_{};
  static inline test::temp_dir* dir_ = nullptr;
  static inline test::original_install* inst_ = nullptr;
};

} // namespace

TEST_F(OriginalInstall, DatabaseHasEveryTableAndTheMigrationRecord) {
  const auto& inst = *inst_;
  EXPECT_EQ(inst.db_path, dir_->path() + "/data/openhinge.db");
  EXPECT_EQ(inst.config_path, dir_->path() + "/config/openhinge.json");
  reader db{inst.db_path};
  ASSERT_EQ(db.open_rc(), SQLITE_OK);
  EXPECT_EQ(db.one("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(db.one("PRAGMA journal_mode"), "wal");
  std::set<std::string> tables;
  for (auto& r : db.rows("SELECT name FROM sqlite_master WHERE type='table'"))
    tables.insert(r[0]);
  for (auto t : {"_migrations", "providers", "souls", "api_keys",
                 "api_key_souls", "usage_logs", "cost_daily", "budgets",
                 "tasks", "cron_jobs", "webhooks", "webhook_logs", "settings"})
    EXPECT_TRUE(tables.count(t)) << t;
  std::set<std::string> indexes;
  for (auto& r : db.rows("SELECT name FROM sqlite_master WHERE type='index' "
                         "AND name NOT LIKE 'sqlite_autoindex%'"))
    indexes.insert(r[0]);
  EXPECT_EQ(indexes,
            (std::set<std::string>{"idx_usage_created", "idx_usage_key",
                                   "idx_usage_soul", "idx_usage_provider",
                                   "idx_cost_date", "idx_tasks_poll"}));
  auto names = db.rows("SELECT name FROM _migrations ORDER BY id");
  ASSERT_EQ(names.size(), 11u);
  EXPECT_EQ(names.front()[0], "001_providers.sql");
  EXPECT_EQ(names[9][0], "010_api_key_souls.sql");
  EXPECT_EQ(names.back()[0], "011_api_key_format.sql");
  // 011 added api_format as the last column of api_keys.
  auto cols = db.rows("PRAGMA table_info(api_keys)");
  EXPECT_EQ(cols.size(), 14u);
  EXPECT_EQ(cols.back()[1], "api_format");
  EXPECT_TRUE(db.rows("PRAGMA foreign_key_check").empty());
  // Timestamps in datetime('now') form.
  for (auto& r : db.rows("SELECT created_at FROM providers UNION ALL "
                         "SELECT created_at FROM usage_logs UNION ALL "
                         "SELECT applied_at FROM _migrations"))
    EXPECT_TRUE(r[0].size() == 19 && r[0][10] == ' ' && r[0][4] == '-') << r[0];
  EXPECT_EQ(db.one("SELECT value FROM settings WHERE key='general'"),
            R"({"name":"OpenHinge","timezone":"UTC","daily_budget_cents":0})");
  EXPECT_EQ(db.one("SELECT value FROM settings WHERE key='cloudflare'"),
            R"({"enabled":false,"api_token":"","account_id":"",)"
            R"("tunnel_id":"","zone_id":"","domain":""})");
}

TEST_F(OriginalInstall, ProviderCredentialsDecryptWithTheOriginalsScheme) {
  const auto& inst = *inst_;
  reader db{inst.db_path};
  auto rows = db.rows("SELECT id, name, type, credentials, is_enabled "
                      "FROM providers ORDER BY created_at");
  ASSERT_EQ(rows.size(), 9u);
  ASSERT_EQ(inst.provider_ids.size(), 9u);
  for (auto& r : rows) {
    SCOPED_TRACE(r[1]);
    EXPECT_EQ(inst.provider_ids.at(r[1]), r[0]);
    EXPECT_EQ(r[0].size(), 16u);
    const auto& want = inst.provider_credentials.at(r[1]);
    if (r[1] == "Claude (plain JSON)") {
      EXPECT_EQ(r[3], want); // stored as plain JSON, as the original accepted
      continue;
    }
    auto plain = original_decrypt(r[3], spec_.encryption_key);
    ASSERT_TRUE(plain);
    EXPECT_EQ(*plain, want);
    ASSERT_TRUE(json::parse(*plain));
  }
  // What the credentials of each kind look like (§2, §3).
  auto creds = [&](const std::string& name) {
    return original_decrypt(
             db.one("SELECT credentials FROM providers WHERE name=?", {name}),
             spec_.encryption_key)
      .value_or("");
  };
  auto claude = json::parse(creds("Claude (max)"));
  ASSERT_TRUE(claude);
  EXPECT_TRUE(
    json::get_string(*claude, "oauth_token")->starts_with("sk-ant-oat01-"));
  EXPECT_TRUE(
    json::get_string(*claude, "refresh_token")->starts_with("sk-ant-ort01-"));
  EXPECT_EQ(json::get_string(*claude, "source"), "claude_code");
  EXPECT_EQ(json::get_string(*claude, "client_id"),
            "9d1c250a-e61b-44d9-88ed-5944d1962f5e");
  EXPECT_GT(std::stoll(*json::get_string(*claude, "expires_at")),
            1'700'000'000'000LL); // milliseconds, as a string
  auto chatgpt = json::parse(creds("OpenAI (ChatGPT)"));
  ASSERT_TRUE(chatgpt);
  EXPECT_EQ(json::get_string(*chatgpt, "account_id"), "acct_orig");
  EXPECT_EQ(json::get_string(*chatgpt, "client_id"),
            "app_EMoamEEZ73f0CkXaXp7hrann");
  auto gemini = json::parse(creds("Google Gemini"));
  ASSERT_TRUE(gemini);
  auto inner = json::parse(*json::get_string(*gemini, "oauth_token"));
  ASSERT_TRUE(inner);
  EXPECT_TRUE(json::get_string(*inner, "token")->starts_with("ya29."));
  EXPECT_EQ(json::get_string(*inner, "projectId"),
            "gen-lang-client-0123456789");
  EXPECT_EQ(creds("Ollama (local)"), "{}");
  EXPECT_EQ(db.one("SELECT base_url FROM providers WHERE type='ollama'"),
            "http://127.0.0.1:11434");
  EXPECT_EQ(db.one("SELECT name FROM providers WHERE is_enabled=0"),
            "OpenAI (old key)");
  // A wrong passphrase fails the tag.
  EXPECT_FALSE(original_decrypt(
    db.one("SELECT credentials FROM providers WHERE name='OpenAI API'"),
    "some-other-key-entirely-0123456789"));
}

TEST_F(OriginalInstall, KeysAreHashedWithScryptAndCarryTheirSettings) {
  const auto& inst = *inst_;
  reader db{inst.db_path};
  ASSERT_EQ(inst.keys.size(), 8u);
  for (const auto& [name, raw] : inst.keys) {
    SCOPED_TRACE(name);
    ASSERT_EQ(raw.size(), 47u);
    EXPECT_TRUE(raw.starts_with("ohk_"));
    EXPECT_EQ(raw.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                    "opqrstuvwxyz0123456789-_",
                                    4),
              std::string::npos);
    auto row = db.rows("SELECT key_hash, key_prefix, id FROM api_keys "
                       "WHERE name=?",
                       {name});
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][1], raw.substr(0, 12));
    EXPECT_EQ(row[0][2], inst.key_ids.at(name));
    auto parts = split(row[0][0], ':');
    ASSERT_EQ(parts.size(), 2u);
    ASSERT_EQ(parts[0].size(), 32u);
    ASSERT_EQ(parts[1].size(), 128u);
    auto salt = unhex(parts[0]);
    EXPECT_EQ(crypto::to_hex(node_scrypt(raw, salt.data(), salt.size(), 64)),
              parts[1]);
    if (name == "plain") {
      auto wrong = raw;
      wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
      EXPECT_NE(
        crypto::to_hex(node_scrypt(wrong, salt.data(), salt.size(), 64)),
        parts[1]);
    }
  }
  auto field = [&](const std::string& col, const std::string& key) {
    return db.one("SELECT " + col + " FROM api_keys WHERE name=?", {key});
  };
  EXPECT_EQ(field("is_enabled", "revoked"), "0");
  EXPECT_EQ(field("expires_at", "expired"), "2024-01-01 00:00:00");
  EXPECT_EQ(field("expires_at", "weird_expiry"), "not a date");
  EXPECT_EQ(field("daily_budget_cents", "budgeted"), "500");
  EXPECT_EQ(field("monthly_budget_cents", "budgeted"), "5000");
  EXPECT_EQ(field("rate_limit_rpm", "budgeted"), "30");
  EXPECT_EQ(field("soul_id", "legacy"), inst.soul_ids.at("translator"));
  EXPECT_EQ(field("soul_id", "bound"), "NULL");
  EXPECT_EQ(db.one("SELECT soul_id FROM api_key_souls WHERE api_key_id=?",
                   {inst.key_ids.at("bound")}),
            inst.soul_ids.at("support-bot"));
  EXPECT_EQ(db.one("SELECT COUNT(*) FROM api_key_souls"), "1");
  std::set<std::string> formats;
  for (auto& r : db.rows("SELECT DISTINCT api_format FROM api_keys"))
    formats.insert(r[0]);
  EXPECT_EQ(formats,
            (std::set<std::string>{"anthropic", "openai", "openclaw"}));
  EXPECT_NE(field("last_used_at", "plain"), "NULL");
  EXPECT_EQ(field("last_used_at", "expired"), "NULL");
}

TEST_F(OriginalInstall, SoulsAndHistoryLookLikeTheOriginalWroteThem) {
  const auto& inst = *inst_;
  reader db{inst.db_path};
  ASSERT_EQ(inst.soul_ids.size(), 3u);
  EXPECT_EQ(db.one("SELECT provider_id FROM souls WHERE slug='support-bot'"),
            inst.provider_ids.at("Claude API"));
  EXPECT_EQ(db.one("SELECT fallback_chain FROM souls WHERE slug='support-bot'"),
            "[\"" + inst.provider_ids.at("OpenAI API") + "\",\""
              + inst.provider_ids.at("Gemini API") + "\"]");
  auto schema
    = db.one("SELECT response_schema FROM souls WHERE slug='json-extractor'");
  EXPECT_TRUE(json::parse(schema)) << schema;
  EXPECT_EQ(db.one("SELECT temperature FROM souls WHERE slug='json-extractor'"),
            "0.0");

  EXPECT_EQ(inst.usage_rows, 50u);
  EXPECT_EQ(db.one("SELECT COUNT(*) FROM usage_logs"), "50");
  EXPECT_EQ(db.one("SELECT COUNT(DISTINCT substr(created_at,1,10)) "
                   "FROM usage_logs"),
            "5");
  EXPECT_NE(db.one("SELECT COUNT(*) FROM usage_logs WHERE soul_id='none'"),
            "0");
  EXPECT_EQ(db.one("SELECT COUNT(*) FROM usage_logs WHERE provider_id='none' "
                   "AND status='error' AND error_message IS NOT NULL"),
            "10");
  EXPECT_EQ(db.one("SELECT COUNT(*) FROM usage_logs WHERE provider_id='' "
                   "AND model='' AND status='success'"),
            "5");
  EXPECT_NE(db.one("SELECT COUNT(*) FROM usage_logs WHERE model='unknown'"),
            "0");
  EXPECT_EQ(db.one("SELECT COUNT(*) FROM usage_logs WHERE api_key_id=?",
                   {inst.deleted_key_id}),
            "2");
  EXPECT_NE(db.one("SELECT SUM(cost_cents) FROM usage_logs"), "0.0");
  // cost_daily is the exact aggregate of the log.
  EXPECT_EQ(inst.cost_daily_rows,
            std::stoul(db.one("SELECT COUNT(*) FROM cost_daily")));
  EXPECT_EQ(db.one("SELECT COUNT(*) FROM ("
                   "SELECT substr(created_at,1,10) d, api_key_id, soul_id, "
                   "provider_id, COUNT(*) n, SUM(input_tokens) i, "
                   "SUM(output_tokens) o, SUM(cost_cents) c FROM usage_logs "
                   "GROUP BY 1,2,3,4) u JOIN cost_daily c ON c.date=u.d AND "
                   "c.api_key_id=u.api_key_id AND c.soul_id=u.soul_id AND "
                   "c.provider_id=u.provider_id AND c.total_requests=u.n AND "
                   "c.total_input_tokens=u.i AND c.total_output_tokens=u.o "
                   "AND abs(c.total_cost_cents-u.c) < 1e-9"),
            std::to_string(inst.cost_daily_rows));
  EXPECT_EQ(db.one("SELECT total_requests FROM api_keys WHERE name='plain'"),
            "15");
}

TEST_F(OriginalInstall, ConfigHoldsTheKeyAndAPasswordHashOfTheOriginal) {
  const auto& inst = *inst_;
  auto config = json::parse(test::read_file(inst.config_path));
  ASSERT_TRUE(config);
  const auto& c = *config;
  EXPECT_EQ(c["server"]["host"].GetString(), std::string{"127.0.0.1"});
  EXPECT_EQ(c["server"]["port"].GetInt(), 3700);
  EXPECT_EQ(c["encryption"]["key"].GetString(), spec_.encryption_key);
  EXPECT_GE(spec_.encryption_key.size(), 32u);
  std::string stored = c["auth"]["passwordHash"].GetString();
  EXPECT_EQ(stored, inst.password_hash);
  auto parts = split(stored, ':');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0], "scrypt");
  ASSERT_EQ(parts[1].size(), 32u);
  // The salt's characters are the salt (not the bytes they spell).
  auto derived = node_scrypt(spec_.password,
                             reinterpret_cast<const uint8_t*>(parts[1].data()),
                             parts[1].size(), 64);
  EXPECT_EQ(crypto::to_hex(derived), parts[2]);
  EXPECT_TRUE(password::verify(spec_.password, stored));
  EXPECT_FALSE(password::verify(spec_.password + "!", stored));
}

TEST(OriginalInstallVariants, CorruptDatabaseIsNotSqlite) {
  test::temp_dir dir;
  test::original_install_spec spec;
  spec.corrupt_db = true;
  auto inst = test::make_original_install(dir.path(), spec);
  auto bytes = test::read_file(inst.db_path);
  ASSERT_GE(bytes.size(), 100u);
  EXPECT_NE(bytes.compare(0, 16, std::string("SQLite format 3\0", 16)), 0);
  EXPECT_TRUE(inst.keys.empty());
  EXPECT_FALSE(test::read_file(inst.config_path).empty());
  sqlite3* db = nullptr;
  sqlite3_open_v2(inst.db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  int rc = sqlite3_exec(db, "SELECT name FROM sqlite_master", nullptr, nullptr,
                        nullptr);
  EXPECT_EQ(rc, SQLITE_NOTADB);
  sqlite3_close(db);
}

TEST(OriginalInstallVariants, UndecryptableProviderAndUpstreamOverride) {
  test::temp_dir dir;
  test::original_install_spec spec;
  spec.undecryptable_provider = true;
  spec.upstream_base_url = "http://127.0.0.1:9";
  auto inst = test::make_original_install(dir.path(), spec);
  reader db{inst.db_path};
  ASSERT_EQ(db.open_rc(), SQLITE_OK);
  EXPECT_EQ(db.one("SELECT COUNT(*) FROM providers"), "10");
  auto stored = db.one(
    "SELECT credentials FROM providers WHERE name='Gemini (other install)'");
  EXPECT_EQ(split(stored, ':').size(), 4u);
  EXPECT_FALSE(original_decrypt(stored, spec.encryption_key));
  EXPECT_EQ(db.one("SELECT base_url FROM providers WHERE name='OpenAI API'"),
            "http://127.0.0.1:9");
  EXPECT_EQ(db.one("SELECT base_url FROM providers WHERE name='Gemini API'"),
            "http://127.0.0.1:9/v1beta");
  EXPECT_EQ(db.one("SELECT COUNT(*) FROM providers WHERE base_url IS NULL"),
            "0");
}
