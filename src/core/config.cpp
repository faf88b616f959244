#include "core/config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <variant>

#include <unistd.h>

#include "core/defaults.hpp"
#include "core/json.hpp"

namespace oh {

namespace {

using string_member = std::string config::*;
using u32_member = uint32_t config::*;
using u64_member = uint64_t config::*;
using bool_member = bool config::*;
using list_member = std::vector<std::string> config::*;
using member = std::variant<string_member, u32_member, u64_member, bool_member,
                            list_member>;

/// One configurable value: where it can be set and what it accepts.
struct setting {
  const char* key;
  const char* env;  // nullptr: not settable from the environment
  const char* flag; // nullptr: no command-line flag
  member target;
  uint64_t min = 0;
  uint64_t max = UINT32_MAX;
  std::vector<std::string> choices = {};
  bool secret = false;
};

const std::vector<setting>& settings() {
  static const std::vector<setting> all = {
    {"server.host", "OPENHINGE_HOST", "--host", &config::host},
    {"server.port", "OPENHINGE_PORT", "--port", &config::port, 0, 65535},
    {"server.public_port", "OPENHINGE_PUBLIC_PORT", "--public-port",
     &config::public_port, 0, 65535},
    {"server.threads", "OPENHINGE_THREADS", "--threads", &config::threads, 1,
     256},
    {"data_dir", "OPENHINGE_DATA_DIR", "--data-dir", &config::data_dir},
    {"db.path", "OPENHINGE_DB_PATH", "--db", &config::db_path},
    {"encryption.key",
     "OPENHINGE_ENCRYPTION_KEY",
     nullptr,
     &config::encryption_key,
     0,
     0,
     {},
     true},
    {"admin.token",
     "OPENHINGE_ADMIN_TOKEN",
     nullptr,
     &config::admin_token,
     0,
     0,
     {},
     true},
    {"auth.passwordHash",
     "OPENHINGE_PASSWORD_HASH",
     nullptr,
     &config::password_hash,
     0,
     0,
     {},
     true},
    {"logging.level",
     "OPENHINGE_LOG_LEVEL",
     "--log-level",
     &config::log_level,
     0,
     0,
     {"trace", "debug", "info", "warn", "error", "off"}},
    {"logging.format",
     "OPENHINGE_LOG_FORMAT",
     "--log-format",
     &config::log_format,
     0,
     0,
     {"text", "json"}},
    {"limits.max_body_bytes", "OPENHINGE_MAX_BODY_BYTES", nullptr,
     &config::max_body_bytes, 1, 1ull << 32},
    {"limits.max_header_bytes", nullptr, nullptr, &config::max_header_bytes,
     1024, 1 << 20},
    {"limits.max_connections", nullptr, nullptr, &config::max_connections, 1,
     1'000'000},
    {"limits.header_timeout_ms", nullptr, nullptr, &config::header_timeout_ms,
     1, 3'600'000},
    {"limits.body_idle_timeout_ms", nullptr, nullptr,
     &config::body_idle_timeout_ms, 1, 3'600'000},
    {"limits.keepalive_idle_timeout_ms", nullptr, nullptr,
     &config::keepalive_idle_timeout_ms, 1, 3'600'000},
    {"limits.request_timeout_ms", nullptr, nullptr, &config::request_timeout_ms,
     1, 3'600'000},
    {"limits.max_upstream_body_bytes", nullptr, nullptr,
     &config::max_upstream_body_bytes, 1024, 1ull << 32},
    {"limits.max_upstream_event_bytes", nullptr, nullptr,
     &config::max_upstream_event_bytes, 1024, 1ull << 32},
    {"timeouts.connect_timeout_ms", nullptr, nullptr,
     &config::connect_timeout_ms, 1, 3'600'000},
    {"timeouts.timeout_ms", nullptr, nullptr, &config::timeout_ms, 1,
     86'400'000},
    {"timeouts.stream_timeout_ms", nullptr, nullptr, &config::stream_timeout_ms,
     1, 86'400'000},
    {"timeouts.idle_timeout_ms", nullptr, nullptr, &config::idle_timeout_ms, 1,
     86'400'000},
    {"timeouts.max_stream_ms", nullptr, nullptr, &config::max_stream_ms, 1,
     86'400'000},
    {"timeouts.stream_heartbeat_s", "OPENHINGE_STREAM_HEARTBEAT_S", nullptr,
     &config::stream_heartbeat_s, 1, 3600},
    {"cors.admin_origins", nullptr, nullptr, &config::cors_admin_origins},
    {"log.retention_days", nullptr, nullptr, &config::log_retention_days, 1,
     36500},
    {"metrics.public", nullptr, nullptr, &config::metrics_public},
    {"shutdown.drain_seconds", nullptr, "--drain", &config::drain_seconds, 0,
     86400},
    {"routing.max_attempts", nullptr, nullptr, &config::max_attempts, 1, 20},
    {"breaker.failures", nullptr, nullptr, &config::breaker_failures, 1, 1000},
    {"breaker.cooldown_s", nullptr, nullptr, &config::breaker_cooldown_s, 1,
     86400},
    {"health.interval_s", nullptr, nullptr, &config::health_interval_s, 1,
     86400},
    {"admin.allowed_hosts", nullptr, nullptr, &config::admin_allowed_hosts},
    {"tunnel.expose_admin", nullptr, nullptr, &config::tunnel_expose_admin},
    {"cloudflare.api_base", nullptr, nullptr, &config::cloudflare_api_base},
    {"cloudflare.cloudflared_path", nullptr, nullptr,
     &config::cloudflared_path},
    {"oauth.endpoint_base", nullptr, nullptr, &config::oauth_endpoint_base},
    {"oauth.refresh_margin_s", nullptr, nullptr,
     &config::oauth_refresh_margin_s, 0, 86400},
    {"oauth.callback_port", nullptr, nullptr, &config::oauth_callback_port, 0,
     65535},
    {"store.backend",
     nullptr,
     nullptr,
     &config::store_backend,
     0,
     0,
     {"sqlite"}},
    {"limits.backend",
     nullptr,
     nullptr,
     &config::limits_backend,
     0,
     0,
     {"local"}},
  };
  return all;
}

// Keys of the Node original that are accepted but do nothing (SPEC §1).
bool is_deprecated(const std::string& key) {
  return key == "watchdog" || key == "queue" || key == "cron"
         || key.starts_with("watchdog.") || key.starts_with("queue.")
         || key.starts_with("cron.") || key == "auth.adminToken";
}

void apply_defaults(config& cfg) {
  cfg.host = defaults::host;
  cfg.port = defaults::port;
  cfg.threads = std::max(1u, std::thread::hardware_concurrency());
  cfg.data_dir = defaults::data_dir;
  cfg.log_level = "info";
  cfg.oauth_refresh_margin_s = 300;
  cfg.log_format = ::isatty(2) ? "text" : "json";
  cfg.max_body_bytes = defaults::max_body_bytes;
  cfg.max_header_bytes = defaults::max_header_bytes;
  cfg.max_connections = defaults::max_connections;
  cfg.header_timeout_ms = defaults::header_timeout_ms;
  cfg.body_idle_timeout_ms = defaults::body_idle_timeout_ms;
  cfg.keepalive_idle_timeout_ms = defaults::keepalive_idle_timeout_ms;
  cfg.request_timeout_ms = defaults::request_timeout_ms;
  cfg.max_upstream_body_bytes = defaults::max_upstream_body_bytes;
  cfg.max_upstream_event_bytes = defaults::max_upstream_event_bytes;
  cfg.connect_timeout_ms = defaults::connect_timeout_ms;
  cfg.timeout_ms = defaults::timeout_ms;
  cfg.stream_timeout_ms = defaults::stream_timeout_ms;
  cfg.idle_timeout_ms = defaults::idle_timeout_ms;
  cfg.max_stream_ms = defaults::max_stream_ms;
  cfg.stream_heartbeat_s = defaults::stream_heartbeat_s;
  cfg.drain_seconds = defaults::drain_seconds;
  cfg.max_attempts = defaults::max_attempts;
  cfg.breaker_failures = defaults::breaker_failures;
  cfg.breaker_cooldown_s = defaults::breaker_cooldown_s;
  cfg.health_interval_s = defaults::health_interval_s;
  cfg.log_retention_days = defaults::log_retention_days;
  cfg.cloudflare_api_base = "https://api.cloudflare.com/client/v4";
  cfg.cloudflared_path = "cloudflared";
  cfg.store_backend = "sqlite";
  cfg.limits_backend = "local";
  for (auto& s : settings())
    cfg.sources[s.key] = "default";
}

const setting* find_setting(std::string_view key) {
  for (auto& s : settings())
    if (key == s.key)
      return &s;
  return nullptr;
}

std::string range_text(const setting& s) {
  return std::to_string(s.min) + "-" + std::to_string(s.max);
}

/// Applies a textual value (from a flag or the environment).
status apply_text(config& cfg, const setting& s, const std::string& text) {
  auto bad = [&](const std::string& why) {
    return fail(errc::bad_config, why, s.key);
  };
  return std::visit(
    [&](auto ptr) -> status {
      using field_t = std::decay_t<decltype(cfg.*ptr)>;
      if constexpr (std::is_same_v<field_t, std::string>) {
        if (!s.choices.empty()
            && std::find(s.choices.begin(), s.choices.end(), text)
                 == s.choices.end()) {
          std::string all;
          for (auto& c : s.choices)
            all += (all.empty() ? "" : "|") + c;
          return bad("must be one of " + all + ", got \"" + text + "\"");
        }
        cfg.*ptr = text;
      } else if constexpr (std::is_same_v<field_t, bool>) {
        if (text == "true" || text == "1")
          cfg.*ptr = true;
        else if (text == "false" || text == "0")
          cfg.*ptr = false;
        else
          return bad("must be true or false, got \"" + text + "\"");
      } else if constexpr (std::is_same_v<field_t, std::vector<std::string>>) {
        std::vector<std::string> items;
        std::stringstream in{text};
        for (std::string item; std::getline(in, item, ',');)
          if (!item.empty())
            items.push_back(item);
        cfg.*ptr = items;
      } else {
        uint64_t v = 0;
        auto [end, ec]
          = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc{} || end != text.data() + text.size() || v < s.min
            || v > s.max)
          return bad("must be " + range_text(s) + ", got " + text);
        cfg.*ptr = static_cast<field_t>(v);
      }
      return ok();
    },
    s.target);
}

/// Applies a value from the JSON config file.
status apply_json(config& cfg, const setting& s, const json::value& v) {
  auto bad = [&](const std::string& why) {
    return fail(errc::bad_config, why, s.key);
  };
  return std::visit(
    [&](auto ptr) -> status {
      using field_t = std::decay_t<decltype(cfg.*ptr)>;
      if constexpr (std::is_same_v<field_t, std::string>) {
        if (!v.IsString())
          return bad(std::string{"must be a string, got "}
                     + json::type_name(v));
        return apply_text(cfg, s, v.GetString());
      } else if constexpr (std::is_same_v<field_t, bool>) {
        if (!v.IsBool())
          return bad(std::string{"must be true or false, got "}
                     + json::type_name(v));
        cfg.*ptr = v.GetBool();
        return ok();
      } else if constexpr (std::is_same_v<field_t, std::vector<std::string>>) {
        if (!v.IsArray())
          return bad(std::string{"must be an array of strings, got "}
                     + json::type_name(v));
        std::vector<std::string> items;
        for (auto& item : v.GetArray()) {
          if (!item.IsString())
            return bad("must be an array of strings");
          items.emplace_back(item.GetString());
        }
        cfg.*ptr = items;
        return ok();
      } else {
        if (!v.IsNumber())
          return bad("must be " + range_text(s) + ", got "
                     + json::to_string(v));
        if (!v.IsUint64() || v.GetUint64() < s.min || v.GetUint64() > s.max)
          return bad("must be " + range_text(s) + ", got "
                     + json::to_string(v));
        cfg.*ptr = static_cast<field_t>(v.GetUint64());
        return ok();
      }
    },
    s.target);
}

status apply_file_object(config& cfg, const json::value& obj,
                         const std::string& prefix) {
  for (auto& m : obj.GetObject()) {
    std::string key = prefix + m.name.GetString();
    if (is_deprecated(key)) {
      cfg.warnings.push_back("config key " + key
                             + " is from the Node version and is ignored");
      continue;
    }
    if (auto* s = find_setting(key)) {
      if (auto st = apply_json(cfg, *s, m.value); !st)
        return st;
      cfg.sources[s->key] = "file";
      continue;
    }
    if (m.value.IsObject()) {
      if (auto st = apply_file_object(cfg, m.value, key + "."); !st)
        return st;
      continue;
    }
    return fail(errc::bad_config, "unknown key", key);
  }
  return ok();
}

status read_file(config& cfg, const std::string& path, bool must_exist) {
  std::ifstream in{path};
  if (!in) {
    if (must_exist)
      return fail(errc::bad_config, "cannot read the config file", "");
    return ok();
  }
  std::stringstream buf;
  buf << in.rdbuf();
  cfg.config_file = path;
  auto doc = json::parse(buf.str());
  if (!doc)
    return fail(errc::bad_config, doc.error().message, "");
  if (!doc->IsObject())
    return fail(errc::bad_config, "must be a JSON object", "");
  return apply_file_object(cfg, *doc, "");
}

failure located(const std::string& where, const failure& f) {
  std::string msg = where + ": ";
  if (!f.field.empty())
    msg += f.field + ": ";
  msg += f.message;
  return fail(errc::bad_config, msg);
}

} // namespace

