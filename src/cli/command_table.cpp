#include <algorithm>

#include "cli/command_spec.hpp"
#include "cli/commands.hpp"

namespace oh::cli {

namespace {

namespace c = commands;

using flags = std::vector<flag_spec>;

// Flags shared by several commands, spelled once.
const flag_spec name_flag{"--name", "NAME", "display name"};
const flag_spec priority_flag{"--priority", "N",
                              "higher is tried first (default 0)"};
const flag_spec enable_flag{"--enable", "", "turn it on"};
const flag_spec disable_flag{"--disable", "", "turn it off"};

flags provider_fields(bool creating) {
  flags f{
    {"--name", "NAME", "display name", {}, creating},
    {"--base-url", "URL",
     "the vendor's base URL (needed for ollama; others have a default)"},
    {"--key", "KEY",
     "API key (a Claude sk-ant-oat01- token is stored as a subscription)"},
    {"--model", "MODEL", "default model"},
    priority_flag,
    {"--timeout", "MS", "time to the first byte of an answer"},
    {"--stream-timeout", "MS", "time to the first byte of a stream"},
    {"--max-concurrency", "N", "requests in flight at once (0 = no limit)"},
  };
  if (creating) {
    f.insert(f.begin() + 1, {"--type",
                             "TYPE",
                             "account type",
                             {"claude", "openai", "gemini", "ollama"},
                             true});
    f.push_back({"--disabled", "", "create it turned off"});
  } else {
    f.push_back(enable_flag);
    f.push_back(disable_flag);
  }
  return f;
}

flags soul_fields(bool creating) {
  flags f{
    {"--name", "NAME", "display name", {}, creating},
    {"--system-prompt", "TEXT", "the persona's instructions", {}, false},
    {"--system-prompt-file", "FILE", "read the instructions from a file"},
    {"--slug", "SLUG", "endpoint name (default: from the name)"},
    {"--description", "TEXT", "what the soul is for"},
    {"--provider", "ID", "account to use first (default: by priority)"},
    {"--fallback", "IDS", "comma-separated accounts tried next, in order"},
    {"--strict-chain", "", "never leave the provider and fallback chain"},
    {"--model", "MODEL", "model (default: the account's)"},
    {"--temperature", "T", "0 to 2"},
    {"--max-tokens", "N", "answer length limit"},
    {"--schema-file", "FILE", "JSON schema every answer must follow"},
  };
  if (creating) {
    f.push_back({"--disabled", "", "create it turned off"});
  } else {
    f.push_back({"--no-strict-chain", "", "allow any account after the chain"});
    f.push_back(enable_flag);
    f.push_back(disable_flag);
  }
  return f;
}

flags key_fields(bool creating) {
  flags f{
    {"--name", "NAME", "display name", {}, creating},
    {"--souls", "IDS", "comma-separated souls the key may use (none = all)"},
    {"--format",
     "FORMAT",
     "client dialect",
     {"openai", "anthropic", "openclaw"}},
    {"--rpm", "N", "requests per minute (0 = no limit)"},
    {"--tpm", "N", "tokens per minute (0 = no limit)"},
    {"--concurrency", "N", "requests in flight at once (0 = no limit)"},
    {"--daily-budget", "DOLLARS", "spend per UTC day (0 = no limit)"},
    {"--monthly-budget", "DOLLARS", "spend per UTC month (0 = no limit)"},
    {"--expires", "WHEN",
     "ISO-8601 time or a span such as 30d or 12h (\"never\" clears it)"},
  };
  if (!creating) {
    f.push_back(enable_flag);
    f.push_back(disable_flag);
  }
  return f;
}

std::vector<command_spec> build_table() {
  const auto local = command_kind::local;
  std::vector<command_spec> t{
    // -- the gateway itself ----------------------------------------------
    {"serve",
     "",
     "run the gateway (the default command)",
     "Starts the gateway on the configured address and serves until SIGTERM "
     "or SIGINT, then drains. Every option can also come from OPENHINGE_* "
     "variables or the config file.",
     {{"--host", "ADDR", "listen address (default 127.0.0.1)"},
      {"--threads", "N", "I/O and actor threads (default: cores)"},
      {"--db", "PATH", "SQLite database (default <data-dir>/openhinge.db)"},
      {"--log-level",
       "LEVEL",
       "log level",
       {"trace", "debug", "info", "warn", "error", "off"}},
      {"--log-format", "FORMAT", "log format", {"text", "json"}},
      {"--drain", "SECONDS", "shutdown drain deadline (default 30)"}},
     {"openhinge serve --port 3700 --data-dir /var/lib/openhinge"},
     local},
    {"init",
     "",
     "create the data directory, secrets and database",
     "Prepares everything `serve` would create on its first start, then "
     "exits without serving.",
     {},
     {"openhinge init --data-dir /var/lib/openhinge"},
     local},
    {"migrate",
     "",
     "apply pending database migrations, then exit",
     "",
     {},
     {"openhinge migrate"},
     local},
    {"import",
     "",
     "take over a Node OpenHinge install",
     "Reads the original's config and database and shows what would be "
     "imported; --apply writes it into this gateway's data directory.",
     {{"--from", "DIR", "the original's install directory", {}, true},
      {"--db", "FILE", "its database when not DIR/data/openhinge.db"},
      {"--apply", "", "write (the default is a dry run)"},
      {"--merge", "", "add to a database that has data already"}},
     {"openhinge import --from ~/openhinge",
      "openhinge import --from ~/openhinge --apply"},
     local},
    {"backup",
     "FILE",
     "copy the database while the gateway runs",
     "An online, consistent copy through SQLite's backup API, checked with "
     "PRAGMA integrity_check. FILE must not exist.",
     {},
     {"openhinge backup /var/backups/openhinge-$(date +%F).db"},
     local,
     nullptr,
     1,
     1},
    {"config show",
     "",
     "print the effective configuration and its sources",
     "Each value with where it came from (flag, env, file, database or "
     "default); secrets are redacted.",
     {},
     {"openhinge config show"},
     local},
    {"version",
     "",
     "print the version",
     "",
     {},
     {"openhinge version"},
     local,
     c::version,
     0,
     0,
     false},
    {"help",
     "[<command>...]",
     "show help for a command",
     "",
     {{"--markdown", "", "all commands as Markdown (docs/cli.md)"}},
     {"openhinge help key create"},
     local,
     c::help,
     0,
     -1,
     false},
    {"completion",
     "bash",
     "print a shell completion script",
     "Load it with `source <(openhinge completion bash)` or save it as "
     "/etc/bash_completion.d/openhinge.",
     {},
     {"openhinge completion bash > /etc/bash_completion.d/openhinge"},
     local,
     c::completion,
     1,
     1,
     false},
    {"status",
     "",
     "is the gateway up, and what does it hold",
     "Asks the gateway at the target URL for its status: version, uptime, "
     "accounts, souls, keys, requests today, memory and streams.",
     {},
     {"openhinge status", "openhinge status --url http://10.0.0.5:3700"}},

    // -- provider accounts ------------------------------------------------
    {"provider list",
     "",
     "list the provider accounts with their health",
     "",
     {},
     {"openhinge provider list", "openhinge provider list --json"}},
    {"provider show",
     "<id>",
     "one account in full (secrets never shown)",
     "",
     {},
     {"openhinge provider show 3f9a1c2b4d5e6f70"},
     command_kind::client,
     c::provider_show,
     1,
     1},
    {"provider add",
     "",
     "add an account with an API key",
     "For a subscription use `provider login`, `provider import` or "
     "`provider add-claude`.",
     provider_fields(true),
     {"openhinge provider add --name work --type openai --key sk-... --model "
      "gpt-4o",
      "openhinge provider add --name local --type ollama --base-url "
      "http://127.0.0.1:11434"}},
    {"provider update",
     "<id>",
     "change an account's fields",
     "Only the given fields change.",
     provider_fields(false),
     {"openhinge provider update 3f9a1c2b4d5e6f70 --priority 10 --disable"},
     command_kind::client,
     c::provider_update,
     1,
     1},
    {"provider delete",
     "<id>...",
     "delete accounts",
     "Souls that used an account lose it from their provider and fallback "
     "chain.",
     {},
     {"openhinge provider delete 3f9a1c2b4d5e6f70"},
     command_kind::client,
     c::provider_delete,
     1,
     -1},
    {"provider probe",
     "",
     "test a key without saving it",
     "Asks the vendor for its model list (no generation quota is spent).",
     {{"--type",
       "TYPE",
       "account type",
       {"claude", "openai", "gemini", "ollama"},
       true},
      {"--key", "KEY", "API key to test"},
      {"--base-url", "URL", "the vendor's base URL"}},
     {"openhinge provider probe --type claude --key sk-ant-..."}},
    {"provider health",
     "[<id>...]",
     "check accounts now (all by default)",
     "A health check spends no generation quota: it lists models or checks "
     "the token.",
     {},
     {"openhinge provider health",
      "openhinge provider health 3f9a1c2b4d5e6f70"},
     command_kind::client,
     c::provider_health,
     0,
     -1},
    {"provider models",
     "<id>",
     "the models an account offers",
     "",
     {},
     {"openhinge provider models 3f9a1c2b4d5e6f70"},
     command_kind::client,
     c::provider_models,
     1,
     1},
    {"provider login",
     "<type>",
     "sign in with a subscription in the browser",
     "Prints the vendor's login URL and waits. The gateway catches the "
     "browser's return when the browser runs on the gateway's machine; "
     "otherwise paste the address the browser ends on.",
     {name_flag, {"--priority", "N", "higher is tried first (default 50)"}},
     {"openhinge provider login claude", "openhinge provider login openai"},
     command_kind::client,
     c::provider_login,
     1,
     1},
    {"provider import",
     "[<source>]",
     "use a CLI login found on the gateway's machine",
     "Without a source, lists what the gateway finds (Claude Code, Codex, "
     "gcloud, Ollama, API keys in its environment). A Claude Code or Codex "
     "login is followed (borrowed) by default: that CLI keeps refreshing it. "
     "--copy makes the gateway refresh its own copy, which signs that CLI "
     "out; it needs --yes.",
     {name_flag,
      priority_flag,
      {"--copy", "", "take the login over instead of following the CLI"},
      {"--yes", "", "confirm that --copy signs the CLI out"}},
     {"openhinge provider import", "openhinge provider import claude_code",
      "openhinge provider import env:OPENAI_API_KEY --name openai-env"},
     command_kind::client,
     c::provider_import,
     0,
     1},
    {"provider add-claude",
     "",
     "add a Claude subscription from a token",
     "Takes the token `provider export-claude` printed on a machine with "
     "Claude Code, or an access token (and refresh token) pasted directly. "
     "The gateway then refreshes its own copy.",
     {{"--credentials", "BASE64",
       "what `provider export-claude` printed (Claude Code's login)"},
      {"--access-token", "TOKEN", "a sk-ant-oat01- access token"},
      {"--refresh-token", "TOKEN", "its refresh token"},
      name_flag,
      priority_flag},
     {"openhinge provider add-claude --credentials eyJjbGF1ZGVBaU9hdXRoIjp7...",
      "openhinge provider add-claude --access-token sk-ant-oat01-..."}},
    {"provider export-claude",
     "",
     "print this machine's Claude Code login as an add-claude command",
     "Reads Claude Code's credentials on this machine (never the gateway's "
     "database) and prints the command to run against another gateway. The "
     "output holds a refresh token: treat it like a password, and keep it "
     "out of shell history.",
     {},
     {"openhinge provider export-claude"},
     local,
     c::provider_export_claude,
     0,
     0,
     false},

    // -- souls ------------------------------------------------------------
    {"soul list",
     "",
     "list the souls and their endpoints",
     "",
     {},
     {"openhinge soul list"}},
    {"soul show",
     "<id|slug>",
     "one soul in full",
     "",
     {},
     {"openhinge soul show helper"},
     command_kind::client,
     c::soul_show,
     1,
     1},
    {"soul add",
     "",
     "create a soul",
     "Each soul answers at POST /v1/souls/<slug>/chat/completions.",
     soul_fields(true),
     {"openhinge soul add --name Helper --system-prompt 'Answer briefly.'"}},
    {"soul update",
     "<id|slug>",
     "change a soul's fields",
     "Only the given fields change; an empty value clears an optional one "
     "(--model '').",
     soul_fields(false),
     {"openhinge soul update helper --temperature 0.2"},
     command_kind::client,
     c::soul_update,
     1,
     1},
    {"soul delete",
     "<id|slug>...",
     "delete souls",
     "",
     {},
     {"openhinge soul delete helper"},
     command_kind::client,
     c::soul_delete,
     1,
     -1},

    // -- API keys ---------------------------------------------------------
    {"key list",
     "",
     "list the ohk_ keys with their spend",
     "",
     {},
     {"openhinge key list"}},
    {"key show",
     "<id>",
     "one key in full (the secret is never shown again)",
     "",
     {},
     {"openhinge key show 8c1f0e2d3a4b5c6d"},
     command_kind::client,
     c::key_show,
     1,
     1},
    {"key create",
     "",
     "create a key (its secret is shown once)",
     "",
     key_fields(true),
     {"openhinge key create --name ci --rpm 120 --daily-budget 5",
      "openhinge key create --name app --souls helper --expires 30d"}},
    {"key update",
     "<id>",
     "change a key's limits",
     "Only the given fields change.",
     key_fields(false),
     {"openhinge key update 8c1f0e2d3a4b5c6d --rpm 600 --expires never"},
     command_kind::client,
     c::key_update,
     1,
     1},
    {"key rotate",
     "<id>",
     "replace a key's secret (shown once)",
     "The old secret stops working at once.",
     {},
     {"openhinge key rotate 8c1f0e2d3a4b5c6d"},
     command_kind::client,
     c::key_rotate,
     1,
     1},
    {"key revoke",
     "<id>",
     "stop a key at once (reactivate undoes it)",
     "",
     {},
     {"openhinge key revoke 8c1f0e2d3a4b5c6d"},
     command_kind::client,
     c::key_revoke,
     1,
     1},
    {"key reactivate",
     "<id>",
     "let a revoked key work again",
     "",
     {},
     {"openhinge key reactivate 8c1f0e2d3a4b5c6d"},
     command_kind::client,
     c::key_reactivate,
     1,
     1},
    {"key delete",
     "<id>...",
     "delete keys (their log rows stay)",
     "",
     {},
     {"openhinge key delete 8c1f0e2d3a4b5c6d"},
     command_kind::client,
     c::key_delete,
     1,
     -1},

    // -- usage ------------------------------------------------------------
    {"logs",
     "[<request-id>]",
     "search the request log, or follow it",
     "Newest first. With a request id (the REQUEST column), one row in full "
     "with its upstream attempts. "
     "--follow prints rows as they are written (asking once a second) until "
     "interrupted; with --json each row is one line (NDJSON).",
     {{"--follow", "", "keep printing new rows"},
      {"--search", "TEXT", "words in the row, or a request id"},
      {"--status",
       "STATUS",
       "outcome",
       {"success", "error", "cancelled", "rate_limited", "budget_exceeded",
        "denied"}},
      {"--key", "ID", "API key id"},
      {"--soul", "ID", "soul id"},
      {"--provider", "ID", "account id"},
      {"--model", "MODEL", "model"},
      {"--endpoint",
       "ENDPOINT",
       "endpoint",
       {"chat", "messages", "models", "count_tokens"}},
      {"--stream", "BOOL", "streams only, or none", {"true", "false"}},
      {"--from", "TIME", "from this UTC day or time"},
      {"--to", "TIME", "up to this UTC day or time"},
      {"--limit", "N", "rows (default 20, at most 200)"},
      {"--after", "CURSOR", "the next page (printed under the table)"},
      {"--export", "FORMAT", "every matching row", {"csv", "ndjson"}}},
     {"openhinge logs --status error --from 2026-12-01",
      "openhinge logs --follow", "openhinge logs --export csv > usage.csv"},
     command_kind::client,
     c::logs,
     0,
     1},
    {"cost",
     "",
     "spend and tokens by day, key, soul, account or model",
     "Without --by, one row per day.",
     {{"--by",
       "GROUP",
       "group by",
       {"day", "key", "soul", "provider", "model"}},
      {"--days", "N", "the last N UTC days, today included (default 30)"}},
     {"openhinge cost", "openhinge cost --by key --days 7"}},
    {"actors",
     "[<id>]",
     "the live actors: keys, souls, accounts",
     "What each actor holds now (rate windows, health, token state), from "
     "/admin/actors.",
     {{"--kind",
       "KIND",
       "only this kind",
       {"api_key", "soul", "provider_account", "selector", "registry", "store",
        "usage_logger", "health_monitor", "acceptor"}}},
     {"openhinge actors --kind provider_account"},
     command_kind::client,
     c::actors,
     0,
     1},

    // -- administration ---------------------------------------------------
    {"settings show",
     "[<group>]",
     "the dashboard's settings",
     "Groups: general, routing, health, cloudflare.",
     {},
     {"openhinge settings show routing"},
     command_kind::client,
     c::settings_show,
     0,
     1},
    {"settings set",
     "<group.field> <value>",
     "change one setting",
     "The value is read as JSON when it is a number, true, false or null, "
     "else as text. A setting fixed by a flag, the environment or the config "
     "file cannot be changed here.",
     {},
     {"openhinge settings set health.interval_s 30",
      "openhinge settings set general.name 'Team gateway'"},
     command_kind::client,
     c::settings_set,
     2,
     2},
    {"admin rotate-token",
     "",
     "replace the admin token",
     "Writes the new token to <data-dir>/admin.token and prints it; the old "
     "one stops working at once.",
     {},
     {"openhinge admin rotate-token"}},
    {"admin password",
     "",
     "set or change the dashboard password",
     "Asks on the terminal (input hidden); scripts pass the passwords on "
     "standard input, one per line: the current one first when a password "
     "is set.",
     {{"--stdin", "", "read the passwords from standard input"}},
     {"openhinge admin password",
      "printf '%s\\n' \"$OLD\" \"$NEW\" | openhinge admin password --stdin"}},
    {"admin sessions",
     "",
     "list dashboard sessions, or end them",
     "",
     {{"--revoke", "ID", "end one session"},
      {"--revoke-all", "", "end every session"}},
     {"openhinge admin sessions", "openhinge admin sessions --revoke-all"}},
    {"admin audit",
     "",
     "who changed what",
     "",
     {{"--limit", "N", "rows (default 50)"}},
     {"openhinge admin audit --limit 20"}},
    {"connect openclaw",
     "",
     "point OpenClaw at this gateway",
     "Creates a key for OpenClaw (or uses --key) and writes it with the "
     "gateway's models into ~/.openclaw/openclaw.json on the gateway's "
     "machine; --disconnect removes it again.",
     {{"--key", "KEY", "an existing ohk_ key to use"},
      {"--key-name", "NAME", "name of the key to create (default OpenClaw)"},
      {"--disconnect", "", "remove OpenHinge from OpenClaw"}},
     {"openhinge connect openclaw", "openhinge connect openclaw --disconnect"}},
    {"tunnel setup",
     "",
     "route a hostname to this gateway (Cloudflare)",
     "One command for the whole path: finds the hostname's zone, creates the "
     "named tunnel when missing, points its ingress at the public listener "
     "(only /v1 and /health; the admin API and dashboard stay local), "
     "creates or updates the proxied CNAME, fetches the tunnel's token and "
     "runs cloudflared under the gateway's supervision. Each step is "
     "reported; a second run changes nothing. The API token needs Zone:DNS:"
     "Edit and Account:Cloudflare Tunnel:Edit.",
     {{"--hostname", "HOST", "public name, e.g. api.example.com", {}, true},
      {"--api-token", "TOKEN",
       "Cloudflare API token (stored encrypted; needed once)"},
      {"--tunnel-name", "NAME", "the tunnel to find or create (openhinge)"}},
     {"openhinge tunnel setup --hostname api.example.com --api-token $CF_TOKEN",
      "openhinge tunnel setup --hostname api.example.com"},
     command_kind::client,
     c::tunnel_setup},
    {"tunnel start",
     "",
     "run the tunnel set up before",
     "",
     {},
     {"openhinge tunnel start"},
     command_kind::client,
     c::tunnel_start},
    {"tunnel stop",
     "",
     "stop cloudflared (the setup stays)",
     "",
     {},
     {"openhinge tunnel stop"},
     command_kind::client,
     c::tunnel_stop},
    {"tunnel status",
     "",
     "cloudflared's state and the route",
     "",
     {},
     {"openhinge tunnel status"},
     command_kind::client,
     c::tunnel_status},
  };
  // Handlers of the commands whose positional defaults above are the
  // common ones (no operands), set here to keep the table readable.
  struct binding {
    std::string_view path;
    command_fn run;
  };
  const binding bind[] = {
    {"status", c::status},
    {"provider list", c::provider_list},
    {"provider add", c::provider_add},
    {"provider probe", c::provider_probe},
    {"provider add-claude", c::provider_add_claude},
    {"soul list", c::soul_list},
    {"soul add", c::soul_add},
    {"key list", c::key_list},
    {"key create", c::key_create},
    {"cost", c::cost},
    {"admin rotate-token", c::admin_rotate_token},
    {"admin password", c::admin_password},
    {"admin sessions", c::admin_sessions},
    {"admin audit", c::admin_audit},
    {"connect openclaw", c::connect_openclaw},
  };
  for (auto& b : bind)
    for (auto& cmd : t)
      if (cmd.path == b.path)
        cmd.run = b.run;
  return t;
}

} // namespace

bool invocation::has(std::string_view flag) const {
  return flags.find(flag) != flags.end();
}

std::string invocation::get(std::string_view flag, std::string fallback) const {
  auto it = flags.find(flag);
  return it == flags.end() || it->second.empty() ? fallback : it->second.back();
}

const std::vector<std::string>& invocation::all(std::string_view flag) const {
  static const std::vector<std::string> none;
  auto it = flags.find(flag);
  return it == flags.end() ? none : it->second;
}

const std::vector<command_spec>& command_table() {
  static const std::vector<command_spec> table = build_table();
  return table;
}

const std::vector<flag_spec>& client_flags() {
  static const std::vector<flag_spec> f{
    {"--url", "URL",
     "the gateway (default: OPENHINGE_URL, else 127.0.0.1 on the running "
     "gateway's port)"},
    {"--token", "TOKEN",
     "admin token (default: OPENHINGE_ADMIN_TOKEN, else "
     "<data-dir>/admin.token)"},
    {"--json", "", "print the API's JSON instead of a table"},
    {"--client-timeout", "SECONDS",
     "give up waiting for the gateway's answer (default 60)"},
  };
  return f;
}

const std::vector<flag_spec>& config_flags() {
  static const std::vector<flag_spec> f{
    {"--config", "PATH", "config file (default ./config/openhinge.json)"},
    {"--data-dir", "DIR", "data directory (default ./data)"},
    {"--port", "N", "the gateway's port (default 3700)"},
  };
  return f;
}

std::vector<std::string_view> command_groups() {
  std::vector<std::string_view> out;
  for (auto& c : command_table()) {
    auto first = c.path.substr(0, c.path.find(' '));
    if (std::find(out.begin(), out.end(), first) == out.end())
      out.push_back(first);
  }
  return out;
}

std::string_view group_summary(std::string_view group) {
  struct entry {
    std::string_view group, summary;
  };
  static constexpr entry groups[] = {
    {"provider", "LLM accounts: API keys and subscriptions"},
    {"soul", "personas with their own endpoint"},
    {"key", "ohk_ API keys with limits and budgets"},
    {"config", "the effective configuration"},
    {"settings", "the dashboard's settings"},
    {"admin", "admin token, dashboard password, sessions, audit"},
    {"connect", "connect apps to this gateway"},
    {"tunnel", "Cloudflare Tunnel"},
  };
  for (auto& g : groups)
    if (g.group == group)
      return g.summary;
  return {};
}

} // namespace oh::cli
