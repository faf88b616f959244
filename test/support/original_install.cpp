#include "support/original_install.hpp"

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "core/crypto.hpp"
#include "core/password.hpp"

namespace oh::test {

namespace fs = std::filesystem;

namespace {

// --- The original's formats (§4.3, §4.4, §4.6) ------------------------------

constexpr uint64_t scrypt_n = 16384;
constexpr uint64_t scrypt_r = 8;
constexpr uint64_t scrypt_p = 1;

std::string_view as_text(const crypto::bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

crypto::bytes derive(std::string_view secret, std::string_view salt,
                     size_t length) {
  auto out
    = password::scrypt(secret, salt, scrypt_n, scrypt_r, scrypt_p, length);
  if (!out)
    throw std::runtime_error("original_install: scrypt failed");
  return *out;
}

// --- A minimal SQLite writer ---------------------------------------------

/// One bound parameter.
struct arg {
  enum class kind { null, integer, real, text } k;
  int64_t i = 0;
  double d = 0;
  std::string s;
  arg(std::nullptr_t) : k{kind::null} {}
  arg(int v) : k{kind::integer}, i{v} {}
  arg(int64_t v) : k{kind::integer}, i{v} {}
  arg(double v) : k{kind::real}, d{v} {}
  arg(const char* v) : k{kind::text}, s{v} {}
  arg(std::string v) : k{kind::text}, s{std::move(v)} {}
};

class writer {
public:
  explicit writer(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK)
      fail("open " + path);
  }
  ~writer() {
    sqlite3_close(db_);
  }
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("original_install: " + msg + " in: " + sql);
    }
  }

  void run(const std::string& sql, std::initializer_list<arg> args) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
      fail("prepare " + sql);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st{
      raw, &sqlite3_finalize};
    int n = 1;
    for (const auto& a : args) {
      int rc = SQLITE_OK;
      switch (a.k) {
        case arg::kind::null:
          rc = sqlite3_bind_null(raw, n);
          break;
        case arg::kind::integer:
          rc = sqlite3_bind_int64(raw, n, a.i);
          break;
        case arg::kind::real:
          rc = sqlite3_bind_double(raw, n, a.d);
          break;
        case arg::kind::text:
          rc = sqlite3_bind_text(
            raw, n, a.s.data(), static_cast<int>(a.s.size()), SQLITE_TRANSIENT);
          break;
      }
      if (rc != SQLITE_OK)
        fail("bind " + sql);
      ++n;
    }
    if (sqlite3_step(raw) != SQLITE_DONE)
      fail("step " + sql);
  }

  int64_t count(const std::string& table) {
    sqlite3_stmt* raw = nullptr;
    auto sql = "SELECT COUNT(*) FROM " + table;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
      fail("prepare " + sql);
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> st{
      raw, &sqlite3_finalize};
    if (sqlite3_step(raw) != SQLITE_ROW)
      fail("step " + sql);
    return sqlite3_column_int64(raw, 0);
  }

private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("original_install: " + what + ": "
                             + sqlite3_errmsg(db_));
  }
  sqlite3* db_ = nullptr;
};

// --- The original's migrations (src/db/migrations/*.sql), from §4.2 ---------

struct migration {
  const char* name;
  const char* sql;
};

