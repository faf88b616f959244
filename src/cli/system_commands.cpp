// settings, admin (token, password, sessions, audit), connect and tunnel
// (SPEC §13.2): the dashboard's Settings page from a terminal.

#include <iostream>

#include <termios.h>
#include <unistd.h>

#include "cli/arguments.hpp"
#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/flag_values.hpp"

namespace oh::cli::commands {

namespace {

/// One line from the terminal without echo, or from stdin for scripts.
std::string read_secret(const std::string& prompt, bool from_stdin) {
  std::string line;
  if (from_stdin || !terminal::stdin_is_tty()) {
    if (!std::getline(std::cin, line))
      usage_failure("expected a password on standard input");
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    return line;
  }
  std::cerr << prompt << std::flush;
  termios old{};
  ::tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  bool got = static_cast<bool>(std::getline(std::cin, line));
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  if (!got)
    usage_failure("no password entered");
  return line;
}

/// "30" → 30, "true" → true, "x" → "x": JSON when the text is a JSON
/// scalar, else a string.
std::string setting_value(const std::string& text) {
  if (auto doc = json::parse(text);
      doc && (doc->IsNumber() || doc->IsBool() || doc->IsNull()))
    return text;
  std::string quoted;
  json::append_quoted(quoted, text);
  return quoted;
}

/// Setup and password change answer a dashboard session for the caller;
/// a terminal has no use for it, so it ends at once.
void end_session(session& s, const json::value& answer) {
  auto token = json::get_string(answer, "token");
  if (token && !token->empty())
    s.call_as(*token, "POST", "/admin/auth/logout", "{}");
}

} // namespace

int settings_show(const invocation& in) {
  session s{in};
  if (!in.operands.empty()) {
    auto answer = s.get("/admin/settings/" + segment(in.operands[0]));
    if (s.json_output()) {
      print(pretty(answer));
      return exit_status::ok;
    }
    auto& data = data_of(answer);
    auto* sources = json::find(answer, "sources");
    table t{{"SETTING", "VALUE", "FROM"}};
    t.flexible({1});
    if (data.IsObject())
      for (auto& m : data.GetObject()) {
        std::string from = sources && sources->IsObject()
                             ? cell(*sources, m.name.GetString())
                             : "-";
        t.add(
          {in.operands[0] + "." + m.name.GetString(), cell(&m.value), from});
      }
    print(t.render("No settings in this group."));
    return exit_status::ok;
  }
  auto answer = s.get("/admin/settings");
  emit(s, answer, [](const json::value& groups) {
    table t{{"SETTING", "VALUE"}};
    t.flexible({1});
    if (groups.IsObject())
      for (auto& g : groups.GetObject())
        if (g.value.IsObject())
          for (auto& m : g.value.GetObject())
            t.add({std::string{g.name.GetString()} + "." + m.name.GetString(),
                   cell(&m.value)});
    return t.render("No settings.")
           + "Where each value comes from: openhinge settings show <group>\n";
  });
  return exit_status::ok;
}

int settings_set(const invocation& in) {
  const auto& key = in.operands[0];
  auto dot = key.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == key.size())
    usage_failure("name the setting as group.field, e.g. health.interval_s "
                  "(see 'openhinge settings show')");
  auto group = key.substr(0, dot);
  auto field = key.substr(dot + 1);
  body_builder b;
  b.raw(field, setting_value(in.operands[1]));
  session s{in};
  auto answer = s.put("/admin/settings/" + segment(group), b.str());
  emit(s, answer, [&](const json::value& data) {
    return "Set " + key + " = " + cell(data, field.c_str()) + ".\n";
  });
  return exit_status::ok;
}

int admin_rotate_token(const invocation& in) {
  session s{in};
  auto answer = s.post("/admin/auth/rotate-token", "{}");
  if (s.json_output()) {
    print(pretty(answer));
    return exit_status::ok;
  }
  std::cerr << "The old token stopped working. The new one (also written to "
               "the gateway's admin.token file):\n";
  print(cell(answer, "token") + "\n");
  return exit_status::ok;
}

int admin_password(const invocation& in) {
  session s{in};
  auto status = s.get("/admin/auth/status");
  bool has_password = cell(status, "hasPassword") == "yes";
  bool from_stdin = in.has("--stdin");
  if (!has_password) {
    auto password
      = read_secret("New dashboard password (10+ characters): ", from_stdin);
    if (!from_stdin && terminal::stdin_is_tty()
        && read_secret("Again: ", false) != password)
      usage_failure("the two passwords differ; nothing changed");
    // The admin token proves the right to set the first password, as the
    // one-time setup link would.
    auto answer = s.post("/admin/auth/setup", body_builder{}
                                                .text("password", password)
                                                .text("setup_token", s.token())
                                                .str());
    end_session(s, answer);
    if (s.json_output())
      print("{\"ok\":true,\"action\":\"setup\"}\n");
    else
      print("Dashboard password set. Sign in at " + s.url() + "/dashboard/\n");
    return exit_status::ok;
  }
  auto current = read_secret("Current password: ", from_stdin);
  auto next = read_secret("New password (10+ characters): ", from_stdin);
  if (!from_stdin && terminal::stdin_is_tty()
      && read_secret("Again: ", false) != next)
    usage_failure("the two new passwords differ; nothing changed");
  auto answer
    = s.post("/admin/auth/change-password", body_builder{}
                                              .text("current_password", current)
                                              .text("new_password", next)
                                              .str());
  end_session(s, answer);
  if (s.json_output())
    print("{\"ok\":true,\"action\":\"change\"}\n");
  else
    print("Password changed; every dashboard session was signed out.\n");
  return exit_status::ok;
}

