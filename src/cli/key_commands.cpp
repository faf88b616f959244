// key list|show|create|update|rotate|revoke|reactivate|delete (SPEC
// §13.2), over /admin/keys. A secret is printed once, when it is made.

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/flag_values.hpp"
#include "core/clock.hpp"

namespace oh::cli::commands {

namespace {

std::string spend(const json::value& k, const char* spent, const char* budget) {
  auto* s = json::find(k, spent);
  auto* b = json::find(k, budget);
  std::string out
    = s && s->IsNumber() ? dollars_from_cents(s->GetDouble()) : "$0.00";
  if (b && b->IsNumber())
    out += "/" + dollars_from_cents(b->GetDouble());
  return out;
}

std::string key_state(const json::value& k) {
  auto enabled = json::find(k, "is_enabled");
  if (enabled && enabled->IsBool() && !enabled->GetBool())
    return "revoked";
  if (auto exp = json::get_string(k, "expires_at"))
    if (auto ms = clock::parse_timestamp(*exp); ms && *ms <= clock::now_ms())
      return "expired";
  return "active";
}

std::string key_table(const json::value& list) {
  table t{{"ID", "NAME", "KEY", "STATE", "FORMAT", "SOULS", "RPM", "TODAY",
           "MONTH", "REQUESTS", "EXPIRES", "LAST USED"}};
  t.flexible({1, 5}).toned(3);
  if (list.IsArray())
    for (auto& k : list.GetArray()) {
      auto souls = cell(k, "soul_ids");
      t.add({cell(k, "id"), cell(k, "name"),
             cell(k, "key_prefix") + "…" + cell(k, "last4"), key_state(k),
             cell(k, "api_format"), souls == "-" ? "all" : souls,
             cell(k, "rate_limit_rpm"),
             spend(k, "spent_today_cents", "daily_budget_cents"),
             spend(k, "spent_month_cents", "monthly_budget_cents"),
             cell(k, "total_requests"), when(cell(k, "expires_at")),
             when(cell(k, "last_used_at"))});
    }
  return t.render("No API keys yet. Create one with 'openhinge key create "
                  "--name NAME'.");
}

/// Soul ids for --souls given as ids or slugs.
std::vector<std::string> soul_ids(session& s, const std::string& list) {
  auto wanted = split_list(list);
  if (wanted.empty())
    return {};
  auto answer = s.get("/admin/souls");
  auto& souls = data_of(answer);
  std::vector<std::string> ids;
  for (auto& w : wanted) {
    std::string found;
    if (souls.IsArray())
      for (auto& soul : souls.GetArray())
        if (cell(soul, "id") == w || cell(soul, "slug") == w)
          found = cell(soul, "id");
    if (found.empty())
      usage_failure("--souls: no soul with the id or slug '" + w
                    + "' (see 'openhinge soul list')");
    ids.push_back(found);
  }
  return ids;
}

body_builder key_body(session& s, const invocation& in) {
  body_builder b;
  if (in.has("--name"))
    b.text("name", in.get("--name"));
  if (in.has("--format"))
    b.text("api_format", in.get("--format"));
  if (in.has("--souls"))
    b.strings("soul_ids", soul_ids(s, in.get("--souls")));
  constexpr int64_t big = 1'000'000'000;
  if (auto v = integer_flag(in, "--rpm", 0, big))
    b.integer("rate_limit_rpm", *v);
  if (auto v = integer_flag(in, "--tpm", 0, big))
    b.integer("rate_limit_tpm", *v);
  if (auto v = integer_flag(in, "--concurrency", 0, 1'000'000))
    b.integer("max_concurrency", *v);
  if (auto v = dollars_flag(in, "--daily-budget"))
    b.integer("daily_budget_cents", *v);
  if (auto v = dollars_flag(in, "--monthly-budget"))
    b.integer("monthly_budget_cents", *v);
  if (auto v = expiry_flag(in, "--expires", clock::now_ms())) {
    if (v->empty())
      b.null("expires_at");
    else
      b.text("expires_at", *v);
  }
  enabled_flags(in, b);
  return b;
}

/// The once-only secret with a first request to try it.
std::string secret_notice(const session& s, const json::value& k,
                          const std::string& what) {
  auto secret = cell(k, "key");
  std::string out = what + " '" + cell(k, "name") + "' (" + cell(k, "id")
                    + "). Its secret is shown only this once:\n\n  "
                    + paint(secret, tone::bold) + "\n\n";
  bool anthropic = cell(k, "api_format") == "anthropic";
  out += "Try it:\n  curl " + s.url()
         + (anthropic ? "/v1/messages -H \"x-api-key: " + secret + "\""
                      : "/v1/chat/completions -H \"Authorization: Bearer "
                          + secret + "\"")
         + " \\\n    -H 'content-type: application/json' -d "
           "'{\"model\":\"<model>\",\"messages\":[{\"role\":\"user\","
           "\"content\":\"Hello\"}]"
         + (anthropic ? ",\"max_tokens\":256" : "") + "}'\n";
  return out;
}

int key_action(const invocation& in, const char* action, const char* done) {
  session s{in};
  auto answer
    = s.post("/admin/keys/" + segment(in.operands[0]) + "/" + action, "{}");
  emit(s, answer, [&](const json::value&) {
    return std::string{done} + " key " + in.operands[0] + ".\n";
  });
  return exit_status::ok;
}

} // namespace

int key_list(const invocation& in) {
  session s{in};
  emit(s, s.get("/admin/keys"), key_table);
  return exit_status::ok;
}

int key_show(const invocation& in) {
  session s{in};
  emit(s, s.get("/admin/keys/" + segment(in.operands[0])), describe_object);
  return exit_status::ok;
}

int key_create(const invocation& in) {
  session s{in};
  auto answer = s.post("/admin/keys", key_body(s, in).str());
  emit(s, answer, [&](const json::value& k) {
    return secret_notice(s, k, "Created key");
  });
  return exit_status::ok;
}

int key_update(const invocation& in) {
  session s{in};
  auto body = key_body(s, in);
  if (body.empty())
    usage_failure("nothing to update: give at least one field, e.g. --rpm "
                  "600 (see 'openhinge help key update')");
  auto answer = s.patch("/admin/keys/" + segment(in.operands[0]), body.str());
  emit(s, answer, [](const json::value& k) {
    return "Updated key '" + cell(k, "name") + "' (" + cell(k, "id") + ").\n";
  });
  return exit_status::ok;
}

int key_rotate(const invocation& in) {
  session s{in};
  auto answer
    = s.post("/admin/keys/" + segment(in.operands[0]) + "/rotate", "{}");
  emit(s, answer, [&](const json::value& k) {
    return secret_notice(s, k, "Rotated key")
           + "The old secret no longer works.\n";
  });
  return exit_status::ok;
}

int key_revoke(const invocation& in) {
  return key_action(in, "revoke", "Revoked");
}

int key_reactivate(const invocation& in) {
  return key_action(in, "reactivate", "Reactivated");
}

int key_delete(const invocation& in) {
  session s{in};
  for (auto& id : in.operands) {
    s.del("/admin/keys/" + segment(id));
    if (!s.json_output())
      print("Deleted key " + id + ".\n");
  }
  if (s.json_output()) {
    body_builder b;
    b.strings("deleted", in.operands);
    print(pretty(*json::parse(b.str())));
  }
  return exit_status::ok;
}

} // namespace oh::cli::commands
