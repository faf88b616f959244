// soul list|show|add|update|delete (SPEC §13.2), over /admin/souls. A soul
// is named by its id or its slug.

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/flag_values.hpp"

namespace oh::cli::commands {

namespace {

std::string soul_table(const json::value& list) {
  table t{
    {"ID", "NAME", "SLUG", "PROVIDER", "MODEL", "TEMP", "ENABLED", "ENDPOINT"}};
  t.flexible({1, 7}).toned(6);
  if (list.IsArray())
    for (auto& s : list.GetArray())
      t.add({cell(s, "id"), cell(s, "name"), cell(s, "slug"),
             cell(s, "provider_id"), cell(s, "model"), cell(s, "temperature"),
             cell(s, "is_enabled"), cell(s, "endpoint")});
  return t.render("No souls yet. Create one with 'openhinge soul add --name "
                  "NAME --system-prompt TEXT'.");
}

/// The soul's id for an id or a slug (the API addresses souls by id).
std::string soul_id(session& s, const std::string& id_or_slug) {
  auto list = s.get("/admin/souls");
  auto& data = data_of(list);
  if (data.IsArray())
    for (auto& soul : data.GetArray())
      if (cell(soul, "id") == id_or_slug || cell(soul, "slug") == id_or_slug)
        return cell(soul, "id");
  throw cli_failure{exit_status::api_error,
                    "no soul with the id or slug '" + id_or_slug
                      + "' (see 'openhinge soul list')"};
}

body_builder soul_body(const invocation& in, bool creating) {
  body_builder b;
  // An empty value clears an optional field (--model '').
  auto text_or_null = [&](const char* flag, const char* field) {
    if (!in.has(flag))
      return;
    auto v = in.get(flag);
    if (v.empty() && !creating)
      b.null(field);
    else
      b.text(field, v);
  };
  text_or_null("--name", "name");
  if (in.has("--system-prompt") && in.has("--system-prompt-file"))
    usage_failure("give --system-prompt or --system-prompt-file, not both");
  if (in.has("--system-prompt"))
    b.text("system_prompt", in.get("--system-prompt"));
  else if (in.has("--system-prompt-file"))
    b.text("system_prompt", read_text_file(in.get("--system-prompt-file"),
                                           "--system-prompt-file"));
  else if (creating)
    usage_failure("'soul add' needs --system-prompt TEXT or "
                  "--system-prompt-file FILE");
  text_or_null("--slug", "slug");
  text_or_null("--description", "description");
  text_or_null("--provider", "provider_id");
  text_or_null("--model", "model");
  if (in.has("--fallback"))
    b.strings("fallback_chain", split_list(in.get("--fallback")));
  if (in.has("--strict-chain") && in.has("--no-strict-chain"))
    usage_failure("--strict-chain and --no-strict-chain contradict each other");
  if (in.has("--strict-chain"))
    b.boolean("strict_chain", true);
  if (in.has("--no-strict-chain"))
    b.boolean("strict_chain", false);
  if (in.has("--temperature") && in.get("--temperature").empty() && !creating)
    b.null("temperature");
  else if (auto t = number_flag(in, "--temperature", 0, 2))
    b.number("temperature", *t);
  if (in.has("--max-tokens") && in.get("--max-tokens").empty() && !creating)
    b.null("max_tokens");
  else if (auto m = integer_flag(in, "--max-tokens", 1, 10'000'000))
    b.integer("max_tokens", *m);
  if (in.has("--schema-file")) {
    auto path = in.get("--schema-file");
    if (path.empty() && !creating) {
      b.null("response_schema");
    } else {
      auto text = read_text_file(path, "--schema-file");
      auto doc = json::parse(text);
      if (!doc)
        usage_failure("--schema-file: " + path
                      + " is not JSON: " + doc.error().message);
      b.raw("response_schema", json::to_string(*doc));
    }
  }
  enabled_flags(in, b);
  return b;
}

std::string endpoint_hint(const session& s, const json::value& soul) {
  return "Endpoint: POST " + s.url() + cell(soul, "endpoint") + "\n";
}

} // namespace

int soul_list(const invocation& in) {
  session s{in};
  emit(s, s.get("/admin/souls"), soul_table);
  return exit_status::ok;
}

int soul_show(const invocation& in) {
  session s{in};
  auto id = soul_id(s, in.operands[0]);
  emit(s, s.get("/admin/souls/" + segment(id)), describe_object);
  return exit_status::ok;
}

int soul_add(const invocation& in) {
  auto body = soul_body(in, true);
  session s{in};
  auto answer = s.post("/admin/souls", body.str());
  emit(s, answer, [&](const json::value& soul) {
    return "Created soul '" + cell(soul, "name") + "' (" + cell(soul, "id")
           + ").\n" + endpoint_hint(s, soul);
  });
  return exit_status::ok;
}

int soul_update(const invocation& in) {
  auto body = soul_body(in, false);
  if (body.empty())
    usage_failure("nothing to update: give at least one field, e.g. "
                  "--temperature 0.2 (see 'openhinge help soul update')");
  session s{in};
  auto id = soul_id(s, in.operands[0]);
  auto answer = s.patch("/admin/souls/" + segment(id), body.str());
  emit(s, answer, [&](const json::value& soul) {
    return "Updated soul '" + cell(soul, "name") + "' (version "
           + cell(soul, "version") + ").\n" + endpoint_hint(s, soul);
  });
  return exit_status::ok;
}

int soul_delete(const invocation& in) {
  session s{in};
  json::document results;
  results.SetArray();
  for (auto& name : in.operands) {
    auto id = soul_id(s, name);
    s.del("/admin/souls/" + segment(id));
    if (!s.json_output())
      print("Deleted soul " + name + ".\n");
    results.PushBack(json::value{id.c_str(), results.GetAllocator()},
                     results.GetAllocator());
  }
  if (s.json_output()) {
    json::document out;
    out.SetObject();
    out.AddMember("deleted", json::value{results, out.GetAllocator()},
                  out.GetAllocator());
    print(pretty(out));
  }
  return exit_status::ok;
}

} // namespace oh::cli::commands
