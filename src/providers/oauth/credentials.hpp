#pragma once

// Subscription credentials (SPEC §7): the tokens an `oauth` account owns,
// the CLI files a `borrowed` account reads (Claude Code, Codex CLI, gcloud
// ADC), and the account's stored credential object. Pure parsing; the
// account actor does the file I/O.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace oh::providers::oauth {

enum class cli_source : uint8_t { claude_code, codex, gcloud_adc };

std::optional<cli_source> source_named(std::string_view name);
/// `claude_code`, `codex`, `gcloud_adc`.
std::string_view source_name(cli_source s);
/// What a person calls it: "Claude Code", "Codex CLI", "gcloud".
std::string_view source_label(cli_source s);
/// The account type a CLI's tokens serve.
std::string_view source_type(cli_source s);
/// Whether the CLI rotates its refresh token (then the gateway must never
/// spend it: Claude Code and Codex would be signed out; ADC does not).
bool source_rotates(cli_source s);

struct token_set {
  std::string access_token;
  std::string refresh_token;
  std::string id_token;
  std::string account_id; // ChatGPT
  std::string project_id; // Gemini Code Assist
  std::string client_id;
  std::string client_secret;
  std::string subscription_type; // Claude Code: pro, max…
  int64_t expires_at_ms = 0;     // 0: unknown
};

/// One CLI file's tokens; the failure names what is wrong (never a value).
expected<token_set> parse_cli_file(cli_source s, std::string_view text);

/// Looks up an environment variable (injectable for tests).
using env_lookup_fn = std::function<std::optional<std::string>(const char*)>;

/// The CLI's own file for the gateway's user: Claude Code
/// `$CLAUDE_CONFIG_DIR/.credentials.json` or `~/.claude/.credentials.json`,
/// Codex `$CODEX_HOME/auth.json` or `~/.codex/auth.json`, gcloud
/// `$CLOUDSDK_CONFIG/application_default_credentials.json` or
/// `~/.config/gcloud/…`. Empty when there is no home to look in.
std::string default_cli_path(cli_source s, const env_lookup_fn& env);

/// An account's stored credential, read once per change of the record.
struct account_credential {
  std::string api_key;
  token_set tokens;                 // oauth: owned; borrowed: last read
  std::optional<cli_source> source; // borrowed
  std::string source_path;          // borrowed
};

/// Reads the credentials object of an account of `type` in `auth_mode`.
/// Accepts the original's forms too: `oauth_token` (or `access_token`),
/// `expires_at` as milliseconds in a string or a number, and Gemini's
/// `oauth_token` JSON `{"token","projectId"}` (reference §2.3).
account_credential read_account_credential(std::string_view type,
                                           std::string_view auth_mode,
                                           std::string_view credentials_json);

/// The credentials object with its tokens replaced by `t` (other members
/// kept): what a refresh persists.
std::string with_tokens(std::string_view credentials_json, const token_set& t);

} // namespace oh::providers::oauth
