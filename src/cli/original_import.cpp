#include "cli/original_import.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include <sqlite3.h>

#include "core/clock.hpp"
#include "core/data_dir.hpp"
#include "core/json.hpp"
#include "core/original_secrets.hpp"
#include "providers/oauth/credentials.hpp"
#include "store/api_keys_repo.hpp"
#include "store/providers_repo.hpp"
#include "store/settings_repo.hpp"
#include "store/souls_repo.hpp"
#include "store/statement.hpp"
#include "store/usage_repo.hpp"

namespace oh::cli {

using namespace store;

namespace {

/// The source, opened read-only (never written: not even its WAL).
class source_db {
public:
  static expected<std::unique_ptr<source_db>> open(const std::string& path) {
    std::ifstream probe{path, std::ios::binary};
    if (!probe)
      return fail(errc::not_found, "no database at " + path);
    sqlite3* raw = nullptr;
    std::string uri = "file:" + path + "?mode=ro";
    int rc = sqlite3_open_v2(uri.c_str(), &raw,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
    auto db = std::unique_ptr<source_db>(new source_db(raw));
    if (rc != SQLITE_OK)
      return fail(errc::invalid_value,
                  path + " cannot be opened: " + sqlite3_errstr(rc));
    // A file that is no SQLite database fails at the first read.
    if (!db->has_table("_migrations") || !db->has_table("providers"))
      return fail(errc::invalid_value,
                  path
                    + " is not the database of an OpenHinge (Node) "
                      "install: "
                    + db->last_error);
    return db;
  }
  ~source_db() {
    sqlite3_close_v2(db_);
  }

  bool has_table(const char* name) {
    bool found = false;
    each("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1",
         {name}, [&](sqlite3_stmt*) {
           found = true;
         });
    return found;
  }

  /// Runs `sql` with text parameters and calls `row` per result row.
  bool each(const char* sql, std::vector<std::string> params,
            const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
      last_error = sqlite3_errmsg(db_);
      sqlite3_finalize(st);
      return false;
    }
    for (size_t i = 0; i < params.size(); ++i)
      sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(), -1,
                        SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      row(st);
    if (rc != SQLITE_DONE)
      last_error = sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE;
  }

  std::string last_error;

private:
  explicit source_db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

std::optional<std::string> text(sqlite3_stmt* st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL)
    return std::nullopt;
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  return std::string{p ? p : ""};
}
std::string text_or(sqlite3_stmt* st, int col, std::string fallback = {}) {
  return text(st, col).value_or(std::move(fallback));
}
int64_t integer(sqlite3_stmt* st, int col) {
  return sqlite3_column_int64(st, col);
}
std::optional<int64_t> opt_integer(sqlite3_stmt* st, int col) {
  if (sqlite3_column_type(st, col) == SQLITE_NULL)
    return std::nullopt;
  return sqlite3_column_int64(st, col);
}

/// The original's `YYYY-MM-DD HH:MM:SS` (UTC) as ours (ISO-8601 with ms).
std::optional<std::string>
normalised_time(const std::optional<std::string>& t) {
  if (!t || t->empty())
    return std::nullopt;
  auto ms = clock::parse_timestamp(*t);
  if (!ms)
    return std::nullopt;
  return clock::format_iso(*ms);
}

/// `none` and '' were the original's "no value".
std::optional<std::string> sentinel_free(std::optional<std::string> v) {
  if (!v || v->empty() || *v == "none" || *v == "unknown")
    return std::nullopt;
  return v;
}

/// A file's text, or nothing when it cannot be read.
std::string read_file_text(const std::string& path) {
  auto text = data_dir::read_small_file(path);
  return text ? std::move(*text) : std::string{};
}

/// What a provider's credentials become here: its auth mode and the
/// credentials object (SPEC §11.3).
struct account_decision {
  std::string auth_mode = "api_key";
  std::string credentials_json = "{}";
  std::string why;
};

account_decision decide_account(const std::string& type,
                                const json::value& creds,
                                const original_import_options& options) {
  namespace oauth = providers::oauth;
  account_decision d;
  auto token = json::get_string(creds, "oauth_token").value_or("");
  if (token.empty()) {
    d.credentials_json = json::to_string(creds);
    d.why = json::get_string(creds, "api_key") ? "API key" : "no credential";
    return d;
  }
  // Borrowed only when this machine's CLI file holds the same token.
  std::optional<oauth::cli_source> source;
  if (type == "claude")
    source = oauth::cli_source::claude_code;
  else if (type == "openai")
    source = oauth::cli_source::codex;
  if (source && options.env) {
    auto path = oauth::default_cli_path(*source, options.env);
    auto local = path.empty() ? std::string{} : read_file_text(path);
    if (auto parsed = oauth::parse_cli_file(*source, local)) {
      auto refresh = json::get_string(creds, "refresh_token").value_or("");
      if (parsed->access_token == token
          || (!refresh.empty() && parsed->refresh_token == refresh)) {
        d.auth_mode = "borrowed";
        d.credentials_json = R"({"source":")"
                             + std::string{oauth::source_name(*source)}
                             + R"(","source_path":)";
        json::append_quoted(d.credentials_json, path);
        d.credentials_json += "}";
        d.why = "borrowed: " + path + " holds the same token";
        return d;
      }
    }
  }
  d.auth_mode = "oauth";
  auto cred
    = oauth::read_account_credential(type, "oauth", json::to_string(creds));
  d.credentials_json = oauth::with_tokens("{}", cred.tokens);
  d.why = "oauth: the gateway owns the login";
  if (json::get_string(creds, "source").value_or("") == "claude_code")
    d.why += " (it came from Claude Code: importing it here means the "
             "gateway refreshes it, which signs that Claude Code out)";
  return d;
}

} // namespace