log::level config::parsed_log_level() const {
  log::level lvl = log::level::info;
  log::parse_level(log_level, lvl);
  return lvl;
}

env_lookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name))
      return std::string{v};
    return std::nullopt;
  };
}

expected<config> load_config(const std::vector<std::string>& args,
                             const env_lookup& env) {
  config cfg;
  apply_defaults(cfg);

  // Split flags first: --config decides which file is read, and flags are
  // validated before anything else happens.
  std::vector<std::pair<const setting*, std::string>> flag_values;
  std::optional<std::string> config_path;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('=');
        arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const setting* s = nullptr;
    if (arg != "--config") {
      for (auto& candidate : settings())
        if (candidate.flag != nullptr && arg == candidate.flag)
          s = &candidate;
      if (s == nullptr)
        return fail(errc::bad_config, arg + ": unknown option");
    }
    if (!has_value) {
      if (i + 1 >= args.size())
        return fail(errc::bad_config, arg + ": needs a value");
      value = args[++i];
    }
    if (s == nullptr)
      config_path = value;
    else
      flag_values.emplace_back(s, value);
  }

  // File.
  bool must_exist = config_path.has_value();
  if (!config_path) {
    if (auto p = env("OPENHINGE_CONFIG"); p && !p->empty()) {
      config_path = *p;
      must_exist = true;
    } else {
      config_path = defaults::config_file;
    }
  }
  if (auto st = read_file(cfg, *config_path, must_exist); !st)
    return located(*config_path, st.error());

  // Environment.
  for (auto& s : settings()) {
    if (s.env == nullptr)
      continue;
    if (auto v = env(s.env); v && !v->empty()) {
      if (auto st = apply_text(cfg, s, *v); !st)
        return fail(errc::bad_config,
                    std::string{s.env} + ": " + st.error().message);
      cfg.sources[s.key] = "env";
    }
  }

  // Flags.
  for (auto& [s, value] : flag_values) {
    if (auto st = apply_text(cfg, *s, value); !st)
      return fail(errc::bad_config,
                  std::string{s->flag} + ": " + st.error().message);
    cfg.sources[s->key] = "flag";
  }

  if (cfg.db_path.empty())
    cfg.db_path = cfg.data_dir + "/" + defaults::db_file;
  return cfg;
}

