// The pure steps of the browser OAuth flow and of a refresh
// (providers/oauth/oauth_client.hpp, reference §3.2, docs/subscriptions.md):
// PKCE, authorize URLs, token endpoint calls and answers, the ChatGPT
// id_token's account id and a pasted redirect.

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "providers/oauth/oauth_client.hpp"

using namespace oh;
using namespace oh::providers::oauth;

namespace {

/// `a=1&b=2` as raw (still encoded) name → value pairs, in order.
std::vector<std::pair<std::string, std::string>>
raw_pairs(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    out.emplace_back(std::string{pair.substr(0, eq)},
                     eq == std::string_view::npos
                       ? std::string{}
                       : std::string{pair.substr(eq + 1)});
    if (amp == std::string_view::npos)
      break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

/// The decoded parameters of a query; a repeated name fails the test.
std::map<std::string, std::string> decoded(std::string_view query) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : raw_pairs(query)) {
    EXPECT_EQ(out.count(k), 0u) << "parameter " << k << " repeated";
    out[k] = url_decode(v);
  }
  return out;
}

std::string raw_value(std::string_view query, const std::string& name) {
  for (auto& [k, v] : raw_pairs(query))
    if (k == name)
      return v;
  ADD_FAILURE() << "no parameter " << name;
  return {};
}

std::string b64(std::string_view text) {
  return crypto::base64url(reinterpret_cast<const uint8_t*>(text.data()),
                           text.size());
}

/// An unsigned JWT with `payload` (JSON text) as its claims.
std::string jwt(std::string_view payload) {
  return b64(R"({"alg":"RS256","typ":"JWT"})") + "." + b64(payload)
         + ".c2lnbmF0dXJl";
}

bool is_base64url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

json::document parse_json(const std::string& text) {
  auto doc = json::parse(text);
  EXPECT_TRUE(doc) << text;
  if (!doc)
    return json::document{};
  EXPECT_TRUE(doc->IsObject()) << text;
  return std::move(*doc);
}

const client_facts& facts(std::string_view type) {
  auto* f = facts_for(type);
  EXPECT_NE(f, nullptr) << type;
  static const client_facts none{};
  return f != nullptr ? *f : none;
}

client_secrets secrets_of(std::string id, std::string secret) {
  client_secrets s;
  s.client_id = std::move(id);
  s.client_secret = std::move(secret);
  return s;
}

const char* claude_client = "9d1c250a-e61b-44d9-88ed-5944d1962f5e";
const char* openai_client = "app_EMoamEEZ73f0CkXaXp7hrann";

} // namespace

// -- facts, rebased, encoding --

