#pragma once

// Effective configuration: flags > OPENHINGE_* environment > config file >
// built-in defaults (SPEC §2). Every value remembers where it came from so
// `openhinge config show` can say so.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/expected.hpp"
#include "core/json.hpp"
#include "core/logging.hpp"

namespace oh {

struct config {
  // server
  std::string host;
  uint32_t port = 0;
  uint32_t public_port = 0; // 0 = no public listener
  uint32_t threads = 0;
  // storage and secrets
  std::string data_dir;
  std::string db_path;
  std::string encryption_key;
  std::string admin_token;
  std::string password_hash;
  // logging
  std::string log_level;
  std::string log_format;
  // limits
  uint64_t max_body_bytes = 0;
  uint64_t max_header_bytes = 0;
  uint64_t max_connections = 0;
  uint32_t header_timeout_ms = 0;
  uint32_t body_idle_timeout_ms = 0;
  uint32_t keepalive_idle_timeout_ms = 0;
  uint32_t request_timeout_ms = 0;
  uint64_t max_upstream_body_bytes = 0;
  uint64_t max_upstream_event_bytes = 0;
  // upstream timeouts (global defaults; accounts may override)
  uint32_t connect_timeout_ms = 0;
  uint32_t timeout_ms = 0;
  uint32_t stream_timeout_ms = 0;
  uint32_t idle_timeout_ms = 0;
  uint32_t max_stream_ms = 0;
  uint32_t stream_heartbeat_s = 0;
  // routing, health, shutdown
  uint32_t drain_seconds = 0;
  uint32_t max_attempts = 0;
  uint32_t breaker_failures = 0;
  uint32_t breaker_cooldown_s = 0;
  uint32_t health_interval_s = 0;
  uint32_t log_retention_days = 0;
  bool metrics_public = false;
  bool tunnel_expose_admin = false;
  std::vector<std::string> cors_admin_origins;
  std::vector<std::string> admin_allowed_hosts;
  std::string cloudflare_api_base;
  std::string cloudflared_path;
  /// Replaces scheme and host of every OAuth URL (tests point them at the
  /// fake upstream); empty in production.
  std::string oauth_endpoint_base;
  uint32_t oauth_refresh_margin_s = 0;
  /// The login callback listener's port; 0 = each vendor's registered one.
  uint32_t oauth_callback_port = 0;
  std::string store_backend;
  std::string limits_backend;

  /// The config file that was read, empty when none.
  std::string config_file;
  /// Dotted key → "flag", "env", "file" or "default".
  std::map<std::string, std::string> sources;
  /// Non-fatal remarks (deprecated keys) to log once at start.
  std::vector<std::string> warnings;

  log::level parsed_log_level() const;
};

/// Looks up an environment variable; injectable for tests.
using env_lookup = std::function<std::optional<std::string>(const char*)>;

/// Reads the process environment.
env_lookup process_env();

/// Builds the effective configuration from command-line arguments (without
/// the program name and subcommand), the environment and the config file.
/// Fails with errc::bad_config and a one-line message naming where.
expected<config> load_config(const std::vector<std::string>& args,
                             const env_lookup& env);

/// Lines `key = value  (source)` with secrets redacted.
std::string describe(const config& cfg);

/// The database level of the precedence (SPEC §2: flags > env > file >
/// database > defaults): `value` applies to `key` only while the key's
/// value comes from the defaults, and its source becomes "database".
/// A bad value fails naming the key (and changes nothing).
status apply_database_value(config& cfg, std::string_view key,
                            const json::value& value);

/// Checks `value` for `key` as the config file would, changing nothing.
status check_value(std::string_view key, const json::value& value);

/// The value of `key` as JSON text ("3", "true", "\"x\"").
std::string value_json(const config& cfg, std::string_view key);

/// A configuration with only the built-in defaults.
config default_config();

} // namespace oh
