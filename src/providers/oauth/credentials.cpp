#include "providers/oauth/credentials.hpp"

#include <charconv>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "providers/oauth/oauth_client.hpp"

namespace oh::providers::oauth {

namespace {

/// Milliseconds since the epoch from a number or a numeric string.
int64_t millis_of(const json::value* v) {
  if (v == nullptr)
    return 0;
  if (v->IsInt64())
    return v->GetInt64();
  if (v->IsNumber())
    return static_cast<int64_t>(v->GetDouble());
  if (v->IsString()) {
    int64_t out = 0;
    auto* b = v->GetString();
    auto* e = b + v->GetStringLength();
    auto [p, ec] = std::from_chars(b, e, out);
    if (ec == std::errc{} && p == e)
      return out;
  }
  return 0;
}

/// `exp` (seconds) of a JWT's payload, in milliseconds; 0 when the token is
/// no JWT or has none.
int64_t jwt_expiry_ms(std::string_view token) {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? std::string_view::npos
                                                : token.find('.', first + 1);
  if (second == std::string_view::npos)
    return 0;
  auto payload
    = crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload)
    return 0;
  auto doc = json::parse(*payload);
  if (!doc || !doc->IsObject())
    return 0;
  auto exp = json::get_int64(*doc, "exp");
  return exp > 0 ? exp * 1000 : 0;
}

std::string text_of(const json::value& obj, const char* name) {
  return json::get_string(obj, name).value_or("");
}

expected<token_set> parse_claude_code(const json::value& doc) {
  auto* o = json::find(doc, "claudeAiOauth");
  if (o == nullptr || !o->IsObject())
    return fail(errc::invalid_value,
                "no claudeAiOauth object: not a Claude Code credentials file");
  token_set t;
  t.access_token = text_of(*o, "accessToken");
  t.refresh_token = text_of(*o, "refreshToken");
  t.expires_at_ms = millis_of(json::find(*o, "expiresAt"));
  t.subscription_type = text_of(*o, "subscriptionType");
  if (t.access_token.empty())
    return fail(errc::invalid_value, "claudeAiOauth.accessToken is missing");
  return t;
}

expected<token_set> parse_codex(const json::value& doc) {
  auto* tokens = json::find(doc, "tokens");
  if (tokens == nullptr || !tokens->IsObject())
    return fail(errc::invalid_value,
                "no tokens object: the Codex CLI is not signed in with "
                "ChatGPT (an API-key login has none)");
  token_set t;
  t.access_token = text_of(*tokens, "access_token");
  t.refresh_token = text_of(*tokens, "refresh_token");
  t.id_token = text_of(*tokens, "id_token");
  t.account_id = text_of(*tokens, "account_id");
  if (t.account_id.empty() && !t.id_token.empty())
    if (auto id = chatgpt_account_id(t.id_token))
      t.account_id = *id;
  if (t.access_token.empty())
    return fail(errc::invalid_value, "tokens.access_token is missing");
  // The access token is a JWT; its `exp` is the expiry.
  t.expires_at_ms = jwt_expiry_ms(t.access_token);
  return t;
}

expected<token_set> parse_adc(const json::value& doc) {
  token_set t;
  t.refresh_token = text_of(doc, "refresh_token");
  t.client_id = text_of(doc, "client_id");
  t.client_secret = text_of(doc, "client_secret");
  t.project_id = text_of(doc, "quota_project_id");
  if (auto type = json::get_string(doc, "type");
      type && *type != "authorized_user")
    return fail(errc::invalid_value,
                "type is " + *type
                  + ": only a user login (authorized_user) can be borrowed");
  if (t.refresh_token.empty() || t.client_id.empty())
    return fail(errc::invalid_value,
                "refresh_token or client_id is missing: not an application "
                "default credentials file of a user login");
  return t;
}

} // namespace

std::optional<cli_source> source_named(std::string_view name) {
  if (name == "claude_code")
    return cli_source::claude_code;
  if (name == "codex")
    return cli_source::codex;
  if (name == "gcloud_adc" || name == "gcloud")
    return cli_source::gcloud_adc;
  return std::nullopt;
}

std::string_view source_name(cli_source s) {
  switch (s) {
    case cli_source::claude_code:
      return "claude_code";
    case cli_source::codex:
      return "codex";
    case cli_source::gcloud_adc:
      break;
  }
  return "gcloud_adc";
}

std::string_view source_label(cli_source s) {
  switch (s) {
    case cli_source::claude_code:
      return "Claude Code";
    case cli_source::codex:
      return "Codex CLI";
    case cli_source::gcloud_adc:
      break;
  }
  return "gcloud";
}