TEST(OAuthFacts, KnowsTheThreeVendorsAndNothingElse) {
  ASSERT_NE(facts_for("claude"), nullptr);
  ASSERT_NE(facts_for("openai"), nullptr);
  ASSERT_NE(facts_for("gemini"), nullptr);
  EXPECT_EQ(facts_for("ollama"), nullptr);
  EXPECT_EQ(facts_for("openai_compatible"), nullptr);
  EXPECT_EQ(facts_for(""), nullptr);
  EXPECT_EQ(facts_for("Claude"), nullptr);

  auto& c = facts("claude");
  EXPECT_EQ(c.type, "claude");
  EXPECT_EQ(c.authorize_url, "https://claude.ai/oauth/authorize");
  EXPECT_EQ(c.token_url, "https://platform.claude.com/v1/oauth/token");
  EXPECT_EQ(c.client_id, claude_client);
  EXPECT_EQ(c.redirect_uri, "http://localhost:19547/oauth/callback");
  EXPECT_EQ(c.redirect_port, 19547);
  EXPECT_EQ(c.callback_path, "/oauth/callback");
  EXPECT_EQ(c.scope, "user:profile user:inference");
  EXPECT_TRUE(c.json_body);

  auto& o = facts("openai");
  EXPECT_EQ(o.authorize_url, "https://auth.openai.com/oauth/authorize");
  EXPECT_EQ(o.token_url, "https://auth.openai.com/oauth/token");
  EXPECT_EQ(o.client_id, openai_client);
  EXPECT_EQ(o.redirect_uri, "http://localhost:1455/auth/callback");
  EXPECT_EQ(o.redirect_port, 1455);
  EXPECT_EQ(o.callback_path, "/auth/callback");
  EXPECT_EQ(o.scope, "openid profile email offline_access");
  EXPECT_FALSE(o.json_body);

  auto& g = facts("gemini");
  EXPECT_EQ(g.authorize_url, "https://accounts.google.com/o/oauth2/v2/auth");
  EXPECT_EQ(g.token_url, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(g.client_id, ""); // from the environment (client_secrets)
  EXPECT_EQ(g.redirect_uri, "http://localhost:8085/oauth2callback");
  EXPECT_EQ(g.redirect_port, 8085);
  EXPECT_EQ(g.callback_path, "/oauth2callback");
  EXPECT_FALSE(g.json_body);
}

TEST(OAuthRebased, ReplacesSchemeAndHostAndKeepsThePath) {
  EXPECT_EQ(rebased("https://claude.ai/oauth/authorize", ""),
            "https://claude.ai/oauth/authorize");
  EXPECT_EQ(
    rebased("https://claude.ai/oauth/authorize", "http://127.0.0.1:8123"),
    "http://127.0.0.1:8123/oauth/authorize");
  EXPECT_EQ(rebased("https://platform.claude.com/v1/oauth/token",
                    "http://127.0.0.1:8123/"),
            "http://127.0.0.1:8123/v1/oauth/token");
  EXPECT_EQ(
    rebased("https://oauth2.googleapis.com/token", "http://127.0.0.1:8123///"),
    "http://127.0.0.1:8123/token");
  EXPECT_EQ(rebased("https://cloudcode-pa.googleapis.com/v1internal:"
                    "loadCodeAssist?alt=json",
                    "http://[::1]:9"),
            "http://[::1]:9/v1internal:loadCodeAssist?alt=json");
  // No path: the base alone.
  EXPECT_EQ(rebased("https://chatgpt.com", "http://127.0.0.1:1"),
            "http://127.0.0.1:1");
}

TEST(OAuthUrlCoding, EncodesEverythingButUnreservedAndDecodesBack) {
  EXPECT_EQ(url_encode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(url_encode("a b/c?d=e&f+g:h"), "a%20b%2Fc%3Fd%3De%26f%2Bg%3Ah");
  EXPECT_EQ(url_encode("\xc3\xa9"), "%C3%A9");
  EXPECT_EQ(url_encode(""), "");
  EXPECT_EQ(url_decode("a%20b%2Fc%3fd"), "a b/c?d");
  EXPECT_EQ(url_decode("a+b"), "a b");
  EXPECT_EQ(url_decode("%C3%A9"), "\xc3\xa9");
  EXPECT_EQ(url_decode("%41"), "A");
  // Malformed escapes stay as they are.
  EXPECT_EQ(url_decode("100%"), "100%");
  EXPECT_EQ(url_decode("%4"), "%4");
  EXPECT_EQ(url_decode("%zz%4g"), "%zz%4g");
  for (std::string s :
       {"a b&c=d", "sk-ant-oat01-Ab_c.d~e", "x/y+z%", "\x01\xff"})
    EXPECT_EQ(url_decode(url_encode(s)), s);
}

// -- PKCE and state --

TEST(OAuthPkce, MatchesRfc7636AppendixB) {
  EXPECT_EQ(challenge_for("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(OAuthPkce, VerifierIs43Base64UrlCharactersAndChallengeMatches) {
  auto a = make_pkce();
  auto b = make_pkce();
  EXPECT_EQ(a.verifier.size(), 43u); // 32 bytes, unpadded
  EXPECT_TRUE(is_base64url(a.verifier)) << a.verifier;
  EXPECT_EQ(a.challenge.size(), 43u);
  EXPECT_TRUE(is_base64url(a.challenge)) << a.challenge;
  EXPECT_EQ(a.challenge, challenge_for(a.verifier));
  EXPECT_NE(a.verifier, b.verifier);
  EXPECT_NE(a.challenge, b.challenge);
  auto raw = crypto::base64url_decode(a.verifier);
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 32u);
}

TEST(OAuthPkce, StateIs16RandomBytesAsHex) {
  auto s = new_state();
  EXPECT_EQ(s.size(), 32u);
  EXPECT_TRUE(std::all_of(s.begin(), s.end(),
                          [](char c) {
                            return (c >= '0' && c <= '9')
                                   || (c >= 'a' && c <= 'f');
                          }))
    << s;
  EXPECT_NE(s, new_state());
}

// -- authorize URL --

TEST(OAuthAuthorizeUrl, ClaudeHasEveryRequiredParameterEncoded) {
  auto url = authorize_url(facts("claude"), "st/1 2", "CHAL-_x", {}, "");
  const std::string prefix = "https://claude.ai/oauth/authorize?";
  ASSERT_EQ(url.substr(0, prefix.size()), prefix) << url;
  auto query = std::string_view{url}.substr(prefix.size());
  auto p = decoded(query);
  EXPECT_EQ(p.size(), 7u) << url; // no extras for Claude
  EXPECT_EQ(p["response_type"], "code");
  EXPECT_EQ(p["client_id"], claude_client);
  EXPECT_EQ(p["redirect_uri"], "http://localhost:19547/oauth/callback");
  EXPECT_EQ(p["scope"], "user:profile user:inference");
  EXPECT_EQ(p["state"], "st/1 2");
  EXPECT_EQ(p["code_challenge"], "CHAL-_x");
  EXPECT_EQ(p["code_challenge_method"], "S256");
  // Encoded on the wire: no raw reserved characters inside values.
  EXPECT_EQ(raw_value(query, "redirect_uri"),
            "http%3A%2F%2Flocalhost%3A19547%2Foauth%2Fcallback");
  EXPECT_EQ(raw_value(query, "scope"), "user%3Aprofile%20user%3Ainference");
  EXPECT_EQ(raw_value(query, "state"), "st%2F1%202");
  EXPECT_EQ(url.find(' '), std::string::npos) << url;
}

TEST(OAuthAuthorizeUrl, OpenAiAddsTheCodexExtras) {
  auto url = authorize_url(facts("openai"), "s", "c", {}, "");
  const std::string prefix = "https://auth.openai.com/oauth/authorize?";
  ASSERT_EQ(url.substr(0, prefix.size()), prefix) << url;
  auto query = std::string_view{url}.substr(prefix.size());
  auto p = decoded(query);
  EXPECT_EQ(p.size(), 10u) << url;
  EXPECT_EQ(p["response_type"], "code");
  EXPECT_EQ(p["client_id"], openai_client);
  EXPECT_EQ(p["redirect_uri"], "http://localhost:1455/auth/callback");
  EXPECT_EQ(p["scope"], "openid profile email offline_access");
  EXPECT_EQ(raw_value(query, "scope"),
            "openid%20profile%20email%20offline_access");
  EXPECT_EQ(p["state"], "s");
  EXPECT_EQ(p["code_challenge"], "c");
  EXPECT_EQ(p["code_challenge_method"], "S256");
  EXPECT_EQ(p["id_token_add_organizations"], "true");
  EXPECT_EQ(p["codex_cli_simplified_flow"], "true");
  EXPECT_EQ(p["originator"], "openhinge");
}

TEST(OAuthAuthorizeUrl, GeminiTakesTheClientFromSecretsAndAsksForOffline) {
  auto secrets = secrets_of("123-abc.apps.googleusercontent.com", "GOCSPX-s");
  auto url = authorize_url(facts("gemini"), "s", "c", secrets,
                           "http://127.0.0.1:7000/");
  const std::string prefix = "http://127.0.0.1:7000/o/oauth2/v2/auth?";
  ASSERT_EQ(url.substr(0, prefix.size()), prefix) << url;
  auto query = std::string_view{url}.substr(prefix.size());
  auto p = decoded(query);
  EXPECT_EQ(p.size(), 9u) << url;
  EXPECT_EQ(p["client_id"], "123-abc.apps.googleusercontent.com");
  EXPECT_EQ(p["redirect_uri"], "http://localhost:8085/oauth2callback");
  EXPECT_EQ(p["scope"], "https://www.googleapis.com/auth/cloud-platform "
                        "https://www.googleapis.com/auth/userinfo.email "
                        "https://www.googleapis.com/auth/userinfo.profile");
  EXPECT_EQ(p["access_type"], "offline");
  EXPECT_EQ(p["prompt"], "consent");
  EXPECT_EQ(p["code_challenge_method"], "S256");
  // The secret never appears in a URL the browser sees.
  EXPECT_EQ(url.find("GOCSPX"), std::string::npos) << url;
}

TEST(OAuthAuthorizeUrl, ASecretsClientIdOverridesTheFacts) {
  auto url
    = authorize_url(facts("claude"), "s", "c", secrets_of("other-id", ""), "");
  auto p = decoded(std::string_view{url}.substr(url.find('?') + 1));
  EXPECT_EQ(p["client_id"], "other-id");
}

TEST(OAuthAuthorizeUrl, ARedirectUriInSecretsOverridesTheFactsEverywhere) {
  auto secrets = secrets_of("", "");
  secrets.redirect_uri = "http://127.0.0.1:40001/oauth/callback";
  auto url = authorize_url(facts("claude"), "s", "c", secrets, "");
  auto p = decoded(std::string_view{url}.substr(url.find('?') + 1));
  EXPECT_EQ(p["redirect_uri"], "http://127.0.0.1:40001/oauth/callback");
  auto json_call = exchange_call(facts("claude"), "c", "v", "s", secrets, "");
  auto doc = parse_json(json_call.body);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(json::get_string(doc, "redirect_uri"),
            "http://127.0.0.1:40001/oauth/callback");
  auto form_call = exchange_call(facts("openai"), "c", "v", "s", secrets, "");
  EXPECT_EQ(decoded(form_call.body)["redirect_uri"],
            "http://127.0.0.1:40001/oauth/callback");
}

// -- token endpoint calls --

TEST(OAuthExchange, ClaudeSendsJsonWithState) {
  auto call = exchange_call(facts("claude"), "co\"de", "verif", "sta", {}, "");
  EXPECT_EQ(call.url, "https://platform.claude.com/v1/oauth/token");
  EXPECT_EQ(call.content_type, "application/json");
  auto doc = parse_json(call.body);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc.MemberCount(), 6u) << call.body;
  EXPECT_EQ(json::get_string(doc, "grant_type"), "authorization_code");
  EXPECT_EQ(json::get_string(doc, "code"), "co\"de");
  EXPECT_EQ(json::get_string(doc, "redirect_uri"),
            "http://localhost:19547/oauth/callback");
  EXPECT_EQ(json::get_string(doc, "client_id"), claude_client);
  EXPECT_EQ(json::get_string(doc, "code_verifier"), "verif");
  EXPECT_EQ(json::get_string(doc, "state"), "sta");
}

TEST(OAuthExchange, ClaudeIsRebasedForTests) {
  auto call = exchange_call(facts("claude"), "c", "v", "s", {},
                            "http://127.0.0.1:4000");
  EXPECT_EQ(call.url, "http://127.0.0.1:4000/v1/oauth/token");
}

TEST(OAuthExchange, OpenAiSendsAFormWithoutSecretOrState) {
  auto call = exchange_call(facts("openai"), "a/b+c d", "verif", "sta", {}, "");
  EXPECT_EQ(call.url, "https://auth.openai.com/oauth/token");
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  auto p = decoded(call.body);
  EXPECT_EQ(p.size(), 5u) << call.body;
  EXPECT_EQ(p["grant_type"], "authorization_code");
  EXPECT_EQ(p["code"], "a/b+c d");
  EXPECT_EQ(raw_value(call.body, "code"), "a%2Fb%2Bc%20d");
  EXPECT_EQ(p["redirect_uri"], "http://localhost:1455/auth/callback");
  EXPECT_EQ(p["client_id"], openai_client);
  EXPECT_EQ(p["code_verifier"], "verif");
  EXPECT_EQ(p.count("client_secret"), 0u);
  EXPECT_EQ(p.count("state"), 0u);
}

TEST(OAuthExchange, GeminiSendsTheClientSecretOnlyWhenGiven) {
  auto secrets = secrets_of("gid", "g&secret");
  auto call
    = exchange_call(facts("gemini"), "code", "verif", "sta", secrets, "");
  EXPECT_EQ(call.url, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  auto p = decoded(call.body);
  EXPECT_EQ(p.size(), 6u) << call.body;
  EXPECT_EQ(p["client_id"], "gid");
  EXPECT_EQ(p["client_secret"], "g&secret");
  EXPECT_EQ(raw_value(call.body, "client_secret"), "g%26secret");
  EXPECT_EQ(p["redirect_uri"], "http://localhost:8085/oauth2callback");

  auto without = exchange_call(facts("gemini"), "code", "verif", "sta",
                               secrets_of("gid", ""), "");
  auto q = decoded(without.body);
  EXPECT_EQ(q.size(), 5u) << without.body;
  EXPECT_EQ(q.count("client_secret"), 0u);
}

TEST(OAuthRefresh, ClaudeSendsJsonWithScope) {
  auto call = refresh_call("claude", "sk-ant-ort01-r", "", "", "");
  EXPECT_EQ(call.url, "https://platform.claude.com/v1/oauth/token");
  EXPECT_EQ(call.content_type, "application/json");
  auto doc = parse_json(call.body);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc.MemberCount(), 4u) << call.body;
  EXPECT_EQ(json::get_string(doc, "grant_type"), "refresh_token");
  EXPECT_EQ(json::get_string(doc, "refresh_token"), "sk-ant-ort01-r");
  EXPECT_EQ(json::get_string(doc, "client_id"), claude_client);
  EXPECT_EQ(json::get_string(doc, "scope"), "user:profile user:inference");

  auto own = refresh_call("claude", "r", "stored-id", "ignored",
                          "http://127.0.0.1:5/");
  EXPECT_EQ(own.url, "http://127.0.0.1:5/v1/oauth/token");
  auto d2 = parse_json(own.body);
  ASSERT_TRUE(d2.IsObject());
  EXPECT_EQ(json::get_string(d2, "client_id"), "stored-id");
  EXPECT_EQ(json::find(d2, "client_secret"), nullptr);
}

TEST(OAuthRefresh, OpenAiSendsAForm) {
  auto call = refresh_call("openai", "rt+/=", "", "", "");
  EXPECT_EQ(call.url, "https://auth.openai.com/oauth/token");
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(call.body, "grant_type=refresh_token&refresh_token=rt%2B%2F%3D"
                       "&client_id=app_EMoamEEZ73f0CkXaXp7hrann");
}

TEST(OAuthRefresh, GeminiSendsTheStoredClientAndSecret) {
  auto call = refresh_call("gemini", "1//r", "cid", "csecret", "");
  EXPECT_EQ(call.url, "https://oauth2.googleapis.com/token");
  EXPECT_EQ(call.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(call.body, "grant_type=refresh_token&refresh_token=1%2F%2Fr"
                       "&client_id=cid&client_secret=csecret");
  auto no_secret = refresh_call("gemini", "1//r", "cid", "", "");
  EXPECT_EQ(no_secret.body,
            "grant_type=refresh_token&refresh_token=1%2F%2Fr&client_id=cid");
}

TEST(OAuthRefresh, AnUnknownTypeGivesNoCall) {
  auto call = refresh_call("ollama", "r", "", "", "");
  EXPECT_TRUE(call.url.empty());
  EXPECT_TRUE(call.body.empty());
  EXPECT_TRUE(call.content_type.empty());
}

// -- token endpoint answers --

TEST(OAuthTokenAnswer, ReadsEveryField) {
  auto a = read_token_answer(
    200, R"({"access_token":"at","refresh_token":"rt","id_token":"it",)"
         R"("expires_in":3600,"token_type":"Bearer"})");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->access_token, "at");
  EXPECT_EQ(a->refresh_token, "rt");
  EXPECT_EQ(a->id_token, "it");
  EXPECT_EQ(a->expires_in_s, 3600);

  auto minimal = read_token_answer(201, R"({"access_token":"at"})");
  ASSERT_TRUE(minimal) << minimal.error().message;
  EXPECT_EQ(minimal->access_token, "at");
  EXPECT_EQ(minimal->refresh_token, ""); // the old one stays
  EXPECT_EQ(minimal->id_token, "");
  EXPECT_EQ(minimal->expires_in_s, 0);
}

TEST(OAuthTokenAnswer, MissingAccessTokenFails) {
  auto a = read_token_answer(200, R"({"refresh_token":"rt-secret"})");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, errc::upstream_failed);
  EXPECT_EQ(a.error().message,
            "token endpoint: the answer has no access_token");
  EXPECT_FALSE(read_token_answer(200, R"({"access_token":""})"));
}

TEST(OAuthTokenAnswer, ErrorsCarryTheDescription) {
  auto a = read_token_answer(
    400, R"({"error":"invalid_grant","error_description":"Refresh token )"
         R"(expired","refresh_token":"rt-secret"})");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, errc::upstream_failed);
  EXPECT_EQ(a.error().message, "token endpoint: Refresh token expired");

  auto bare = read_token_answer(400, R"({"error":"invalid_grant"})");
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().message, "token endpoint: invalid_grant");

  auto status_only = read_token_answer(503, "{}");
  ASSERT_FALSE(status_only);
  EXPECT_EQ(status_only.error().message, "token endpoint: HTTP 503");

  // An `error` with HTTP 200 is still a failure, even with a token.
  auto ok_status = read_token_answer(
    200, R"({"error":"invalid_request","access_token":"at-secret"})");
  ASSERT_FALSE(ok_status);
  EXPECT_EQ(ok_status.error().message, "token endpoint: invalid_request");
  EXPECT_EQ(ok_status.error().message.find("secret"), std::string::npos);

  // Anthropic's error object.
  auto object = read_token_answer(
    401, R"({"type":"error","error":{"type":"authentication_error",)"
         R"("message":"Invalid refresh token"}})");
  ASSERT_FALSE(object);
  EXPECT_EQ(object.error().message, "token endpoint: Invalid refresh token");
}