status apply_database_value(config& cfg, std::string_view key,
                            const json::value& value) {
  auto* s = find_setting(key);
  if (s == nullptr)
    return fail(errc::bad_config, "unknown key", std::string{key});
  auto src = cfg.sources.find(s->key);
  if (src != cfg.sources.end() && src->second != "default")
    return ok(); // a flag, the environment or the file decides
  config trial = cfg;
  if (auto st = apply_json(trial, *s, value); !st)
    return st;
  cfg = std::move(trial);
  cfg.sources[s->key] = "database";
  return ok();
}

status check_value(std::string_view key, const json::value& value) {
  auto* s = find_setting(key);
  if (s == nullptr)
    return fail(errc::bad_config, "unknown key", std::string{key});
  config trial;
  return apply_json(trial, *s, value);
}

std::string value_json(const config& cfg, std::string_view key) {
  auto* s = find_setting(key);
  if (s == nullptr)
    return "null";
  return std::visit(
    [&](auto ptr) -> std::string {
      using field_t = std::decay_t<decltype(cfg.*ptr)>;
      const auto& v = cfg.*ptr;
      if constexpr (std::is_same_v<field_t, std::string>) {
        std::string out;
        json::append_quoted(out, v);
        return out;
      } else if constexpr (std::is_same_v<field_t, bool>) {
        return v ? "true" : "false";
      } else if constexpr (std::is_same_v<field_t, std::vector<std::string>>) {
        std::string out = "[";
        for (auto& item : v) {
          if (out.size() > 1)
            out += ",";
          json::append_quoted(out, item);
        }
        return out + "]";
      } else {
        return std::to_string(v);
      }
    },
    s->target);
}

