#include "http/handlers/admin_detect.hpp"

#include <array>
#include <cstdlib>

#include "core/clock.hpp"
#include "core/data_dir.hpp"
#include "providers/model_listing.hpp"
#include "providers/oauth/credentials.hpp"
#include "providers/upstream_client.hpp"

namespace oh::http::handlers {

namespace {

struct env_source {
  const char* variable;
  const char* type;
};

/// Provider keys read from the server's environment (never other files).
constexpr std::array<env_source, 4> env_sources = {{
  {"ANTHROPIC_API_KEY", "claude"},
  {"OPENAI_API_KEY", "openai"},
  {"GEMINI_API_KEY", "gemini"},
  {"GOOGLE_API_KEY", "gemini"},
}};

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string{v} : std::string{};
}

namespace oauth = providers::oauth;

constexpr std::array<oauth::cli_source, 3> cli_sources
  = {oauth::cli_source::claude_code, oauth::cli_source::codex,
     oauth::cli_source::gcloud_adc};

/// The warning a copy of a rotating CLI token needs acknowledged (reference
/// §3.5: spending Claude Code's or Codex's refresh token signs the CLI out).
std::string copy_warning(oauth::cli_source s) {
  auto label = std::string{oauth::source_label(s)};
  return "copy takes the tokens over: when the gateway refreshes them, " + label
         + " on this machine is signed out and must log in again. "
         + "Use borrowed to keep " + label + " working.";
}

/// A CLI file's tokens, or why they cannot be read (never a token).
expected<oauth::token_set> read_cli(oauth::cli_source s,
                                    const std::string& path) {
  auto text = data_dir::read_small_file(path);
  if (!text)
    return text.error();
  auto parsed = oauth::parse_cli_file(s, *text);
  if (!parsed)
    return fail(errc::invalid_value, path + ": " + parsed.error().message);
  return parsed;
}

/// What the CLI files of the gateway's user offer (never their tokens).
std::string cli_detect_json() {
  std::string out;
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>{v} : std::nullopt;
  };
  for (auto s : cli_sources) {
    auto path = oauth::default_cli_path(s, env);
    auto tokens = read_cli(s, path);
    if (!tokens && tokens.error().code == errc::not_found)
      continue;
    if (!out.empty())
      out += ",";
    out += "{\"source\":\"" + std::string{oauth::source_name(s)}
           + "\",\"type\":\"" + std::string{oauth::source_type(s)}
           + "\",\"label\":";
    json::append_quoted(out, oauth::source_label(s));
    out += ",\"path\":";
    json::append_quoted(out, path);
    out += ",\"modes\":[\"borrowed\",\"copy\"],\"found\":";
    out += tokens ? "true" : "false";
    if (!tokens) {
      out += ",\"error\":";
      json::append_quoted(out, tokens.error().message);
      out += "}";
      continue;
    }
    out += ",\"expires_at\":";
    if (tokens->expires_at_ms > 0)
      json::append_quoted(out, clock::format_iso(tokens->expires_at_ms));
    else
      out += "null";
    out += ",\"subscription_type\":";
    if (tokens->subscription_type.empty())
      out += "null";
    else
      json::append_quoted(out, tokens->subscription_type);
    out += ",\"copy_warning\":";
    if (oauth::source_rotates(s))
      json::append_quoted(out, copy_warning(s));
    else
      out += "null";
    out += "}";
  }
  return out;
}