const migration migrations[] = {
  {"001_providers.sql", R"sql(
CREATE TABLE providers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL
    CHECK(type IN ('claude','openai','gemini','ollama','custom')),
  base_url TEXT,
  config TEXT NOT NULL DEFAULT '{}',
  credentials TEXT NOT NULL DEFAULT '{}',
  priority INTEGER NOT NULL DEFAULT 0,
  is_enabled INTEGER NOT NULL DEFAULT 1,
  health_status TEXT NOT NULL DEFAULT 'unknown'
    CHECK(health_status IN ('healthy','degraded','down','unknown')),
  last_health_check TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
)sql"},
  {"002_souls.sql", R"sql(
CREATE TABLE souls (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  description TEXT,
  system_prompt TEXT NOT NULL,
  provider_id TEXT,
  fallback_chain TEXT NOT NULL DEFAULT '[]',
  model TEXT,
  temperature REAL NOT NULL DEFAULT 0.7,
  max_tokens INTEGER NOT NULL DEFAULT 4096,
  response_schema TEXT,
  version INTEGER NOT NULL DEFAULT 1,
  is_enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  updated_at TEXT NOT NULL DEFAULT (datetime('now')),
  FOREIGN KEY (provider_id) REFERENCES providers(id) ON DELETE SET NULL
);
)sql"},
  {"003_api_keys.sql", R"sql(
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  key_prefix TEXT NOT NULL,
  soul_id TEXT,
  rate_limit_rpm INTEGER NOT NULL DEFAULT 60,
  daily_budget_cents INTEGER,
  monthly_budget_cents INTEGER,
  expires_at TEXT,
  is_enabled INTEGER NOT NULL DEFAULT 1,
  last_used_at TEXT,
  total_requests INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  FOREIGN KEY (soul_id) REFERENCES souls(id) ON DELETE SET NULL
);
)sql"},
  {"004_usage_logs.sql", R"sql(
CREATE TABLE usage_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL,
  api_key_id TEXT NOT NULL,
  soul_id TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  cost_cents REAL NOT NULL DEFAULT 0,
  latency_ms INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL
    CHECK(status IN ('success','error','budget_exceeded','rate_limited')),
  error_message TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX idx_usage_created ON usage_logs(created_at);
CREATE INDEX idx_usage_key ON usage_logs(api_key_id);
CREATE INDEX idx_usage_soul ON usage_logs(soul_id);
CREATE INDEX idx_usage_provider ON usage_logs(provider_id);
)sql"},
  {"005_cost_tracking.sql", R"sql(
CREATE TABLE cost_daily (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  date TEXT NOT NULL,
  api_key_id TEXT,
  soul_id TEXT,
  provider_id TEXT,
  total_requests INTEGER NOT NULL DEFAULT 0,
  total_input_tokens INTEGER NOT NULL DEFAULT 0,
  total_output_tokens INTEGER NOT NULL DEFAULT 0,
  total_cost_cents REAL NOT NULL DEFAULT 0,
  UNIQUE(date, api_key_id, soul_id, provider_id)
);
CREATE INDEX idx_cost_date ON cost_daily(date);
CREATE TABLE budgets (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL CHECK(scope IN ('global','soul','key')),
  scope_id TEXT,
  daily_limit_cents INTEGER,
  monthly_limit_cents INTEGER,
  is_enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
)sql"},
  {"006_task_queue.sql", R"sql(
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  priority INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK(status IN ('pending','running','completed','failed','dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 3,
  run_at TEXT NOT NULL DEFAULT (datetime('now')),
  started_at TEXT,
  completed_at TEXT,
  result TEXT,
  error TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX idx_tasks_poll ON tasks(status, run_at, priority DESC);
)sql"},
  {"007_cron_jobs.sql", R"sql(
CREATE TABLE cron_jobs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  schedule TEXT NOT NULL,
  timezone TEXT NOT NULL DEFAULT 'UTC',
  task_type TEXT NOT NULL,
  task_payload TEXT NOT NULL DEFAULT '{}',
  is_enabled INTEGER NOT NULL DEFAULT 1,
  last_run_at TEXT,
  next_run_at TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
)sql"},
  {"008_webhooks.sql", R"sql(
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT,
  events TEXT NOT NULL DEFAULT '[]',
  is_enabled INTEGER NOT NULL DEFAULT 1,
  last_triggered_at TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE webhook_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id TEXT NOT NULL,
  event TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '{}',
  response_status INTEGER,
  response_body TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  FOREIGN KEY (webhook_id) REFERENCES webhooks(id) ON DELETE CASCADE
);
)sql"},
  {"009_settings.sql", R"sql(
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL DEFAULT '{}',
  updated_at TEXT NOT NULL DEFAULT (datetime('now'))
);
)sql"},
  {"010_api_key_souls.sql", R"sql(
CREATE TABLE IF NOT EXISTS api_key_souls (
  api_key_id TEXT NOT NULL,
  soul_id TEXT NOT NULL,
  PRIMARY KEY (api_key_id, soul_id),
  FOREIGN KEY (api_key_id) REFERENCES api_keys(id) ON DELETE CASCADE,
  FOREIGN KEY (soul_id) REFERENCES souls(id) ON DELETE CASCADE
);
)sql"},
  {"011_api_key_format.sql", R"sql(
ALTER TABLE api_keys ADD COLUMN api_format TEXT NOT NULL DEFAULT 'openai';
)sql"},
};