TEST(OAuthTokenAnswer, NonJsonFails) {
  auto a = read_token_answer(502, "<html>Bad Gateway</html>");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, errc::upstream_failed);
  EXPECT_EQ(a.error().message,
            "the token endpoint answered HTTP 502 without JSON");
  auto arr = read_token_answer(200, R"(["access_token"])");
  ASSERT_FALSE(arr);
  EXPECT_EQ(arr.error().message,
            "the token endpoint answered HTTP 200 without JSON");
  EXPECT_FALSE(read_token_answer(200, ""));
}

// -- ChatGPT id_token --

TEST(OAuthIdToken, ReadsTheChatGptAccountId) {
  auto token = jwt(R"({"sub":"u","https://api.openai.com/auth":)"
                   R"({"chatgpt_account_id":"acc-123","chatgpt_plan_type":)"
                   R"("plus"},"exp":1767225600})");
  auto id = chatgpt_account_id(token);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, "acc-123");
  // Payload lengths that leave 2 and 3 characters in the last group.
  for (std::string pad : {"", "x", "xy", "xyz"}) {
    auto t
      = jwt(R"({"p":")" + pad
            + R"(","https://api.openai.com/auth":{"chatgpt_account_id":"a"}})");
    auto got = chatgpt_account_id(t);
    ASSERT_TRUE(got) << pad << ": " << got.error().message;
    EXPECT_EQ(*got, "a");
  }
}

