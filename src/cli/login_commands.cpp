// provider login|import|add-claude|export-claude (SPEC §7, §13.2): the
// subscription paths from a terminal.

#include <atomic>
#include <csignal>
#include <iostream>

#include <poll.h>
#include <unistd.h>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/flag_values.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/data_dir.hpp"
#include "providers/oauth/credentials.hpp"

namespace oh::cli::commands {

namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted = true;
}

/// Standard base64 (with + / and padding), which the original's
/// `export-claude` printed; decoding accepts either alphabet.
std::string base64_standard(std::string_view bytes) {
  auto text = crypto::base64url(reinterpret_cast<const uint8_t*>(bytes.data()),
                                bytes.size());
  for (auto& c : text)
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4 != 0)
    text += '=';
  return text;
}

std::optional<std::string> base64_decode_any(std::string text) {
  for (auto& c : text)
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!text.empty() && text.back() == '=')
    text.pop_back();
  auto decoded = crypto::base64url_decode(text);
  if (!decoded)
    return std::nullopt;
  return *decoded;
}

std::optional<std::string> env_value(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::optional<std::string>{v} : std::nullopt;
}

/// Ends a login in the terminal: the account made, or why not.
int login_result(const session& s, const json::value& flow) {
  auto status = cell(flow, "status");
  if (s.json_output())
    print(pretty(flow));
  if (status == "complete") {
    if (!s.json_output()) {
      auto* p = json::find(flow, "provider");
      std::string name = p ? cell(*p, "name") : "-";
      std::string id = p ? cell(*p, "id") : "-";
      print("Signed in. Added the " + cell(flow, "provider_type")
            + " subscription account '" + name + "' (" + id
            + ").\nCheck it with: openhinge provider health " + id + "\n");
    }
    return exit_status::ok;
  }
  throw cli_failure{exit_status::api_error,
                    "the login ended " + status
                      + (cell(flow, "error") == "-"
                           ? std::string{}
                           : ": " + cell(flow, "error"))};
}

/// Waits for one line on standard input for up to `ms`; false on timeout.
/// `eof` is set once stdin is closed (then only the callback can finish).
bool read_line_within(int ms, std::string& line, bool& eof) {
  if (eof) {
    ::poll(nullptr, 0, ms);
    return false;
  }
  pollfd p{STDIN_FILENO, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0)
    return false;
  if (!std::getline(std::cin, line)) {
    eof = true;
    return false;
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
    line.pop_back();
  while (!line.empty() && line.front() == ' ')
    line.erase(line.begin());
  return !line.empty();
}

} // namespace

int provider_login(const invocation& in) {
  const auto& type = in.operands[0];
  if (type != "claude" && type != "openai" && type != "gemini")
    usage_failure("browser login exists for claude, openai (ChatGPT) and "
                  "gemini accounts, not '"
                  + type + "'");
  body_builder b;
  b.text("type", type);
  if (in.has("--name"))
    b.text("name", in.get("--name"));
  if (auto p = integer_flag(in, "--priority", -1'000'000, 1'000'000))
    b.integer("priority", *p);
  session s{in};
  auto started = s.post("/admin/providers/auth/start", b.str());
  auto flow_id = cell(started, "flow_id");
  bool listening = cell(started, "callback_listening") == "yes";
  std::cerr << "Open this address in a browser and sign in:\n\n  "
            << cell(started, "auth_url") << "\n\n";
  if (listening)
    std::cerr << "Waiting for the browser to come back to the gateway. If the "
                 "browser runs on another machine, paste the address it ends "
                 "on (or the code it shows) here and press Enter.\n";
  else
    std::cerr << "Paste the address the browser ends on (or the code it "
                 "shows) here and press Enter.\n";
  std::cerr << "The login expires at " << when(cell(started, "expires_at"))
            << " UTC; Ctrl-C cancels it.\n"
            << std::flush;

  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  bool eof = false;
  for (;;) {
    std::string line;
    bool got = read_line_within(1000, line, eof);
    if (interrupted) {
      s.post("/admin/providers/auth/cancel",
             body_builder{}.text("flow_id", flow_id).str());
      progress("", false);
      print_error("login cancelled");
      return 130;
    }
    if (got) {
      body_builder c;
      c.text("flow_id", flow_id);
      if (line.find("://") != std::string::npos
          || line.find("code=") != std::string::npos)
        c.text("redirect_url", line);
      else
        c.text("code", line);
      progress("Completing the login…");
      try {
        auto answer = s.post("/admin/providers/auth/complete", c.str());
        progress("", false);
        auto& flow = data_of(answer);
        if (cell(flow, "status") == "complete")
          return login_result(s, flow);
        std::cerr << "Not accepted: "
                  << (cell(flow, "error") == "-" ? cell(flow, "status")
                                                 : cell(flow, "error"))
                  << ". Paste the address again.\n";
      } catch (const cli_failure& f) {
        progress("", false);
        if (f.status != exit_status::api_error)
          throw;
        std::cerr << "Not accepted: " << f.what() << "\n";
      }
      continue;
    }
    auto answer
      = s.get("/admin/providers/auth/status?flow_id=" + url_encode(flow_id));
    auto& flow = data_of(answer);
    auto status = cell(flow, "status");
    if (status != "pending" && status != "exchanging") {
      progress("", false);
      return login_result(s, flow);
    }
    // No ticking line: the person may be pasting on this terminal.
  }
}

