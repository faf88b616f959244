// provider list|show|add|update|delete|probe|health|models (SPEC §13.2),
// over /admin/providers.

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/flag_values.hpp"

namespace oh::cli::commands {

namespace {

std::string health_field(const json::value& p, const char* name) {
  auto* h = json::find(p, "health");
  return h && h->IsObject() ? cell(*h, name) : "-";
}

std::string provider_table(const json::value& list) {
  table t{{"ID", "NAME", "TYPE", "AUTH", "PRI", "ENABLED", "HEALTH", "CIRCUIT",
           "LATENCY", "MODEL"}};
  t.flexible({1, 9}).toned(5).toned(6).toned(7);
  if (list.IsArray())
    for (auto& p : list.GetArray()) {
      std::string model = "-";
      if (auto* c = json::find(p, "config"); c && c->IsObject())
        model = cell(*c, "default_model");
      auto latency = health_field(p, "latency_ms");
      t.add({cell(p, "id"), cell(p, "name"), cell(p, "type"),
             cell(p, "auth_mode"), cell(p, "priority"), cell(p, "is_enabled"),
             health_field(p, "status"), health_field(p, "circuit"),
             latency == "-" ? latency : latency + " ms", model});
    }
  return t.render("No provider accounts yet. Add one with 'openhinge provider "
                  "add', 'provider login' or 'provider import'.");
}

/// The fields add and update share; `creating` adds type and --disabled.
body_builder provider_body(const invocation& in, bool creating) {
  body_builder b;
  if (in.has("--name"))
    b.text("name", in.get("--name"));
  auto type = in.get("--type");
  if (creating)
    b.text("type", type);
  if (in.has("--base-url"))
    b.text("base_url", in.get("--base-url"));
  if (auto p = integer_flag(in, "--priority", -1'000'000, 1'000'000))
    b.integer("priority", *p);
  if (in.has("--key")) {
    auto key = in.get("--key");
    // A Claude subscription token pasted as a key is a subscription
    // account, as the dashboard's quick add and the original's CLI treat it.
    bool oauth = key.starts_with("sk-ant-oat01-")
                 && (type == "claude" || (!creating && type.empty()));
    if (oauth)
      b.text("auth_mode", "oauth")
        .raw("credentials", body_builder{}.text("oauth_token", key).str());
    else
      b.raw("credentials", body_builder{}.text("api_key", key).str());
  }
  body_builder config;
  if (in.has("--model"))
    config.text("default_model", in.get("--model"));
  if (auto v = integer_flag(in, "--timeout", 1, 86'400'000))
    config.integer("timeout_ms", *v);
  if (auto v = integer_flag(in, "--stream-timeout", 1, 86'400'000))
    config.integer("stream_timeout_ms", *v);
  if (auto v = integer_flag(in, "--max-concurrency", 0, 1'000'000))
    config.integer("max_concurrency", *v);
  if (!config.empty())
    b.raw("config", config.str());
  enabled_flags(in, b);
  return b;
}

std::string health_table(const json::value& rows) {
  table t{{"ID", "NAME", "STATUS", "LATENCY", "MODELS", "MESSAGE"}};
  t.flexible({1, 5}).toned(2);
  auto add = [&](const json::value& r) {
    auto latency = cell(r, "latency_ms");
    t.add({cell(r, "id"), cell(r, "name"), cell(r, "status"),
           latency == "-" ? latency : latency + " ms", cell(r, "models"),
           cell(r, "message")});
  };
  if (rows.IsArray())
    for (auto& r : rows.GetArray())
      add(r);
  else if (rows.IsObject())
    add(rows);
  return t.render("No provider accounts to check.");
}

std::string model_table(const json::value& models) {
  table t{{"MODEL", "DETAILS"}};
  t.flexible({1});
  if (models.IsArray())
    for (auto& m : models.GetArray()) {
      if (m.IsString()) {
        t.add({m.GetString(), ""});
        continue;
      }
      std::string details;
      if (m.IsObject())
        for (auto& f : m.GetObject()) {
          std::string name = f.name.GetString();
          if (name == "id")
            continue;
          details
            += (details.empty() ? "" : "  ") + name + "=" + cell(&f.value);
        }
      t.add({cell(m, "id"), details});
    }
  return t.render("No models known for this account (run 'openhinge provider "
                  "health' to ask the vendor again).");
}

} // namespace

int provider_list(const invocation& in) {
  session s{in};
  emit(s, s.get("/admin/providers"), provider_table);
  return exit_status::ok;
}

int provider_show(const invocation& in) {
  session s{in};
  emit(s, s.get("/admin/providers/" + segment(in.operands[0])),
       describe_object);
  return exit_status::ok;
}

int provider_add(const invocation& in) {
  auto body = provider_body(in, true);
  if (!in.has("--key") && in.get("--type") != "ollama")
    usage_failure(in.get("--type")
                  + " accounts need --key (for a subscription use 'openhinge "
                    "provider login "
                  + in.get("--type")
                  + "' or 'provider "
                    "import')");
  session s{in};
  auto answer = s.post("/admin/providers", body.str());
  emit(s, answer, [](const json::value& p) {
    return "Added " + cell(p, "type") + " account '" + cell(p, "name") + "' ("
           + cell(p, "id")
           + ").\nCheck it with: openhinge provider "
             "health "
           + cell(p, "id") + "\n";
  });
  return exit_status::ok;
}

int provider_update(const invocation& in) {
  auto body = provider_body(in, false);
  if (body.empty())
    usage_failure("nothing to update: give at least one field, e.g. "
                  "--priority 10 or --disable (see 'openhinge help provider "
                  "update')");
  session s{in};
  auto answer
    = s.patch("/admin/providers/" + segment(in.operands[0]), body.str());
  emit(s, answer, [](const json::value& p) {
    return "Updated '" + cell(p, "name") + "' (" + cell(p, "id") + ").\n";
  });
  return exit_status::ok;
}

int provider_delete(const invocation& in) {
  session s{in};
  if (in.operands.size() == 1) {
    auto answer = s.del("/admin/providers/" + segment(in.operands[0]));
    emit(s, answer, [&](const json::value&) {
      return "Deleted provider " + in.operands[0] + ".\n";
    });
    return exit_status::ok;
  }
  auto answer = s.post(
    "/admin/providers/bulk",
    body_builder{}.text("action", "delete").strings("ids", in.operands).str());
  emit(s, answer, [&](const json::value& r) {
    auto n = json::get_int64(r, "affected");
    std::string out = "Deleted " + std::to_string(n) + " of "
                      + std::to_string(in.operands.size()) + " accounts.\n";
    return out;
  });
  auto affected = json::get_int64(answer, "affected");
  if (affected < static_cast<int64_t>(in.operands.size()))
    throw cli_failure{exit_status::api_error,
                      std::to_string(in.operands.size() - affected)
                        + " of the ids named no account"};
  return exit_status::ok;
}

int provider_probe(const invocation& in) {
  body_builder b;
  b.text("type", in.get("--type"));
  if (in.has("--key"))
    b.text("api_key", in.get("--key"));
  if (in.has("--base-url"))
    b.text("base_url", in.get("--base-url"));
  session s{in};
  auto answer = s.post("/admin/providers/probe", b.str());
  if (s.json_output()) {
    print(pretty(answer));
  } else {
    auto* h = json::find(answer, "health");
    std::string out;
    if (h && h->IsObject()) {
      auto status = cell(*h, "status");
      out += "Status:  " + paint(status, tone_of(status)) + " ("
             + cell(*h, "latency_ms") + " ms)\n";
      if (auto m = cell(*h, "message"); m != "-")
        out += "Message: " + m + "\n";
    }
    print(out);
    if (auto* m = json::find(answer, "models"))
      print(model_table(*m));
  }
  auto* h = json::find(answer, "health");
  bool healthy = h && json::get_string(*h, "status").value_or("") == "healthy";
  return healthy ? exit_status::ok : exit_status::api_error;
}

int provider_health(const invocation& in) {
  session s{in};
  if (in.operands.empty()) {
    progress("Checking every account (each asks its vendor)…");
    auto answer = s.post("/admin/providers/health", "{}");
    progress("", false);
    emit(s, answer, health_table);
    return exit_status::ok;
  }
  json::document rows;
  rows.SetArray();
  size_t i = 0;
  for (auto& id : in.operands) {
    progress("Checking " + std::to_string(++i) + "/"
             + std::to_string(in.operands.size()) + ": " + id + "…");
    auto answer = s.post("/admin/providers/" + segment(id) + "/health", "{}");
    json::value copy{data_of(answer), rows.GetAllocator()};
    rows.PushBack(copy, rows.GetAllocator());
  }
  progress("", false);
  if (s.json_output())
    print(pretty(rows));
  else
    print(health_table(rows));
  return exit_status::ok;
}

int provider_models(const invocation& in) {
  session s{in};
  emit(s, s.get("/admin/providers/" + segment(in.operands[0]) + "/models"),
       model_table);
  return exit_status::ok;
}

} // namespace oh::cli::commands