config default_config() {
  config cfg;
  apply_defaults(cfg);
  return cfg;
}

std::string describe(const config& cfg) {
  std::string out;
  if (!cfg.config_file.empty())
    out += "# config file: " + cfg.config_file + "\n";
  for (auto& s : settings()) {
    std::string text = std::visit(
      [&](auto ptr) -> std::string {
        using field_t = std::decay_t<decltype(cfg.*ptr)>;
        const auto& v = cfg.*ptr;
        if constexpr (std::is_same_v<field_t, std::string>)
          return v;
        else if constexpr (std::is_same_v<field_t, bool>)
          return v ? "true" : "false";
        else if constexpr (std::is_same_v<field_t, std::vector<std::string>>) {
          std::string joined = "[";
          for (auto& item : v)
            joined += (joined.size() > 1 ? "," : "") + item;
          return joined + "]";
        } else
          return std::to_string(v);
      },
      s.target);
    if (s.secret)
      text = text.empty() ? "(unset)" : "(set, redacted)";
    if (std::string_view{s.key} == "db.path")
      text = cfg.db_path;
    auto src = cfg.sources.find(s.key);
    out += std::string{s.key} + " = " + text + "  ("
           + (src != cfg.sources.end() ? src->second : "default") + ")\n";
  }
  return out;
}

} // namespace oh
