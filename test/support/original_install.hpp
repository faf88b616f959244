#pragma once

// A test fixture: an install folder of the ORIGINAL Node OpenHinge (0.1.8),
// written from ../shared/reference/original-behaviour.md §4 and §11, for the
// tests of `openhinge import` (issue 20).
//
//   <dir>/config/openhinge.json   server.host/port, auth.passwordHash,
//                                 encryption.key (pretty-printed, as the
//                                 original rewrites it)
//   <dir>/.env                    the Gemini OAuth client the first run wrote
//   <dir>/data/openhinge.db       SQLite in WAL mode: migrations 001…011 as
//                                 the original applied them (recorded in
//                                 `_migrations`: 001…009 at install 40 days
//                                 ago, 010 five days later, 011 25 days
//                                 ago), every table of §4.2
//
// Secrets are in the original's formats (§4.6): provider credentials
// `hex(salt16):hex(iv16):hex(tag16):hex(ct)` (AES-256-GCM, 16-byte IV, key =
// scrypt(encryption.key, salt bytes, N=16384 r=8 p=1, 32 bytes)); key hashes
// `hex(salt16):hex(scrypt(key, salt bytes, 64))`; the password
// `scrypt:<32 hex chars used as text>:<hex(scrypt(password, that text, 64))>`.
//
// Contents (names are the `name` columns; ids are random 16-hex):
//   providers  "Claude API"        claude  {"api_key"}            prio 80
//              "OpenAI API"        openai  {"api_key"}            prio 90
//              "Gemini API"        gemini  {"api_key"}            prio 70
//              "Ollama (local)"    ollama  {} base_url :11434     prio 30
//              "Claude (max)"      claude  subscription, claude_code prio 10
//              "OpenAI (ChatGPT)"  openai  ChatGPT OAuth          prio 50
//              "Google Gemini"     gemini  OAuth (JSON oauth_token) prio 50
//              "OpenAI (old key)"  openai  {"api_key"}, is_enabled 0  prio 60
//              "Claude (plain JSON)" claude credentials stored as PLAIN JSON
//              "Gemini (other install)" gemini, sealed with another key —
//                                  only with spec.undecryptable_provider
//   souls      support-bot     provider "Claude API", fallback_chain
//                              ["OpenAI API","Gemini API"] (ids)
//              json-extractor  response_schema, temperature 0
//              translator      no provider, no model (defaults)
//   keys       plain, bound (api_key_souls → support-bot), legacy
//              (api_keys.soul_id → translator), revoked (is_enabled 0),
//              expired (2024-01-01 00:00:00), budgeted (500/5000 cents,
//              30 rpm), weird_expiry ("not a date"), iso_expiry
//              ("2099-12-31T23:59:59.000Z", as the admin API stored ISO
//              strings; still valid)
//   usage_logs 50 rows over the 5 days ending 2 days ago (10 a day), with the
//              sentinels soul_id 'none', provider_id 'none' / '', model
//              'unknown' / '', 2 rows of a deleted key; cost_daily is their
//              exact aggregate; api_keys.total_requests/last_used_at follow.
//   settings   `cloudflare` and `general` as migration 009 seeded them.

#include <cstddef>
#include <map>
#include <string>

namespace oh::test {

struct original_install_spec {
  /// config encryption.key. The original's config schema requires ≥ 32
  /// characters (its first run writes 64 hex chars).
  std::string encryption_key = "original-install-test-key-0123456789";
  /// Stored as the original's scrypt:… hash in config auth.passwordHash.
  std::string password = "correct horse battery";
  /// Write garbage bytes instead of a SQLite file (config still written; the
  /// maps of the result stay empty).
  bool corrupt_db = false;
  /// Add "Gemini (other install)", whose credentials were sealed with
  /// another encryption key.
  bool undecryptable_provider = false;
  /// When set (e.g. a fake upstream's http://127.0.0.1:PORT), every
  /// provider's base_url points there; "Gemini API" gets "<url>/v1beta",
  /// since the original's Gemini API-key base includes the version.
  std::string upstream_base_url;
};

struct original_install {
  std::string dir; ///< <dir>/config/openhinge.json, <dir>/data/openhinge.db
  std::string config_path;   ///< <dir>/config/openhinge.json
  std::string db_path;       ///< <dir>/data/openhinge.db
  std::string password_hash; ///< auth.passwordHash as written
  /// Key name → the raw `ohk_` key (47 chars).
  std::map<std::string, std::string> keys;
  /// Ids of what was created: providers by name, souls by slug, keys by
  /// name.
  std::map<std::string, std::string> provider_ids, soul_ids, key_ids;
  /// Provider name → the credentials JSON sealed (or, for
  /// "Claude (plain JSON)", stored as is).
  std::map<std::string, std::string> provider_credentials;
  /// The id of a key that was deleted: its usage rows keep it (dangling).
  std::string deleted_key_id;
  size_t usage_rows = 0;
  size_t cost_daily_rows = 0;
};

/// Builds the install under `dir` (created if missing; an existing database
/// there is replaced). Throws std::runtime_error on failure. Costs ~20
/// scrypt derivations (N=16384), well under a second.
original_install make_original_install(const std::string& dir,
                                       const original_install_spec& spec = {});

/// The original's secret formats, for tests that need one more row.
namespace original_format {
/// `hex(salt16):hex(iv16):hex(tag16):hex(ciphertext)` of `plaintext`.
std::string seal_credentials(const std::string& plaintext,
                             const std::string& encryption_key);
/// `hex(salt16):hex(scrypt(key, salt bytes, 64))`.
std::string hash_api_key(const std::string& key);
/// `scrypt:<salt text>:<hash hex>`.
std::string hash_password(const std::string& password);
/// A fresh `ohk_` + 43 base64url characters.
std::string new_api_key();
/// 16 hex characters (generateId()).
std::string new_id();
} // namespace original_format

} // namespace oh::test