int provider_import(const invocation& in) {
  session s{in};
  if (in.operands.empty()) {
    auto answer = s.get("/admin/providers/detect");
    emit(s, answer, [](const json::value& found) {
      table t{{"SOURCE", "TYPE", "FOUND", "EXPIRES", "PLAN", "WHERE / NOTE"}};
      t.flexible({5}).toned(2);
      if (found.IsArray())
        for (auto& f : found.GetArray()) {
          auto note = cell(f, "error");
          if (note == "-")
            note
              = cell(f, "path") != "-" ? cell(f, "path") : cell(f, "base_url");
          t.add({cell(f, "source"), cell(f, "type"), cell(f, "found"),
                 when(cell(f, "expires_at")), cell(f, "subscription_type"),
                 note});
        }
      return t.render("Nothing found on the gateway's machine.")
             + "Import one with: openhinge provider import <source>\n";
    });
    return exit_status::ok;
  }
  const auto& source = in.operands[0];
  body_builder b;
  b.text("source", source);
  if (in.has("--copy")) {
    b.text("mode", "copy");
    if (in.has("--yes"))
      b.boolean("acknowledge_sign_out", true);
  }
  if (in.has("--name"))
    b.text("name", in.get("--name"));
  if (auto p = integer_flag(in, "--priority", -1'000'000, 1'000'000))
    b.integer("priority", *p);
  auto answer = s.post("/admin/providers/import", b.str());
  emit(s, answer, [](const json::value& p) {
    return "Imported '" + cell(p, "name") + "' (" + cell(p, "id") + ", "
           + cell(p, "type") + ", " + cell(p, "auth_mode") + ").\n";
  });
  return exit_status::ok;
}

int provider_add_claude(const invocation& in) {
  body_builder b;
  if (in.has("--credentials") == in.has("--access-token"))
    usage_failure("give --credentials (what 'openhinge provider "
                  "export-claude' printed) or --access-token");
  if (in.has("--credentials")) {
    auto decoded = base64_decode_any(in.get("--credentials"));
    if (!decoded)
      usage_failure("--credentials is not base64: copy the whole value "
                    "'openhinge provider export-claude' printed");
    auto tokens = providers::oauth::parse_cli_file(
      providers::oauth::cli_source::claude_code, *decoded);
    if (!tokens)
      usage_failure("--credentials: " + tokens.error().message);
    b.text("access_token", tokens->access_token);
    if (!tokens->refresh_token.empty())
      b.text("refresh_token", tokens->refresh_token);
    if (tokens->expires_at_ms > 0)
      b.integer("expires_at", tokens->expires_at_ms);
    if (!in.has("--name") && !tokens->subscription_type.empty())
      b.text("name", "Claude (" + tokens->subscription_type + ")");
  } else {
    b.text("access_token", in.get("--access-token"));
    if (in.has("--refresh-token"))
      b.text("refresh_token", in.get("--refresh-token"));
  }
  if (in.has("--name"))
    b.text("name", in.get("--name"));
  if (auto p = integer_flag(in, "--priority", -1'000'000, 1'000'000))
    b.integer("priority", *p);
  session s{in};
  auto answer = s.post("/admin/providers/claude-oauth", b.str());
  emit(s, answer, [](const json::value& r) {
    auto* p = json::find(r, "provider");
    const json::value& acct = p ? *p : r;
    return "Added the Claude subscription account '" + cell(acct, "name")
           + "' (" + cell(acct, "id")
           + "). The gateway refreshes its token from now on.\n";
  });
  return exit_status::ok;
}

int provider_export_claude(const invocation&) {
  using namespace providers::oauth;
  auto path = default_cli_path(cli_source::claude_code, env_value);
  auto text = data_dir::read_small_file(path);
  if (!text)
    throw cli_failure{exit_status::api_error,
                      "no Claude Code login on this machine (" + path + ": "
                        + text.error().message
                        + "). Sign in with 'claude' first, or set "
                          "CLAUDE_CONFIG_DIR."};
  auto tokens = parse_cli_file(cli_source::claude_code, *text);
  if (!tokens)
    throw cli_failure{exit_status::api_error,
                      path + ": " + tokens.error().message};
  std::cerr << "Claude Code login from " << path;
  if (!tokens->subscription_type.empty())
    std::cerr << " (" << tokens->subscription_type << ")";
  if (tokens->expires_at_ms > 0)
    std::cerr << ", access token valid until "
              << when(clock::format_iso(tokens->expires_at_ms)) << " UTC";
  std::cerr << ".\nRun this against the other gateway. It holds the refresh "
               "token: keep it out of shell history and chat logs. Once the "
               "gateway refreshes it, Claude Code on this machine must sign "
               "in again.\n\n";
  std::cout << "openhinge provider add-claude --credentials "
            << base64_standard(*text) << "\n";
  return exit_status::ok;
}

} // namespace oh::cli::commands
