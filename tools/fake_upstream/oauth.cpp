#include "oauth.hpp"

#include <cctype>
#include <ctime>

#include <openssl/sha.h>

#include "core/crypto.hpp"
#include "core/json.hpp"

namespace fake::oauth {

namespace {

std::string q(std::string_view text) {
  std::string out;
  oh::json::append_quoted(out, text);
  return out;
}

std::string random_token(const char* prefix) {
  auto raw = oh::crypto::random_bytes(24);
  return prefix + oh::crypto::base64url(raw.data(), raw.size());
}

std::string b64url(std::string_view text) {
  return oh::crypto::base64url(reinterpret_cast<const uint8_t*>(text.data()),
                               text.size());
}

/// The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)).
std::string challenge_of(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()),
         verifier.size(), digest);
  return oh::crypto::base64url(digest, sizeof(digest));
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
std::string encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

std::string decode(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && nibble(text[i + 1]) >= 0
               && nibble(text[i + 2]) >= 0) {
      out.push_back(
        static_cast<char>(nibble(text[i + 1]) << 4 | nibble(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

answer text_error(std::string message) {
  return {400, std::move(message) + "\n", "text/plain", {}, false};
}

/// RFC 6749 §5.2: 400 with `error` and `error_description`.
answer oauth_error(const char* error, std::string_view description) {
  return {400,
          R"({"error":)" + q(error) + R"(,"error_description":)"
            + q(description) + "}",
          "application/json",
          {},
          false};
}

std::string get(const params& p, const char* name) {
  auto it = p.find(name);
  return it == p.end() ? std::string{} : it->second;
}

/// An OpenAI id_token: a JWT nobody verifies (the gateway only decodes it
/// for the account id), so its signature is a placeholder.
std::string id_token(const std::string& client_id, int64_t expires_in) {
  auto now = static_cast<int64_t>(std::time(nullptr));
  std::string payload
    = R"({"iss":"https://auth.openai.com","aud":[)" + q(client_id)
      + R"(],"sub":"user_fake","email":"fake@example.com","email_verified":true,"iat":)"
      + std::to_string(now) + R"(,"exp":)" + std::to_string(now + expires_in)
      + R"(,"https://api.openai.com/auth":{"chatgpt_account_id":"acct_fake","chatgpt_plan_type":"plus","chatgpt_user_id":"user_fake"}})";
  return b64url(R"({"alg":"RS256","typ":"JWT","kid":"fake"})") + "."
         + b64url(payload) + "." + b64url("fake-signature");
}

} // namespace

params decode_form(std::string_view text) {
  params out;
  size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find('&', pos);
    if (end == std::string_view::npos)
      end = text.size();
    auto item = text.substr(pos, end - pos);
    if (!item.empty()) {
      auto eq = item.find('=');
      if (eq == std::string_view::npos)
        out[decode(item)] = "";
      else
        out[decode(item.substr(0, eq))] = decode(item.substr(eq + 1));
    }
    pos = end + 1;
  }
  return out;
}

params query_of(std::string_view target) {
  auto at = target.find('?');
  return at == std::string_view::npos ? params{}
                                      : decode_form(target.substr(at + 1));
}

answer issuer::authorize(std::string_view target) {
  auto p = query_of(target);
  for (auto* name : {"response_type", "client_id", "redirect_uri", "scope",
                     "state", "code_challenge", "code_challenge_method"})
    if (get(p, name).empty())
      return text_error(std::string{"missing parameter "} + name);
  if (get(p, "response_type") != "code")
    return text_error("unsupported response_type " + get(p, "response_type"));
  if (get(p, "code_challenge_method") != "S256")
    return text_error("code_challenge_method must be S256");
  auto code = random_token("code_");
  codes_[code]
    = {get(p, "code_challenge"), get(p, "client_id"), get(p, "redirect_uri")};
  auto redirect = get(p, "redirect_uri");
  redirect += redirect.find('?') == std::string::npos ? "?" : "&";
  redirect += "code=" + encode(code) + "&state=" + encode(get(p, "state"));
  return {302, "", "text/plain", {{"location", redirect}}, false};
}

answer issuer::token(std::string_view path, std::string_view content_type,
                     std::string_view body) {
  // The vendors differ in body encoding and required fields (reference
  // §3.2, §3.4): Claude takes JSON, OpenAI and Google a form.
  vendor v = path == "/v1/oauth/token" ? vendor::claude
             : path == "/oauth/token"  ? vendor::openai
                                       : vendor::google;
  params p;
  if (v == vendor::claude) {
    if (content_type.find("application/json") == std::string_view::npos)
      return oauth_error("invalid_request",
                         "content-type must be application/json");
    oh::json::document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject())
      return oauth_error("invalid_request", "body is not a JSON object");
    for (auto& m : doc.GetObject())
      if (m.value.IsString())
        p[m.name.GetString()] = m.value.GetString();
  } else {
    if (content_type.find("application/x-www-form-urlencoded")
        == std::string_view::npos)
      return oauth_error(
        "invalid_request",
        "content-type must be application/x-www-form-urlencoded");
    p = decode_form(body);
  }
  auto grant = get(p, "grant_type");
  if (grant == "refresh_token") {
    ++refreshes_;
    last_refresh_body_ = std::string{body};
    auto a = refresh(v, p);
    a.refresh = true;
    return a;
  }
  if (grant == "authorization_code") {
    ++exchanges_;
    return exchange(v, p);
  }
  if (grant.empty())
    return oauth_error("invalid_request", "grant_type is missing");
  return oauth_error("unsupported_grant_type", "grant_type " + grant);
}

answer issuer::exchange(vendor v, const params& p) {
  for (auto* name : {"code", "code_verifier", "redirect_uri", "client_id"})
    if (get(p, name).empty())
      return oauth_error("invalid_request", std::string{name} + " is missing");
  if (v == vendor::google && get(p, "client_secret").empty())
    return oauth_error("invalid_request", "client_secret is missing.");
  auto it = codes_.find(get(p, "code"));
  if (it == codes_.end())
    return oauth_error("invalid_grant",
                       "authorization code is unknown or already used");
  if (challenge_of(get(p, "code_verifier")) != it->second.challenge)
    return oauth_error("invalid_grant",
                       "code_verifier does not match the code_challenge");
  if (get(p, "redirect_uri") != it->second.redirect_uri)
    return oauth_error("invalid_grant", "redirect_uri does not match");
  if (get(p, "client_id") != it->second.client_id)
    return oauth_error("invalid_grant", "client_id does not match");
  codes_.erase(it); // single use; a failed attempt leaves the code usable
  return issue(v, get(p, "client_id"));
}

answer issuer::refresh(vendor v, const params& p) {
  if (config.fail_refresh)
    return oauth_error("invalid_grant",
                       "refresh token is invalid (fake --fail-refresh)");
  for (auto* name : {"refresh_token", "client_id"})
    if (get(p, name).empty())
      return oauth_error("invalid_request", std::string{name} + " is missing");
  if (v == vendor::claude && get(p, "scope").empty())
    return oauth_error("invalid_request", "scope is missing");
  if (v == vendor::google && get(p, "client_secret").empty())
    return oauth_error("invalid_request", "client_secret is missing.");
  auto it = refresh_.find(get(p, "refresh_token"));
  if (it == refresh_.end())
    return oauth_error("invalid_grant", "refresh token not found");
  if (it->second.used)
    return oauth_error("invalid_grant", "refresh token already used");
  if (!it->second.client_id.empty()
      && it->second.client_id != get(p, "client_id"))
    return oauth_error("invalid_grant", "client_id does not match");
  // Rotation, as Anthropic and OpenAI do: the answer carries a new refresh
  // token and the old one is spent (unless --reuse-refresh).
  if (!config.reuse_refresh)
    it->second.used = true;
  return issue(v, get(p, "client_id"));
}

std::string issuer::new_access(vendor v, int64_t expires_in_s) {
  // Each vendor's prefix, so a token in a log shows where it came from.
  auto token = random_token(v == vendor::claude   ? "sk-ant-oat01-"
                            : v == vendor::google ? "ya29."
                                                  : "at_");
  access_[token] = {clock::now() + std::chrono::seconds(expires_in_s), false};
  return token;
}

answer issuer::issue(vendor v, const std::string& client_id) {
  auto access = new_access(v, config.expiry_s);
  auto refresh = random_token(v == vendor::claude   ? "sk-ant-ort01-"
                              : v == vendor::google ? "1//"
                                                    : "rt_");
  refresh_[refresh] = {client_id, false};
  std::string body = R"({"access_token":)" + q(access) + R"(,"refresh_token":)"
                     + q(refresh) + R"(,"expires_in":)"
                     + std::to_string(config.expiry_s)
                     + R"(,"token_type":"Bearer")";
  if (v == vendor::openai)
    body += R"(,"id_token":)" + q(id_token(client_id, config.expiry_s));
  return {200, body + "}", "application/json", {}, false};
}

answer issuer::seed(std::string_view body) {
  oh::json::document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return {400,
            R"({"error":"body is not a JSON object"})",
            "application/json",
            {},
            false};
  auto expires_in = oh::json::get_int64(doc, "expires_in", config.expiry_s);
  if (auto a = oh::json::get_string(doc, "access_token"); a && !a->empty())
    access_[*a] = {clock::now() + std::chrono::seconds(expires_in), false};
  if (auto r = oh::json::get_string(doc, "refresh_token"); r && !r->empty())
    refresh_[*r] = {"", false};
  return {200, R"({"ok":true})", "application/json", {}, false};
}

answer issuer::revoke() {
  int64_t count = 0;
  for (auto& [token, state] : access_)
    if (!state.revoked) {
      state.revoked = true;
      ++count;
    }
  return {200,
          R"({"revoked":)" + std::to_string(count) + "}",
          "application/json",
          {},
          false};
}

bearer issuer::check(std::string_view authorization) const {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size())
    return bearer::missing;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i])
      return bearer::missing;
  auto token = authorization.substr(scheme.size());
  if (!config.api_key.empty() && token == config.api_key)
    return bearer::valid;
  auto it = access_.find(token);
  if (it == access_.end())
    return bearer::unknown;
  if (it->second.revoked)
    return bearer::revoked;
  if (clock::now() >= it->second.expires)
    return bearer::expired;
  return bearer::valid;
}

std::string issuer::stats_members() const {
  return R"(,"refreshes":)" + std::to_string(refreshes_)
         + R"(,"token_exchanges":)" + std::to_string(exchanges_)
         + R"(,"last_refresh_body":)" + q(last_refresh_body_);
}

} // namespace fake::oauth
