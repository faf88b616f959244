// tunnel setup|start|stop|status (SPEC §12, §13.2) over /admin/cloudflare.

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/flag_values.hpp"

namespace oh::cli::commands {

namespace {

std::string steps_table(const json::value& outcome) {
  table t{{"STEP", "STATUS", "DETAIL"}};
  t.flexible({2}).toned(1);
  if (auto* steps = json::find(outcome, "steps"); steps && steps->IsArray())
    for (auto& s : steps->GetArray())
      t.add({cell(s, "step"), cell(s, "status"), cell(s, "detail")});
  std::string out = t.render("No steps ran.");
  if (auto* created = json::find(outcome, "created");
      created && created->IsArray() && !created->Empty()) {
    std::string list;
    for (auto& c : created->GetArray())
      list += (list.empty() ? "" : ", ") + cell(&c);
    out += "Created: " + list + "\n";
  }
  return out;
}

std::string local_status_text(const json::value& st, const json::value* cfg) {
  std::vector<std::pair<std::string, std::string>> lines;
  auto state = cell(st, "state");
  lines.emplace_back(
    "State", paint(state, tone_of(state == "running"  ? std::string{"healthy"}
                                  : state == "failed" ? std::string{"down"}
                                                      : state)));
  auto path = cell(st, "cloudflared_path");
  if (!path.empty() && path != "-")
    lines.emplace_back("cloudflared", path);
  if (cell(st, "pid") != "-")
    lines.emplace_back("PID", cell(st, "pid"));
  lines.emplace_back("Connections", cell(st, "connections"));
  lines.emplace_back("Restarts", cell(st, "restarts"));
  if (cell(st, "uptime_s") != "-")
    lines.emplace_back("Up", cell(st, "uptime_s") + " s");
  if (cell(st, "next_start_in_ms") != "-")
    lines.emplace_back("Next start in", cell(st, "next_start_in_ms") + " ms");
  if (cell(st, "last_error") != "-")
    lines.emplace_back("Last error", cell(st, "last_error"));
  if (cfg != nullptr && cell(*cfg, "hostname") != "-"
      && !cell(*cfg, "hostname").empty())
    lines.emplace_back("Route", "https://" + cell(*cfg, "hostname")
                                  + " → 127.0.0.1:" + cell(*cfg, "public_port")
                                  + " (only /v1 and /health)");
  return key_values(lines);
}

int print_local_status(session& s, const json::value& answer) {
  if (s.json_output()) {
    print(pretty(data_of(answer)));
    return exit_status::ok;
  }
  auto settings = s.get("/admin/settings/cloudflare");
  print(local_status_text(data_of(answer), &data_of(settings)));
  return exit_status::ok;
}

} // namespace

int tunnel_setup(const invocation& in) {
  body_builder b;
  b.text("hostname", in.get("--hostname"));
  if (in.has("--api-token"))
    b.text("api_token", in.get("--api-token"));
  if (in.has("--tunnel-name"))
    b.text("tunnel_name", in.get("--tunnel-name"));
  session s{in};
  progress("Setting up " + in.get("--hostname")
           + ": zone, tunnel, ingress, DNS, token, cloudflared…");
  try {
    auto answer = s.post("/admin/cloudflare/setup", b.str());
    progress("", false);
    emit(s, answer, [&](const json::value& outcome) {
      return steps_table(outcome) + "https://" + in.get("--hostname")
             + " now reaches this gateway's /v1 once cloudflared has "
               "connected ('openhinge tunnel status').\n";
    });
    return exit_status::ok;
  } catch (const cli_failure& f) {
    progress("", false);
    // A failed step still reports every step and what was created.
    if (auto doc = json::parse(f.json_body); doc && doc->IsObject())
      if (auto* data = json::find(*doc, "data"); data && !s.json_output())
        print(steps_table(*data));
    throw;
  }
}

int tunnel_start(const invocation& in) {
  session s{in};
  return print_local_status(s, s.post("/admin/cloudflare/start", "{}"));
}

int tunnel_stop(const invocation& in) {
  session s{in};
  return print_local_status(s, s.post("/admin/cloudflare/stop", "{}"));
}

int tunnel_status(const invocation& in) {
  session s{in};
  return print_local_status(s, s.get("/admin/cloudflare/local-status"));
}

} // namespace oh::cli::commands