expected<original_import_report>
import_original(const original_import_options& options, database& target,
                const credential_vault& vault) {
  original_import_report report;
  auto say = [&](std::string line) {
    report.lines.push_back(std::move(line));
  };

  // The original's config: its encryption key and password hash.
  std::string passphrase = options.encryption_key;
  auto config_path = options.from_dir + "/config/openhinge.json";
  if (auto cfg = json::parse(read_file_text(config_path));
      cfg && cfg->IsObject()) {
    if (auto* enc = json::find(*cfg, "encryption"); enc && passphrase.empty())
      passphrase = json::get_string(*enc, "key").value_or("");
    if (auto* auth = json::find(*cfg, "auth"))
      if (auto hash = json::get_string(*auth, "passwordHash"))
        report.password_hash = *hash;
    say("config: " + config_path);
  } else {
    say("config: " + config_path + " not read (absent or not JSON)");
  }
  auto db_path = options.db_path.empty()
                   ? options.from_dir + "/data/openhinge.db"
                   : options.db_path;
  auto opened = source_db::open(db_path);
  if (!opened)
    return opened.error();
  auto& source = **opened;
  say("database: " + db_path + " (read-only)");

  providers_repo providers{target, vault};
  souls_repo souls{target};
  api_keys_repo keys{target};
  settings_repo settings{target};
  std::set<std::string> have_providers, have_souls, have_keys;
  for (auto& p : providers.list())
    have_providers.insert(p.id);
  for (auto& s : souls.list())
    have_souls.insert(s.id);
  for (auto& k : keys.list())
    have_keys.insert(k.id);

  // Gather everything first; write it in one transaction.
  std::vector<provider_record> new_providers;
  std::vector<soul_record> new_souls;
  std::vector<api_key_record> new_keys;
  std::vector<usage_row> new_logs;
  std::set<std::string> known_ids; // of this import, for a merge check
  auto now = clock::now_iso();

  source.each(
    "SELECT id, name, type, base_url, config, credentials, priority, "
    "is_enabled, created_at, updated_at FROM providers ORDER BY created_at",
    {}, [&](sqlite3_stmt* st) {
      provider_record r;
      r.id = text_or(st, 0);
      known_ids.insert(r.id);
      r.name = text_or(st, 1);
      r.type = text_or(st, 2);
      r.base_url = sentinel_free(text(st, 3));
      r.config_json = text_or(st, 4, "{}");
      r.priority = integer(st, 6);
      r.is_enabled = integer(st, 7) != 0;
      r.created_at = normalised_time(text(st, 8)).value_or(now);
      r.updated_at = normalised_time(text(st, 9)).value_or(now);
      if (have_providers.contains(r.id)) {
        ++report.skipped;
        say("provider " + r.name + ": already imported");
        return;
      }
      if (r.type == "custom") {
        ++report.problems;
        say("provider " + r.name
            + ": type custom was never usable in the original; not imported");
        return;
      }
      auto sealed = text_or(st, 5, "{}");
      std::string plain;
      if (original::looks_sealed(sealed)) {
        auto opened = original::open_credentials(sealed, passphrase);
        if (!opened) {
          ++report.problems;
          r.is_enabled = false;
          say("provider " + r.name
              + ": its credentials do not decrypt with "
                "the install's encryption key; imported disabled without "
                "credentials (enter them again)");
          plain = "{}";
        } else {
          plain = std::move(*opened);
        }
      } else {
        plain = sealed; // the original accepted plain JSON
      }
      auto creds = json::parse(plain);
      if (!creds || !creds->IsObject()) {
        creds = json::parse("{}");
        if (plain != "{}") {
          ++report.problems;
          r.is_enabled = false;
          say("provider " + r.name
              + ": its credentials are not a JSON object; imported disabled");
        }
      }
      auto d = decide_account(r.type, *creds, options);
      r.auth_mode = d.auth_mode;
      r.credentials_json = d.credentials_json;
      if (r.type == "ollama")
        r.auth_mode = "api_key";
      say("provider " + r.name + " (" + r.type + "): " + d.why
          + (r.is_enabled ? "" : ", disabled"));
      new_providers.push_back(std::move(r));
      ++report.providers;
    });

  source.each(
    "SELECT id, name, slug, description, system_prompt, provider_id, "
    "fallback_chain, model, temperature, max_tokens, response_schema, "
    "version, is_enabled, created_at, updated_at FROM souls",
    {}, [&](sqlite3_stmt* st) {
      soul_record s;
      s.id = text_or(st, 0);
      known_ids.insert(s.id);
      s.name = text_or(st, 1);
      s.slug = text_or(st, 2);
      s.description = text(st, 3);
      s.system_prompt = text_or(st, 4);
      s.provider_id = sentinel_free(text(st, 5));
      s.fallback_chain = ids_from_json(text_or(st, 6, "[]"));
      s.model = sentinel_free(text(st, 7));
      if (sqlite3_column_type(st, 8) != SQLITE_NULL)
        s.temperature = sqlite3_column_double(st, 8);
      s.max_tokens = opt_integer(st, 9);
      s.response_schema = sentinel_free(text(st, 10));
      s.version = std::max<int64_t>(1, integer(st, 11));
      s.is_enabled = integer(st, 12) != 0;
      s.created_at = normalised_time(text(st, 13)).value_or(now);
      s.updated_at = normalised_time(text(st, 14)).value_or(now);
      if (have_souls.contains(s.id)) {
        ++report.skipped;
        say("soul " + s.slug + ": already imported");
        return;
      }
      say("soul " + s.slug + ": /v1/souls/" + s.slug + "/… keeps working");
      new_souls.push_back(std::move(s));
      ++report.souls;
    });

  std::map<std::string, std::vector<std::string>> bindings;
  if (source.has_table("api_key_souls"))
    source.each("SELECT api_key_id, soul_id FROM api_key_souls", {},
                [&](sqlite3_stmt* st) {
                  bindings[text_or(st, 0)].push_back(text_or(st, 1));
                });
  bool has_format = false;
  source.each("SELECT name FROM pragma_table_info('api_keys') "
              "WHERE name = 'api_format'",
              {}, [&](sqlite3_stmt*) {
                has_format = true;
              });
  std::string key_sql
    = "SELECT id, name, key_hash, key_prefix, soul_id, rate_limit_rpm, "
      "daily_budget_cents, monthly_budget_cents, expires_at, is_enabled, "
      "last_used_at, total_requests, created_at"
      + std::string{has_format ? ", api_format" : ""} + " FROM api_keys";
  source.each(key_sql.c_str(), {}, [&](sqlite3_stmt* st) {
    api_key_record k;
    k.id = text_or(st, 0);
    known_ids.insert(k.id);
    k.name = text_or(st, 1);
    k.key_hash = text_or(st, 2);
    k.hash_algo = "scrypt";
    k.key_prefix = text_or(st, 3);
    k.last4 = "";
    k.rate_limit_rpm = integer(st, 5);
    k.daily_budget_cents = opt_integer(st, 6);
    k.monthly_budget_cents = opt_integer(st, 7);
    auto expiry = text(st, 8);
    k.is_enabled = integer(st, 9) != 0;
    k.last_used_at = normalised_time(text(st, 10));
    k.total_requests = integer(st, 11);
    k.created_at = normalised_time(text(st, 12)).value_or(now);
    k.updated_at = k.created_at;
    if (has_format)
      k.api_format = text_or(st, 13, "openai");
    if (have_keys.contains(k.id)) {
      ++report.skipped;
      say("key " + k.name + ": already imported");
      return;
    }
    k.soul_ids = bindings[k.id];
    if (auto legacy = sentinel_free(text(st, 4))) {
      if (std::find(k.soul_ids.begin(), k.soul_ids.end(), *legacy)
          == k.soul_ids.end())
        k.soul_ids.push_back(*legacy);
      say("key " + k.name + ": its legacy soul_id becomes a binding");
    }
    if (expiry && !expiry->empty()) {
      if (auto t = normalised_time(expiry)) {
        k.expires_at = t;
      } else {
        // The original compared `new Date(text) < now`, false for text
        // that is no date: the key never expired. It keeps working here,
        // and the operator is told.
        ++report.problems;
        say("key " + k.name + ": expires_at \"" + *expiry
            + "\" is no time; the original never expired the key and "
              "neither will this gateway (set an expiry if one was meant)");
      }
    }
    say("key " + k.name + " (" + k.key_prefix
        + "…): " + (k.is_enabled ? "active" : "revoked")
        + ", its scrypt hash kept until its first use");
    new_keys.push_back(std::move(k));
    ++report.keys;
  });

  // The log, unless it was imported already (its request ids are here).
  bool logs_here = false;
  std::optional<std::string> first_request;
  source.each("SELECT request_id FROM usage_logs ORDER BY id LIMIT 1", {},
              [&](sqlite3_stmt* st) {
                first_request = text(st, 0);
              });
  if (first_request) {
    statement st{target,
                 "SELECT 1 FROM usage_logs WHERE request_id = ?1 LIMIT 1"};
    st.bind(1, *first_request);
    logs_here = st.step();
  }
  std::map<std::string, std::string> names; // id → name, for the index
  for (auto& p : new_providers)
    names[p.id] = p.name;
  for (auto& s : new_souls)
    names[s.id] = s.name;
  for (auto& k : new_keys)
    names[k.id] = k.name;
  if (logs_here) {
    say("request log: already imported");
  } else {
    source.each(
      "SELECT request_id, api_key_id, soul_id, provider_id, model, "
      "input_tokens, output_tokens, cost_cents, latency_ms, status, "
      "error_message, created_at FROM usage_logs ORDER BY id",
      {}, [&](sqlite3_stmt* st) {
        usage_row row;
        row.request_id = text_or(st, 0);
        row.api_key_id = sentinel_free(text(st, 1));
        row.soul_id = sentinel_free(text(st, 2));
        row.provider_id = sentinel_free(text(st, 3));
        row.model = sentinel_free(text(st, 4));
        row.tokens.input = integer(st, 5);
        row.tokens.output = integer(st, 6);
        row.cost_micros
          = static_cast<int64_t>(sqlite3_column_double(st, 7) * 10'000.0 + 0.5);
        row.latency_ms = integer(st, 8);
        row.status = text_or(st, 9, "success");
        row.error_message = sentinel_free(text(st, 10));
        row.http_status = row.status == "success" ? 200 : 502;
        row.created_at = normalised_time(text(st, 11)).value_or(now);
        row.admitted = false; // counts live in the key rows already
        if (row.soul_id)
          row.soul_name = names[*row.soul_id];
        if (row.provider_id)
          row.provider_name = names[*row.provider_id];
        if (row.api_key_id)
          row.key_name = names[*row.api_key_id];
        new_logs.push_back(std::move(row));
        if (options.progress && new_logs.size() % 10'000 == 0)
          options.progress("reading the request log: "
                           + std::to_string(new_logs.size()) + " rows");
      });
    report.logs = static_cast<int>(new_logs.size());
    say("request log: " + std::to_string(new_logs.size())
        + " rows, with their daily totals");
  }
  if (report.password_hash)
    say("password: the original's hash, accepted at login and rewritten in "
        "our format after the first one");

  // Settings (general, cloudflare) whose fields mean the same here; the
  // Cloudflare token sealed like credentials. Ours win when already set.
  std::vector<std::pair<std::string, std::string>> new_settings;
  if (source.has_table("settings"))
    source.each(
      "SELECT key, value FROM settings WHERE key IN ('general', 'cloudflare')",
      {}, [&](sqlite3_stmt* st) {
        auto key = text_or(st, 0);
        auto value = json::parse(text_or(st, 1));
        if (!value || !value->IsObject())
          return;
        if (settings.get_raw(key)) {
          say("settings " + key + ": this gateway has its own; kept");
          return;
        }
        json::document out;
        out.SetObject();
        auto& a = out.GetAllocator();
        auto copy_text = [&](const char* field, bool secret = false) {
          auto v = json::get_string(*value, field);
          if (!v || v->empty())
            return;
          auto stored = secret ? vault.seal(*v) : *v;
          out.AddMember(rapidjson::StringRef(field),
                        json::value{stored.c_str(), a}, a);
        };
        if (key == "general") {
          copy_text("name");
          copy_text("timezone");
        } else {
          if (auto* e = json::find(*value, "enabled"); e && e->IsBool())
            out.AddMember("enabled", json::value{e->GetBool()}, a);
          copy_text("api_token", true);
          copy_text("account_id");
          copy_text("zone_id");
          copy_text("tunnel_id");
          copy_text("domain");
        }
        if (out.MemberCount() == 0)
          return;
        say(
          "settings " + key + ": copied"
          + std::string{key == "cloudflare" ? " (the API token sealed)" : ""});
        new_settings.emplace_back(key, json::to_string(out));
      });

  // Another install's data here? Only with --merge.
  if (!options.merge) {
    bool foreign = false;
    for (auto& id : have_providers)
      foreign = foreign || !known_ids.contains(id);
    for (auto& id : have_souls)
      foreign = foreign || !known_ids.contains(id);
    for (auto& id : have_keys)
      foreign = foreign || !known_ids.contains(id);
    if (foreign)
      return fail(errc::conflict,
                  "the target database already holds providers, souls or "
                  "keys of its own; import into a fresh data directory, or "
                  "pass --merge to add the original's next to them");
  }

  if (!options.apply)
    return report;
  transaction tx{target};
  for (auto& p : new_providers)
    providers.insert(p);
  for (auto& s : new_souls)
    souls.insert(s);
  for (auto& k : new_keys) {
    keys.insert(k); // with its bindings
  }
  for (auto& [key, value] : new_settings)
    settings.put_raw(key, value);
  if (report.password_hash && !settings.get_raw("auth.password_hash")) {
    std::string value;
    json::append_quoted(value, *report.password_hash);
    settings.put_raw("auth.password_hash", value);
  }
  tx.commit();
  // Written in slices, so a terminal sees it move.
  constexpr size_t slice = 10'000;
  for (size_t at = 0; at < new_logs.size(); at += slice) {
    auto end = std::min(new_logs.size(), at + slice);
    std::vector<usage_row> part(
      std::make_move_iterator(new_logs.begin() + at),
      std::make_move_iterator(new_logs.begin() + end));
    usage_repo{target}.insert_batch(part);
    if (options.progress)
      options.progress("writing the request log: " + std::to_string(end)
                       + " of " + std::to_string(new_logs.size()) + " rows");
  }
  report.applied = true;
  return report;
}

} // namespace oh::cli