/// The POST /admin/providers body importing a CLI's login (SPEC §7):
/// `borrowed` follows the file, `copy` takes the tokens over (a rotating
/// CLI's only with `acknowledge_sign_out: true`).
expected<std::string> cli_import_body(oauth::cli_source s,
                                      const json::value& request) {
  auto mode = json::get_string(request, "mode").value_or("borrowed");
  if (mode != "borrowed" && mode != "copy")
    return fail(errc::invalid_value, "mode: must be borrowed or copy", "mode");
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>{v} : std::nullopt;
  };
  auto path = oauth::default_cli_path(s, env);
  auto tokens = read_cli(s, path);
  if (!tokens)
    return fail(errc::invalid_value,
                "source: " + std::string{oauth::source_label(s)}
                  + " credentials cannot be imported: "
                  + tokens.error().message,
                "source");
  auto* ack = json::find(request, "acknowledge_sign_out");
  if (mode == "copy" && oauth::source_rotates(s)
      && !(ack != nullptr && ack->IsBool() && ack->GetBool()))
    return fail(errc::invalid_value,
                "acknowledge_sign_out: " + copy_warning(s)
                  + " Send acknowledge_sign_out: true to copy anyway.",
                "acknowledge_sign_out");
  auto type = std::string{oauth::source_type(s)};
  std::string default_name
    = type == "claude" ? "Claude (" + std::string{oauth::source_label(s)} + ")"
      : type == "openai" ? "OpenAI (ChatGPT)"
                         : "Google Gemini";
  json::document body;
  body.SetObject();
  auto& a = body.GetAllocator();
  auto str = [&](const std::string& v) {
    return json::value{v.c_str(), a};
  };
  body.AddMember(
    "name", str(json::get_string(request, "name").value_or(default_name)), a);
  body.AddMember("type", str(type), a);
  if (auto base = json::get_string(request, "base_url"))
    body.AddMember("base_url", str(*base), a);
  if (auto* p = json::find(request, "priority"); p && p->IsInt64())
    body.AddMember("priority", json::value{p->GetInt64()}, a);
  json::value creds{rapidjson::kObjectType};
  if (mode == "borrowed") {
    body.AddMember("auth_mode", "borrowed", a);
    creds.AddMember("source", str(std::string{oauth::source_name(s)}), a);
    creds.AddMember("source_path", str(path), a);
  } else {
    body.AddMember("auth_mode", "oauth", a);
    auto add = [&](const char* name, const std::string& v) {
      if (!v.empty())
        creds.AddMember(rapidjson::StringRef(name), str(v), a);
    };
    add("oauth_token", tokens->access_token);
    add("refresh_token", tokens->refresh_token);
    add("id_token", tokens->id_token);
    add("account_id", tokens->account_id);
    add("project_id", tokens->project_id);
    add("client_id", tokens->client_id);
    add("client_secret", tokens->client_secret);
    if (tokens->expires_at_ms > 0)
      add("expires_at", std::to_string(tokens->expires_at_ms));
  }
  if (auto project = json::get_string(request, "project_id"))
    if (!creds.HasMember("project_id"))
      creds.AddMember("project_id", str(*project), a);
  body.AddMember("credentials", creds, a);
  return json::to_string(body);
}

/// Collects the /api/tags answer and answers the admin request.
class ollama_check final : public providers::upstream_handler {
public:
  ollama_check(std::string base, std::string env_json, responder respond)
    : base_(std::move(base)), env_json_(std::move(env_json)),
      respond_(std::move(respond)) {}
  void on_head(unsigned status, const providers::header_list&) override {
    status_ = status;
  }
  bool on_body(std::string_view bytes) override {
    if (body_.size() < 1024 * 1024)
      body_.append(bytes);
    return true;
  }
  void on_end() override {
    bool found = status_ >= 200 && status_ < 300;
    answer(found, found ? providers::parse_listing("ollama", body_)
                        : std::vector<std::string>{});
  }
  void on_fail(providers::upstream_failure, const std::string&) override {
    answer(false, {});
  }

private:
  void answer(bool found, const std::vector<std::string>& models) {
    std::string out = "{\"data\":[" + env_json_;
    if (auto cli = cli_detect_json(); !cli.empty()) {
      if (!env_json_.empty())
        out += ",";
      out += cli;
    }
    if (out.back() != '[')
      out += ",";
    out += "{\"source\":\"ollama\",\"type\":\"ollama\",\"mode\":\"api_key\","
           "\"base_url\":";
    json::append_quoted(out, base_);
    out += ",\"found\":";
    out += found ? "true" : "false";
    out += ",\"models\":[";
    for (size_t i = 0; i < models.size(); ++i) {
      if (i > 0)
        out += ",";
      json::append_quoted(out, models[i]);
    }
    out += "]}]}";
    http_response res;
    res.body = std::move(out);
    respond_(std::move(res));
  }

