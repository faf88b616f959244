#include "providers/oauth/oauth_client.hpp"

#include <array>
#include <cctype>

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace oh::providers::oauth {

namespace {

// Reference §3.2: the public clients of Claude Code, the Codex CLI and the
// Gemini CLI, their redirect ports and scopes. Google's client id and
// secret are not shipped (client_secrets, from the environment).
const std::array<client_facts, 3> all_facts = {{
  {"claude", "Claude (Subscription)", "https://claude.ai/oauth/authorize",
   "https://platform.claude.com/v1/oauth/token",
   "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
   "http://localhost:19547/oauth/callback", 19547, "/oauth/callback",
   "user:profile user:inference", "", true},
  {"openai", "OpenAI (ChatGPT)", "https://auth.openai.com/oauth/authorize",
   "https://auth.openai.com/oauth/token", "app_EMoamEEZ73f0CkXaXp7hrann",
   "http://localhost:1455/auth/callback", 1455, "/auth/callback",
   "openid profile email offline_access",
   "&id_token_add_organizations=true&codex_cli_simplified_flow=true"
   "&originator=openhinge",
   false},
  {"gemini", "Google Gemini", "https://accounts.google.com/o/oauth2/v2/auth",
   "https://oauth2.googleapis.com/token", "",
   "http://localhost:8085/oauth2callback", 8085, "/oauth2callback",
   "https://www.googleapis.com/auth/cloud-platform "
   "https://www.googleapis.com/auth/userinfo.email "
   "https://www.googleapis.com/auth/userinfo.profile",
   "&access_type=offline&prompt=consent", false},
}};

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// Value of `name` in `a=1&b=2`, decoded; nothing when absent.
std::optional<std::string> query_value(std::string_view query,
                                       std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return url_decode(eq == std::string_view::npos ? std::string_view{}
                                                     : pair.substr(eq + 1));
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

void add_form(std::string& out, std::string_view name, std::string_view v) {
  if (!out.empty())
    out += '&';
  out += name;
  out += '=';
  out += url_encode(v);
}

} // namespace

const client_facts* facts_for(std::string_view type) {
  for (auto& f : all_facts)
    if (f.type == type)
      return &f;
  return nullptr;
}

std::string rebased(std::string_view url, std::string_view endpoint_base) {
  if (endpoint_base.empty())
    return std::string{url};
  auto scheme = url.find("://");
  auto path_at = scheme == std::string_view::npos ? std::string_view::npos
                                                  : url.find('/', scheme + 3);
  while (!endpoint_base.empty() && endpoint_base.back() == '/')
    endpoint_base.remove_suffix(1);
  return std::string{endpoint_base}
         + std::string{path_at == std::string_view::npos ? std::string_view{}
                                                         : url.substr(path_at)};
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0
               && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string challenge_for(std::string_view verifier) {
  auto digest = crypto::sha256(verifier);
  return crypto::base64url(digest.data(), digest.size());
}

pkce_pair make_pkce() {
  auto raw = crypto::random_bytes(32);
  pkce_pair p;
  p.verifier = crypto::base64url(raw.data(), raw.size());
  p.challenge = challenge_for(p.verifier);
  return p;
}

std::string new_state() {
  return crypto::to_hex(crypto::random_bytes(16));
}

std::string authorize_url(const client_facts& f, std::string_view state,
                          std::string_view challenge,
                          const client_secrets& secrets,
                          std::string_view endpoint_base) {
  std::string client_id
    = secrets.client_id.empty() ? std::string{f.client_id} : secrets.client_id;
  std::string url = rebased(f.authorize_url, endpoint_base);
  url += "?response_type=code&client_id=" + url_encode(client_id);
  url += "&redirect_uri="
         + url_encode(secrets.redirect_uri.empty() ? std::string{f.redirect_uri}
                                                   : secrets.redirect_uri);
  url += "&scope=" + url_encode(f.scope);
  url += "&state=" + url_encode(state);
  url += "&code_challenge=" + url_encode(challenge);
  url += "&code_challenge_method=S256";
  url += f.extra_params;
  return url;
}

token_call exchange_call(const client_facts& f, std::string_view code,
                         std::string_view verifier, std::string_view state,
                         const client_secrets& secrets,
                         std::string_view endpoint_base) {
  std::string client_id
    = secrets.client_id.empty() ? std::string{f.client_id} : secrets.client_id;
  std::string redirect = secrets.redirect_uri.empty()
                           ? std::string{f.redirect_uri}
                           : secrets.redirect_uri;
  token_call call;
  call.url = rebased(f.token_url, endpoint_base);
  if (f.json_body) {
    call.content_type = "application/json";
    std::string b = "{\"grant_type\":\"authorization_code\",\"code\":";
    json::append_quoted(b, code);
    b += ",\"redirect_uri\":";
    json::append_quoted(b, redirect);
    b += ",\"client_id\":";
    json::append_quoted(b, client_id);
    b += ",\"code_verifier\":";
    json::append_quoted(b, verifier);
    b += ",\"state\":";
    json::append_quoted(b, state);
    b += "}";
    call.body = std::move(b);
    return call;
  }
  call.content_type = "application/x-www-form-urlencoded";
  add_form(call.body, "grant_type", "authorization_code");
  add_form(call.body, "code", code);
  add_form(call.body, "redirect_uri", redirect);
  add_form(call.body, "client_id", client_id);
  add_form(call.body, "code_verifier", verifier);
  if (!secrets.client_secret.empty())
    add_form(call.body, "client_secret", secrets.client_secret);
  return call;
}

token_call refresh_call(std::string_view type, std::string_view refresh_token,
                        std::string_view client_id,
                        std::string_view client_secret,
                        std::string_view endpoint_base) {
  const auto* f = facts_for(type);
  token_call call;
  if (f == nullptr)
    return call;
  std::string id
    = client_id.empty() ? std::string{f->client_id} : std::string{client_id};
  call.url = rebased(f->token_url, endpoint_base);
  if (f->json_body) {
    call.content_type = "application/json";
    std::string b = "{\"grant_type\":\"refresh_token\",\"refresh_token\":";
    json::append_quoted(b, refresh_token);
    b += ",\"client_id\":";
    json::append_quoted(b, id);
    b += ",\"scope\":";
    json::append_quoted(b, f->scope);
    b += "}";
    call.body = std::move(b);
    return call;
  }
  call.content_type = "application/x-www-form-urlencoded";
  add_form(call.body, "grant_type", "refresh_token");
  add_form(call.body, "refresh_token", refresh_token);
  add_form(call.body, "client_id", id);
  if (!client_secret.empty())
    add_form(call.body, "client_secret", client_secret);
  return call;
}

expected<token_answer> read_token_answer(unsigned status,
                                         std::string_view body) {
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject())
    return fail(errc::upstream_failed, "the token endpoint answered HTTP "
                                         + std::to_string(status)
                                         + " without JSON");
  auto err = json::get_string(*doc, "error");
  if (status < 200 || status >= 300 || err) {
    auto why = json::get_string(*doc, "error_description")
                 .value_or(err.value_or("HTTP " + std::to_string(status)));
    if (auto* e = json::find(*doc, "error"); e && e->IsObject())
      why = json::get_string(*e, "message").value_or(why);
    return fail(errc::upstream_failed, "token endpoint: " + why);
  }
  token_answer out;
  out.access_token = json::get_string(*doc, "access_token").value_or("");
  if (out.access_token.empty())
    return fail(errc::upstream_failed,
                "token endpoint: the answer has no access_token");
  out.refresh_token = json::get_string(*doc, "refresh_token").value_or("");
  out.id_token = json::get_string(*doc, "id_token").value_or("");
  out.expires_in_s = json::get_int64(*doc, "expires_in");
  return out;
}

expected<std::string> chatgpt_account_id(std::string_view id_token) {
  auto first = id_token.find('.');
  auto second = first == std::string_view::npos ? std::string_view::npos
                                                : id_token.find('.', first + 1);
  if (second == std::string_view::npos)
    return fail(errc::invalid_value, "id_token: not a JWT");
  auto payload
    = crypto::base64url_decode(id_token.substr(first + 1, second - first - 1));
  if (!payload)
    return fail(errc::invalid_value, "id_token: payload is not base64url");
  auto doc = json::parse(*payload);
  if (!doc || !doc->IsObject())
    return fail(errc::invalid_value, "id_token: payload is not JSON");
  if (auto* auth = json::find(*doc, "https://api.openai.com/auth");
      auth && auth->IsObject())
    if (auto id = json::get_string(*auth, "chatgpt_account_id");
        id && !id->empty())
      return *id;
  return fail(errc::invalid_value, "id_token: no chatgpt_account_id claim");
}

expected<redirect_parts> read_redirect(std::string_view pasted) {
  while (!pasted.empty()
         && std::isspace(static_cast<unsigned char>(pasted.front())))
    pasted.remove_prefix(1);
  while (!pasted.empty()
         && std::isspace(static_cast<unsigned char>(pasted.back())))
    pasted.remove_suffix(1);
  if (pasted.empty())
    return fail(errc::invalid_value, "the pasted redirect is empty");
  redirect_parts out;
  auto q = pasted.find('?');
  bool looks_like_query = q != std::string_view::npos
                          || pasted.find("code=") != std::string_view::npos
                          || pasted.find("error=") != std::string_view::npos;
  if (looks_like_query) {
    auto query = q == std::string_view::npos ? pasted : pasted.substr(q + 1);
    if (auto hash = query.find('#'); hash != std::string_view::npos)
      query = query.substr(0, hash);
    if (auto e = query_value(query, "error")) {
      out.error = *e;
      if (auto d = query_value(query, "error_description"))
        out.error += ": " + *d;
      return out;
    }
    out.code = query_value(query, "code").value_or("");
    out.state = query_value(query, "state").value_or("");
  } else {
    // A bare code; Claude's page shows `code#state`.
    auto hash = pasted.find('#');
    out.code = std::string{pasted.substr(0, hash)};
    if (hash != std::string_view::npos)
      out.state = std::string{pasted.substr(hash + 1)};
  }
  if (out.code.empty())
    return fail(errc::invalid_value,
                "the pasted redirect has no authorization code");
  return out;
}

} // namespace oh::providers::oauth