std::string_view source_type(cli_source s) {
  switch (s) {
    case cli_source::claude_code:
      return "claude";
    case cli_source::codex:
      return "openai";
    case cli_source::gcloud_adc:
      break;
  }
  return "gemini";
}

bool source_rotates(cli_source s) {
  return s != cli_source::gcloud_adc;
}

expected<token_set> parse_cli_file(cli_source s, std::string_view text) {
  auto doc = json::parse(text);
  if (!doc)
    return fail(errc::invalid_value, "not JSON: " + doc.error().message);
  if (!doc->IsObject())
    return fail(errc::invalid_value, "not a JSON object");
  switch (s) {
    case cli_source::claude_code:
      return parse_claude_code(*doc);
    case cli_source::codex:
      return parse_codex(*doc);
    case cli_source::gcloud_adc:
      break;
  }
  return parse_adc(*doc);
}

std::string default_cli_path(cli_source s, const env_lookup_fn& env) {
  auto get = [&](const char* name) -> std::string {
    auto v = env(name);
    return v ? *v : std::string{};
  };
  auto home = get("HOME");
  switch (s) {
    case cli_source::claude_code:
      if (auto dir = get("CLAUDE_CONFIG_DIR"); !dir.empty())
        return dir + "/.credentials.json";
      return home.empty() ? "" : home + "/.claude/.credentials.json";
    case cli_source::codex:
      if (auto dir = get("CODEX_HOME"); !dir.empty())
        return dir + "/auth.json";
      return home.empty() ? "" : home + "/.codex/auth.json";
    case cli_source::gcloud_adc:
      break;
  }
  if (auto dir = get("CLOUDSDK_CONFIG"); !dir.empty())
    return dir + "/application_default_credentials.json";
  return home.empty()
           ? ""
           : home + "/.config/gcloud/application_default_credentials.json";
}

account_credential read_account_credential(std::string_view type,
                                           std::string_view auth_mode,
                                           std::string_view credentials_json) {
  account_credential out;
  auto doc = json::parse(credentials_json);
  if (!doc || !doc->IsObject())
    return out;
  auto& c = *doc;
  out.api_key = text_of(c, "api_key");
  if (auth_mode == "api_key")
    return out;
  auto& t = out.tokens;
  t.access_token = text_of(c, "oauth_token");
  if (t.access_token.empty())
    t.access_token = text_of(c, "access_token");
  t.refresh_token = text_of(c, "refresh_token");
  t.id_token = text_of(c, "id_token");
  t.account_id = text_of(c, "account_id");
  t.project_id = text_of(c, "project_id");
  t.client_id = text_of(c, "client_id");
  t.client_secret = text_of(c, "client_secret");
  t.subscription_type = text_of(c, "subscription_type");
  t.expires_at_ms = millis_of(json::find(c, "expires_at"));
  if (type == "gemini" && t.access_token.starts_with("{")) {
    // The original stored Gemini's token and project as JSON text.
    if (auto inner = json::parse(t.access_token); inner && inner->IsObject()) {
      auto token = text_of(*inner, "token");
      if (token.empty())
        token = text_of(*inner, "access_token");
      if (t.project_id.empty())
        t.project_id = text_of(*inner, "projectId");
      t.access_token = token;
    }
  }
  if (t.account_id.empty() && !t.id_token.empty())
    if (auto id = chatgpt_account_id(t.id_token))
      t.account_id = *id;
  if (auth_mode == "borrowed") {
    out.source_path = text_of(c, "source_path");
    auto named = source_named(text_of(c, "source"));
    if (!named) {
      // The type says which CLI serves it (never which files exist).
      if (type == "claude")
        named = cli_source::claude_code;
      else if (type == "openai")
        named = cli_source::codex;
      else if (type == "gemini")
        named = cli_source::gcloud_adc;
    }
    out.source = named;
  }
  return out;
}

std::string with_tokens(std::string_view credentials_json, const token_set& t) {
  json::document doc;
  if (auto parsed = json::parse(credentials_json); parsed && parsed->IsObject())
    doc = std::move(*parsed);
  else
    doc.SetObject();
  auto& a = doc.GetAllocator();
  auto set = [&](const char* name, const std::string& v) {
    doc.RemoveMember(name);
    if (!v.empty())
      doc.AddMember(json::value(name, a), json::value(v.c_str(), a), a);
  };
  doc.RemoveMember("access_token");
  set("oauth_token", t.access_token);
  set("refresh_token", t.refresh_token);
  set("id_token", t.id_token);
  set("account_id", t.account_id);
  set("project_id", t.project_id);
  set("client_id", t.client_id);
  set("client_secret", t.client_secret);
  set("expires_at",
      t.expires_at_ms > 0 ? std::to_string(t.expires_at_ms) : std::string{});
  return json::to_string(doc);
}

} // namespace oh::providers::oauth