  std::string base_;
  std::string env_json_;
  responder respond_;
  unsigned status_ = 0;
  std::string body_;
};

} // namespace

std::string ollama_base_url(std::string_view host) {
  if (host.empty())
    return "http://127.0.0.1:11434";
  std::string url{host};
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    url = "http://" + url;
  auto scheme_end = url.find("://") + 3;
  auto rest = url.substr(scheme_end);
  while (!rest.empty() && rest.back() == '/')
    rest.pop_back();
  if (rest.starts_with(":"))
    rest = "127.0.0.1" + rest;
  if (rest.starts_with("0.0.0.0"))
    rest = "127.0.0.1" + rest.substr(7);
  if (rest.find(':') == std::string::npos
      && rest.find('/') == std::string::npos)
    rest += ":11434";
  return url.substr(0, scheme_end) + rest;
}

void handle_detect(const std::shared_ptr<app_context>& ctx, responder respond) {
  std::string env_json;
  for (auto& s : env_sources) {
    if (env_or_empty(s.variable).empty())
      continue;
    if (!env_json.empty())
      env_json += ",";
    env_json += std::string{"{\"source\":\"env:"} + s.variable
                + "\",\"type\":\"" + s.type
                + "\",\"mode\":\"api_key\",\"found\":true}";
  }
  auto base = ollama_base_url(env_or_empty("OLLAMA_HOST"));
  auto check = std::make_shared<ollama_check>(base, env_json, respond);
  auto req = providers::listing_request("ollama", base, "");
  if (!req || ctx->services == nullptr || ctx->services->upstream == nullptr) {
    check->on_fail(providers::upstream_failure::connect, "no upstream client");
    return;
  }
  // A local server answers at once; do not hold the admin request long.
  req->connect_timeout = std::chrono::milliseconds(3'000);
  req->first_byte_timeout = std::chrono::milliseconds(3'000);
  req->idle_timeout = std::chrono::milliseconds(3'000);
  req->total_timeout = std::chrono::milliseconds(3'000);
  ctx->services->upstream->start(std::move(*req), check);
}

expected<std::string> import_body(const json::value& request) {
  auto source = json::get_string(request, "source");
  if (!source)
    return fail(errc::missing_field, "source: is required", "source");
  if (auto cli = oauth::source_named(*source))
    return cli_import_body(*cli, request);
  auto name = json::get_string(request, "name");
  std::string body = "{\"name\":";
  if (*source == "ollama") {
    json::append_quoted(body, name.value_or("ollama"));
    body += ",\"type\":\"ollama\",\"base_url\":";
    json::append_quoted(body, ollama_base_url(env_or_empty("OLLAMA_HOST")));
    return body + "}";
  }
  for (auto& s : env_sources) {
    if (*source != std::string{"env:"} + s.variable)
      continue;
    auto secret = env_or_empty(s.variable);
    if (secret.empty())
      return fail(errc::invalid_value,
                  std::string{"source: "} + s.variable
                    + " is not set in the gateway's environment",
                  "source");
    json::append_quoted(body, name.value_or(std::string{s.type} + "-env"));
    body += ",\"type\":\"" + std::string{s.type}
            + "\",\"auth_mode\":\"api_key\",\"credentials\":{\"api_key\":";
    json::append_quoted(body, secret);
    return body + "}}";
  }
  return fail(errc::invalid_value,
              "source: must be claude_code, codex, gcloud_adc, ollama or "
              "env:ANTHROPIC_API_KEY, env:OPENAI_API_KEY, env:GEMINI_API_KEY "
              "or env:GOOGLE_API_KEY",
              "source");
}

} // namespace oh::http::handlers