int admin_sessions(const invocation& in) {
  session s{in};
  if (in.has("--revoke") && in.has("--revoke-all"))
    usage_failure("--revoke and --revoke-all do not go together");
  if (in.has("--revoke-all")) {
    auto answer = s.del("/admin/auth/sessions");
    emit(s, answer, [](const json::value&) {
      return std::string{"Every dashboard session was signed out.\n"};
    });
    return exit_status::ok;
  }
  if (in.has("--revoke")) {
    auto answer = s.del("/admin/auth/sessions/" + segment(in.get("--revoke")));
    emit(s, answer, [&](const json::value&) {
      return "Session " + in.get("--revoke") + " was signed out.\n";
    });
    return exit_status::ok;
  }
  emit(s, s.get("/admin/auth/sessions"), [](const json::value& list) {
    table t{{"ID", "IP", "CREATED", "LAST SEEN", "EXPIRES", "BROWSER"}};
    t.flexible({5});
    if (list.IsArray())
      for (auto& r : list.GetArray())
        t.add({cell(r, "id"), cell(r, "ip"), when(cell(r, "created_at")),
               when(cell(r, "last_seen")), when(cell(r, "expires_at")),
               cell(r, "user_agent")});
    return t.render("No dashboard sessions.");
  });
  return exit_status::ok;
}

int admin_audit(const invocation& in) {
  auto limit = integer_flag(in, "--limit", 1, 200).value_or(50);
  session s{in};
  auto answer = s.get("/admin/audit?limit=" + std::to_string(limit));
  emit(s, answer, [](const json::value& list) {
    table t{{"TIME", "WHO", "ACTION", "WHAT", "ID", "DETAIL"}};
    t.flexible({5});
    if (list.IsArray())
      for (auto& r : list.GetArray()) {
        auto* d = json::find(r, "detail");
        std::string detail = d && d->IsObject() && d->MemberCount() > 0
                               ? json::to_string(*d)
                               : "";
        t.add({when(cell(r, "created_at")), cell(r, "actor"), cell(r, "action"),
               cell(r, "target_type"), cell(r, "target_id"), detail});
      }
    return t.render("Nothing recorded yet.");
  });
  return exit_status::ok;
}

int connect_openclaw(const invocation& in) {
  session s{in};
  if (in.has("--disconnect")) {
    auto answer = s.post("/admin/connect/disconnect",
                         body_builder{}.text("app", "openclaw").str());
    emit(s, answer, [](const json::value&) {
      return std::string{"OpenClaw no longer uses this gateway.\n"};
    });
    return exit_status::ok;
  }
  std::string key = in.get("--key");
  // Where OpenClaw is, first: a failed connect must not leave a new key
  // behind.
  auto detect = s.get("/admin/connect/detect");
  std::string config_path;
  bool detected = false;
  if (auto* apps = json::find(detect, "apps"); apps && apps->IsArray())
    for (auto& a : apps->GetArray())
      if (cell(a, "id") == "openclaw") {
        detected = cell(a, "detected") == "yes";
        config_path = cell(a, "configPath");
      }
  if (!detected)
    throw cli_failure{exit_status::api_error,
                      "OpenClaw is not installed for the gateway's user ("
                        + config_path
                        + " is missing); install and start OpenClaw once, "
                          "then connect again"};
  if (key.empty()) {
    // A key of its own, so OpenClaw's use shows apart and can be revoked
    // alone (the original's connect made one too).
    auto made
      = s.post("/admin/keys", body_builder{}
                                .text("name", in.get("--key-name", "OpenClaw"))
                                .integer("rate_limit_rpm", 120)
                                .text("api_format", "openai")
                                .str());
    key = cell(data_of(made), "key");
    if (!s.json_output())
      std::cerr << "Created the key '" << in.get("--key-name", "OpenClaw")
                << "' (" << cell(data_of(made), "id") << ") for OpenClaw.\n";
  }
  auto answer
    = s.post("/admin/connect",
             body_builder{}.text("app", "openclaw").text("api_key", key).str());
  emit(s, answer, [&](const json::value&) {
    return "OpenClaw now uses this gateway (" + config_path
           + "). Restart OpenClaw to pick it up.\n";
  });
  return exit_status::ok;
}

} // namespace oh::cli::commands