TEST(OAuthIdToken, FailsClearly) {
  auto not_jwt = chatgpt_account_id("opaque-token");
  ASSERT_FALSE(not_jwt);
  EXPECT_EQ(not_jwt.error().code, errc::invalid_value);
  EXPECT_EQ(not_jwt.error().message, "id_token: not a JWT");
  EXPECT_FALSE(chatgpt_account_id("only.one"));
  EXPECT_FALSE(chatgpt_account_id(""));

  auto no_claim = chatgpt_account_id(jwt(R"({"sub":"u"})"));
  ASSERT_FALSE(no_claim);
  EXPECT_EQ(no_claim.error().message, "id_token: no chatgpt_account_id claim");
  EXPECT_FALSE(chatgpt_account_id(
    jwt(R"({"https://api.openai.com/auth":{"chatgpt_account_id":""}})")));
  EXPECT_FALSE(
    chatgpt_account_id(jwt(R"({"https://api.openai.com/auth":"acc-123"})")));
  EXPECT_FALSE(chatgpt_account_id(
    jwt(R"({"https://api.openai.com/auth":{"chatgpt_account_id":7}})")));

  auto bad_b64 = chatgpt_account_id("eyJhbGciOiJub25lIn0.!!!*.sig");
  ASSERT_FALSE(bad_b64);
  EXPECT_EQ(bad_b64.error().message, "id_token: payload is not base64url");

  auto not_json = chatgpt_account_id("h." + b64("not json") + ".s");
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().message, "id_token: payload is not JSON");
  auto array = chatgpt_account_id("h." + b64("[1]") + ".s");
  ASSERT_FALSE(array);
  EXPECT_EQ(array.error().message, "id_token: payload is not JSON");
}

// -- a pasted redirect --

TEST(OAuthRedirect, ReadsAWholeUrl) {
  auto r = read_redirect("http://localhost:1455/auth/"
                         "callback?code=ac_1%2F2&scope=openid&state=st+1");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, "ac_1/2");
  EXPECT_EQ(r->state, "st 1");
  EXPECT_EQ(r->error, "");

  auto fragment = read_redirect("https://x.test/cb?state=s&code=c#ignored");
  ASSERT_TRUE(fragment) << fragment.error().message;
  EXPECT_EQ(fragment->code, "c");
  EXPECT_EQ(fragment->state, "s");
}

TEST(OAuthRedirect, ReadsAQueryAlone) {
  auto r = read_redirect("code=abc&state=xyz");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, "abc");
  EXPECT_EQ(r->state, "xyz");
  auto q = read_redirect("?code=abc");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->code, "abc");
  EXPECT_EQ(q->state, "");
}

TEST(OAuthRedirect, ReadsClaudesCodeHashState) {
  auto r = read_redirect("Ab3-xY_z9#f00dfeed");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, "Ab3-xY_z9");
  EXPECT_EQ(r->state, "f00dfeed");
  EXPECT_EQ(r->error, "");
}

TEST(OAuthRedirect, ReadsABareCode) {
  auto r = read_redirect("Ab3-xY_z9");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, "Ab3-xY_z9");
  EXPECT_EQ(r->state, "");
  EXPECT_EQ(r->error, "");
}

TEST(OAuthRedirect, ReportsTheProvidersError) {
  auto r
    = read_redirect("http://localhost:8085/oauth2callback?error=access_denied"
                    "&error_description=The+user+denied%20access&state=s");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->error, "access_denied: The user denied access");
  EXPECT_EQ(r->code, "");

  auto bare = read_redirect("error=access_denied");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->error, "access_denied");
}

TEST(OAuthRedirect, TrimsWhitespace) {
  auto r = read_redirect(" \t\r\n http://localhost/cb?code=abc&state=s \n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, "abc");
  EXPECT_EQ(r->state, "s");
  auto bare = read_redirect("\n  abc#s\r\n");
  ASSERT_TRUE(bare) << bare.error().message;
  EXPECT_EQ(bare->code, "abc");
  EXPECT_EQ(bare->state, "s");
}

TEST(OAuthRedirect, EmptyOrCodelessIsAnError) {
  for (std::string_view pasted : {"", "   ", "\n\t"}) {
    auto r = read_redirect(pasted);
    ASSERT_FALSE(r) << "'" << pasted << "'";
    EXPECT_EQ(r.error().code, errc::invalid_value);
    EXPECT_EQ(r.error().message, "the pasted redirect is empty");
  }
  for (std::string_view pasted :
       {"http://localhost/cb?state=s", "http://localhost/cb?code=&state=s",
        "#state"}) {
    auto r = read_redirect(pasted);
    ASSERT_FALSE(r) << pasted;
    EXPECT_EQ(r.error().code, errc::invalid_value);
    EXPECT_EQ(r.error().message,
              "the pasted redirect has no authorization code");
  }
}