// --- Time
// ---------------------------------------------------------------------

constexpr int64_t minute = 60;
constexpr int64_t hour = 60 * minute;
constexpr int64_t day = 24 * hour;

/// SQLite datetime('now') text (UTC) of a unix time.
std::string sqlite_time(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

/// The original's price table (§4.5): US cents per million tokens, looked up
/// by the exact model string; unknown models cost 0.
double cost_cents(const std::string& model, int64_t in, int64_t out) {
  struct price {
    const char* model;
    double in, out;
  };
  static const price table[] = {
    {"claude-opus-4-6-api", 1500, 7500},
    {"claude-sonnet-4-6-api", 300, 1500},
    {"gpt-4o", 250, 1000},
    {"gpt-4o-mini", 15, 60},
    {"gpt-4.1", 200, 800},
    {"gemini-2.5-pro", 125, 1000},
    {"gemini-2.5-flash", 15, 60},
  };
  for (const auto& p : table)
    if (model == p.model)
      return (static_cast<double>(in) * p.in + static_cast<double>(out) * p.out)
             / 1'000'000.0;
  return 0;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << text;
  if (!out)
    throw std::runtime_error("original_install: cannot write " + path.string());
}

} // namespace

// --- original_format -------------------------------------------------------

namespace original_format {

std::string seal_credentials(const std::string& plaintext,
                             const std::string& encryption_key) {
  auto salt = crypto::random_bytes(16);
  auto key = derive(encryption_key, as_text(salt), 32);
  auto iv = crypto::random_bytes(16);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx{
    EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free};
  crypto::bytes ct(plaintext.size() + 16);
  crypto::bytes tag(16);
  int len = 0;
  int total = 0;
  if (!ctx
      || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                            nullptr)
           != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 16, nullptr)
           != 1
      || EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data())
           != 1
      || EVP_EncryptUpdate(
           ctx.get(), ct.data(), &len,
           reinterpret_cast<const unsigned char*>(plaintext.data()),
           static_cast<int>(plaintext.size()))
           != 1)
    throw std::runtime_error("original_install: AES-GCM encrypt failed");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), ct.data() + total, &len) != 1
      || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data())
           != 1)
    throw std::runtime_error("original_install: AES-GCM finish failed");
  total += len;
  ct.resize(static_cast<size_t>(total));
  return crypto::to_hex(salt) + ":" + crypto::to_hex(iv) + ":"
         + crypto::to_hex(tag) + ":" + crypto::to_hex(ct);
}

std::string hash_api_key(const std::string& key) {
  auto salt = crypto::random_bytes(16);
  return crypto::to_hex(salt) + ":"
         + crypto::to_hex(derive(key, as_text(salt), 64));
}

std::string hash_password(const std::string& password) {
  // The salt is 16 random bytes as hex, and those 32 characters are the
  // scrypt salt (not the bytes they encode).
  auto salt = crypto::to_hex(crypto::random_bytes(16));
  return "scrypt:" + salt + ":" + crypto::to_hex(derive(password, salt, 64));
}

std::string new_api_key() {
  auto raw = crypto::random_bytes(32);
  return "ohk_" + crypto::base64url(raw.data(), raw.size());
}

std::string new_id() {
  return crypto::to_hex(crypto::random_bytes(8));
}

} // namespace original_format

// --- The install -------------------------------------------------------------

original_install make_original_install(const std::string& dir,
                                       const original_install_spec& spec) {
  namespace of = original_format;
  original_install inst;
  inst.dir = dir;
  fs::create_directories(fs::path{dir} / "config");
  fs::create_directories(fs::path{dir} / "data");
  inst.config_path = (fs::path{dir} / "config" / "openhinge.json").string();
  inst.db_path = (fs::path{dir} / "data" / "openhinge.db").string();
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    fs::remove(inst.db_path + suffix);

  // config/openhinge.json as the original leaves it after the password was
  // set in the dashboard (JSON.stringify(config, null, 2)); db.path absent,
  // so the database is ./data/openhinge.db relative to the install.
  inst.password_hash = of::hash_password(spec.password);
  write_text(inst.config_path, "{\n"
                               "  \"server\": {\n"
                               "    \"host\": \"127.0.0.1\",\n"
                               "    \"port\": 3700\n"
                               "  },\n"
                               "  \"auth\": {\n"
                               "    \"passwordHash\": \""
                                 + inst.password_hash
                                 + "\"\n"
                                   "  },\n"
                                   "  \"encryption\": {\n"
                                   "    \"key\": \""
                                 + spec.encryption_key
                                 + "\"\n"
                                   "  }\n"
                                   "}");
  // The first run's .env (Gemini CLI's public OAuth client; the secret here
  // is a placeholder).
  write_text(
    fs::path{dir} / ".env",
    "GEMINI_OAUTH_CLIENT_ID=681255809395-"
    "oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com\n"
    "GEMINI_OAUTH_CLIENT_SECRET=GOCSPX-original-install-placeholder\n");

  if (spec.corrupt_db) {
    auto noise = crypto::random_bytes(8192);
    write_text(inst.db_path, "This is not an SQLite database.\n"
                               + std::string{as_text(noise)});
    return inst;
  }

  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const int64_t installed = now - 40 * day;
  // The install ran 001…009; updates later brought 010 (the key-soul
  // junction; keys made before it used the legacy api_keys.soul_id) and 011.
  const int64_t update_010 = installed + 5 * day;
  const int64_t update_011 = now - 25 * day;

  writer db{inst.db_path};
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA busy_timeout=5000");
  db.exec("PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA foreign_keys=ON");
  db.exec("CREATE TABLE IF NOT EXISTS _migrations (\n"
          "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
          "  name TEXT NOT NULL UNIQUE,\n"
          "  applied_at TEXT NOT NULL DEFAULT (datetime('now'))\n"
          ")");
  // All pending migrations of one start in one transaction, as the
  // original's runner does.
  auto batch_of = [](std::string_view name) {
    return name.starts_with("011") ? 2 : name.starts_with("010") ? 1 : 0;
  };
  const int64_t applied[] = {installed, update_010, update_011};
  for (int batch = 0; batch < 3; ++batch) {
    db.exec("BEGIN");
    for (const auto& m : migrations) {
      if (batch_of(m.name) != batch)
        continue;
      db.exec(m.sql);
      if (std::string_view{m.name} == "009_settings.sql") {
        // Migration 009's seed rows (updated_at from its default).
        db.run("INSERT INTO settings (key, value, updated_at) VALUES (?,?,?)",
               {"cloudflare",
                R"({"enabled":false,"api_token":"","account_id":"",)"
                R"("tunnel_id":"","zone_id":"","domain":""})",
                sqlite_time(installed)});
        db.run("INSERT INTO settings (key, value, updated_at) VALUES (?,?,?)",
               {"general",
                R"({"name":"OpenHinge","timezone":"UTC",)"
                R"("daily_budget_cents":0})",
                sqlite_time(installed)});
      }
      db.run("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
             {m.name, sqlite_time(applied[batch])});
    }
    db.exec("COMMIT");
  }

  // --- providers ---
  const std::string up = spec.upstream_base_url;
  auto base
    = [&](const std::string& fallback, const std::string& suffix = "") -> arg {
    if (!up.empty())
      return up + suffix;
    if (fallback.empty())
      return nullptr;
    return fallback;
  };
  const std::string claude_expiry = std::to_string((now + 8 * hour) * 1000);
  const std::string gemini_expiry = std::to_string((now + 50 * minute) * 1000);
  struct provider_row {
    std::string name, type;
    arg base_url;
    std::string config, credentials;
    int priority;
    int enabled;
    const char* health;
    bool plain = false;     // credentials stored unencrypted
    bool other_key = false; // sealed with a different encryption key
  };
  std::vector<provider_row> providers = {
    {"Claude API", "claude", base(""),
     R"({"default_model":"claude-sonnet-4-6","timeout_ms":120000,)"
     R"("stream_timeout_ms":60000})",
     R"({"api_key":"sk-ant-api03-origInstallClaudeApiKey0123456789abcdefABCDEF-XYZ_AA"})",
     80, 1, "healthy"},
    {"OpenAI API", "openai", base(""), R"({"default_model":"gpt-4o"})",
     R"({"api_key":"sk-proj-origInstallOpenAIKey0123456789abcdefABCDEFghijkl"})",
     90, 1, "healthy"},
    {"Gemini API", "gemini", base("", "/v1beta"),
     R"({"default_model":"gemini-2.5-flash"})",
     R"({"api_key":"AIzaSyOrigInstallGeminiKey0123456789abc"})", 70, 1,
     "degraded"},
    {"Ollama (local)", "ollama", base("http://127.0.0.1:11434"),
     R"({"default_model":"qwen3:8b","timeout_ms":300000})", "{}", 30, 1,
     "unknown"},
    {"Claude (max)", "claude", base(""),
     R"({"default_model":"claude-sonnet-4-6","timeout_ms":300000,)"
     R"("stream_timeout_ms":90000})",
     R"({"oauth_token":"sk-ant-oat01-origInstallClaudeAccessToken0123456789abcdefghij-AA",)"
     R"("refresh_token":"sk-ant-ort01-origInstallClaudeRefreshToken0123456789abcdefgh-AA",)"
     R"("client_id":"9d1c250a-e61b-44d9-88ed-5944d1962f5e",)"
     R"("expires_at":")"
       + claude_expiry + R"(","source":"claude_code"})",
     10, 1, "healthy"},
    {"OpenAI (ChatGPT)", "openai", base(""),
     R"({"default_model":"gpt-5.4-mini"})",
     R"({"oauth_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJvcmlnIjoiaW5zdGFsbCJ9.c2lnbmF0dXJl",)"
     R"("refresh_token":"rt_origInstallChatGPTRefreshToken0123456789",)"
     R"("account_id":"acct_orig","client_id":"app_EMoamEEZ73f0CkXaXp7hrann"})",
     50, 1, "unknown"},
    {"Google Gemini", "gemini", base(""),
     R"({"default_model":"gemini-2.5-flash"})",
     R"({"oauth_token":"{\"token\":\"ya29.origInstallGeminiAccessToken0123456789\",)"
     R"(\"projectId\":\"gen-lang-client-0123456789\"}",)"
     R"("refresh_token":"1//0gOrigInstallGeminiRefreshToken0123456789",)"
     R"("client_id":"681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com",)"
     R"("client_secret":"GOCSPX-original-install-placeholder",)"
     R"("expires_at":")"
       + gemini_expiry + R"("})",
     50, 1, "healthy"},
    {"OpenAI (old key)", "openai", base(""),
     R"({"default_model":"gpt-4o-mini"})",
     R"({"api_key":"sk-proj-origInstallRetiredOpenAIKey0123456789abcdef"})", 60,
     0, "down"},
    {"Claude (plain JSON)", "claude", base(""), "{}",
     R"({"api_key":"sk-ant-api03-origInstallPlainJsonKey0123456789abcdefABCDEF-XYZ_AA"})",
     40, 1, "unknown", true},
  };
  if (spec.undecryptable_provider)
    providers.push_back(
      {"Gemini (other install)", "gemini", base("", "/v1beta"),
       R"({"default_model":"gemini-2.5-pro"})",
       R"({"api_key":"AIzaSyOrigInstallOtherInstallKey0123456"})", 20, 1,
       "unknown", false, true});

  int64_t t = installed + 10 * minute;
  for (const auto& p : providers) {
    auto id = of::new_id();
    std::string stored
      = p.plain
          ? p.credentials
          : of::seal_credentials(
            p.credentials, p.other_key ? "an-encryption-key-of-another-install"
                                       : spec.encryption_key);
    arg checked = std::string_view{p.health} == "unknown"
                    ? arg{nullptr}
                    : arg{sqlite_time(now - 3 * day + 17 * minute)};
    db.run("INSERT INTO providers (id, name, type, base_url, config, "
           "credentials, priority, is_enabled, health_status, "
           "last_health_check, created_at, updated_at) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
           {id, p.name, p.type, p.base_url, p.config, stored, p.priority,
            p.enabled, p.health, checked, sqlite_time(t),
            sqlite_time(t + 2 * day)});
    inst.provider_ids[p.name] = id;
    inst.provider_credentials[p.name] = p.credentials;
    t += 47 * minute;
  }

  // --- souls ---
  const auto& pid = inst.provider_ids;
  struct soul_row {
    std::string name, slug;
    arg description;
    std::string prompt;
    arg provider_id;
    std::string fallback;
    arg model;
    double temperature;
    int max_tokens;
    arg schema;
  };
  const std::vector<soul_row> souls = {
    {"Support Bot", "support-bot",
     "First-line customer support for the web shop",
     "You are a friendly support agent for Acme Outdoor. Answer briefly, "
     "in the customer's language, and never promise refunds.",
     pid.at("Claude API"),
     "[\"" + pid.at("OpenAI API") + "\",\"" + pid.at("Gemini API") + "\"]",
     "claude-sonnet-4-6", 0.3, 2048, nullptr},
    {"JSON Extractor", "json-extractor", "Pulls order data out of e-mails",
     "Extract the order number, the customer's name and the items from the "
     "message. Reply with JSON only.",
     nullptr, "[]", "gpt-4o-mini", 0.0, 1024,
     R"({"type":"object","properties":{"order_number":{"type":"string"},)"
     R"("customer":{"type":"string"},"items":{"type":"array","items":)"
     R"({"type":"string"}}},"required":["order_number","items"],)"
     R"("additionalProperties":false})"},
    {"Translator", "translator", nullptr,
     "Translate the user's text into English. Keep formatting and names.",
     nullptr, "[]", nullptr, 0.7, 4096, nullptr},
  };
  t = installed + 1 * day;
  for (const auto& s : souls) {
    auto id = of::new_id();
    db.run("INSERT INTO souls (id, name, slug, description, system_prompt, "
           "provider_id, fallback_chain, model, temperature, max_tokens, "
           "response_schema, version, is_enabled, created_at, updated_at) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,1,1,?,?)",
           {id, s.name, s.slug, s.description, s.prompt, s.provider_id,
            s.fallback, s.model, s.temperature, s.max_tokens, s.schema,
            sqlite_time(t), sqlite_time(t + 3 * hour)});
    inst.soul_ids[s.slug] = id;
    t += 2 * hour;
  }

  // --- keys ---
  struct key_row {
    std::string name;
    arg soul_id; // the legacy column
    int rpm;
    arg daily, monthly, expires;
    int enabled;
    const char* format;
    int64_t created;
  };
  const std::vector<key_row> keys = {
    {"plain", nullptr, 60, nullptr, nullptr, nullptr, 1, "openai",
     installed + 2 * day},
    {"bound", nullptr, 120, nullptr, nullptr, nullptr, 1, "anthropic",
     now - 20 * day},
    {"legacy", inst.soul_ids.at("translator"), 60, nullptr, nullptr, nullptr, 1,
     "openai", installed + 2 * day + hour},
    {"revoked", nullptr, 60, nullptr, nullptr, nullptr, 0, "openclaw",
     now - 19 * day},
    {"expired", nullptr, 60, nullptr, nullptr, "2024-01-01 00:00:00", 1,
     "openai", now - 18 * day},
    {"budgeted", nullptr, 30, 500, 5000, nullptr, 1, "anthropic",
     now - 17 * day},
    {"weird_expiry", nullptr, 120, nullptr, nullptr, "not a date", 1,
     "openclaw", now - 16 * day},
    {"iso_expiry", nullptr, 60, nullptr, nullptr, "2099-12-31T23:59:59.000Z", 1,
     "openai", now - 15 * day},
  };
  for (const auto& k : keys) {
    auto id = of::new_id();
    auto raw = of::new_api_key();
    db.run("INSERT INTO api_keys (id, name, key_hash, key_prefix, soul_id, "
           "rate_limit_rpm, daily_budget_cents, monthly_budget_cents, "
           "expires_at, is_enabled, last_used_at, total_requests, created_at, "
           "api_format) VALUES (?,?,?,?,?,?,?,?,?,?,NULL,0,?,?)",
           {id, k.name, of::hash_api_key(raw), raw.substr(0, 12), k.soul_id,
            k.rpm, k.daily, k.monthly, k.expires, k.enabled,
            sqlite_time(k.created), k.format});
    inst.keys[k.name] = raw;
    inst.key_ids[k.name] = id;
  }
  db.run("INSERT INTO api_key_souls (api_key_id, soul_id) VALUES (?, ?)",
         {inst.key_ids.at("bound"), inst.soul_ids.at("support-bot")});
  inst.deleted_key_id = of::new_id();

  // --- usage_logs: 10 requests a day on the 5 days ending 2 days ago ---
  struct usage {
    std::string key, soul, provider; // soul: slug or "none"; provider: name,
                                     // "none" or ""
    std::string model;
    int64_t in, out;
    int latency;
    const char* status;
    arg error;
  };
  const std::string overloaded
    = R"(claude: 529: {"type":"error","error":{"type":"overloaded_error",)"
      R"("message":"Overloaded"}})";
  const std::string rate_limited
    = R"(openai: 429: {"error":{"message":"Rate limit reached for gpt-4o in )"
      R"(organization org-origInstall on tokens per min (TPM): Limit 30000, )"
      R"(Used 29876, Requested 1200.","type":"tokens","param":null,)"
      R"("code":"rate_limit_exceeded"}})";
  const std::string timeout
    = "Timeout after 120000ms — increase timeout in provider settings";
  auto day_rows = [&](int d) {
    std::vector<usage> rows = {
      {"plain", "none", "OpenAI API", "gpt-4o-2024-08-06", 1200, 340, 2100,
       "success", nullptr},
      {"bound", "support-bot", "Claude API", "claude-sonnet-4-6", 2400, 512,
       4800, "success", nullptr},
      {"budgeted", "json-extractor", "OpenAI API", "gpt-4o", 3000, 900 + d,
       3300, "success", nullptr},
      {"legacy", "translator", "Gemini API", "gemini-2.5-flash", 500, 600, 1500,
       "success", nullptr},
      {"plain", "none", "OpenAI (ChatGPT)", "gpt-5.4-mini", 900, 450, 6100,
       "success", nullptr},
      {"weird_expiry", "none", "Ollama (local)", "qwen3:8b", 300, 120, 9400,
       "success", nullptr},
      {"plain", "none", "none", d % 2 ? "gpt-4o" : "unknown", 0, 0, 850,
       "error", d % 2 ? rate_limited : overloaded},
      {"bound", "support-bot", "none", "claude-sonnet-4-6", 0, 0, 120003,
       "error", timeout},
      // A stream that failed before its first chunk: logged as success.
      {"budgeted", "none", "", "", 0, 0, 60004, "success", nullptr},
    };
    switch (d) {
      case 6:
      case 5:
        rows.push_back({"revoked", "none", "Google Gemini", "gemini-2.5-pro",
                        1800, 700, 5200, "success", nullptr});
        break;
      case 4:
        rows.push_back({"iso_expiry", "none", "Claude (max)", "claude-opus-4-6",
                        5100, 1300, 14000, "success", nullptr});
        break;
      case 3:
        rows.push_back({"(deleted)", "none", "Claude API",
                        "claude-haiku-4-5-20251001", 400, 90, 900, "success",
                        nullptr});
        break;
      default:
        rows.push_back({"(deleted)", "translator", "Claude (plain JSON)",
                        "claude-sonnet-4-6", 650, 210, 1700, "success",
                        nullptr});
        break;
    }
    return rows;
  };
  db.exec("BEGIN");
  for (int d = 6; d >= 2; --d) {
    // Midnight (UTC) of that day, then one request every ~70 minutes from
    // 08:00.
    int64_t midnight = (now - d * day) / day * day;
    auto rows = day_rows(d);
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& u = rows[i];
      int64_t at = midnight + 8 * hour + static_cast<int64_t>(i) * 70 * minute
                   + static_cast<int64_t>((i * 13 + d * 7) % 60);
      std::string key_id
        = u.key == "(deleted)" ? inst.deleted_key_id : inst.key_ids.at(u.key);
      std::string soul_id
        = u.soul == "none" ? "none" : inst.soul_ids.at(u.soul);
      std::string provider_id = u.provider == "none" || u.provider.empty()
                                  ? u.provider
                                  : inst.provider_ids.at(u.provider);
      double cost = std::string_view{u.status} == "success"
                      ? cost_cents(u.model, u.in, u.out)
                      : 0.0;
      db.run("INSERT INTO usage_logs (request_id, api_key_id, soul_id, "
             "provider_id, model, input_tokens, output_tokens, cost_cents, "
             "latency_ms, status, error_message, created_at) "
             "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
             {of::new_id(), key_id, soul_id, provider_id, u.model, u.in, u.out,
              cost, u.latency, u.status, u.error, sqlite_time(at)});
    }
  }
  // cost_daily: what the per-request upsert accumulated (same sentinels).
  db.exec("INSERT INTO cost_daily (date, api_key_id, soul_id, provider_id, "
          "total_requests, total_input_tokens, total_output_tokens, "
          "total_cost_cents) "
          "SELECT substr(created_at, 1, 10), api_key_id, soul_id, provider_id, "
          "COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost_cents) "
          "FROM usage_logs GROUP BY 1, 2, 3, 4 ORDER BY MIN(id)");
  // The key touch on each authenticated request.
  db.exec("UPDATE api_keys SET "
          "total_requests = (SELECT COUNT(*) FROM usage_logs u "
          "WHERE u.api_key_id = api_keys.id), "
          "last_used_at = (SELECT MAX(created_at) FROM usage_logs u "
          "WHERE u.api_key_id = api_keys.id)");
  db.exec("COMMIT");
  inst.usage_rows = static_cast<size_t>(db.count("usage_logs"));
  inst.cost_daily_rows = static_cast<size_t>(db.count("cost_daily"));
  return inst;
}

} // namespace oh::test
