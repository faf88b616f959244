// Subscription credentials (providers/oauth/credentials.hpp, SPEC §7): the
// CLI files a borrowed account reads, where they are, the account's stored
// credential object in all its forms, and what a refresh persists.

#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "providers/oauth/credentials.hpp"

using namespace oh;
using namespace oh::providers::oauth;

namespace {

std::string b64(std::string_view text) {
  return crypto::base64url(reinterpret_cast<const uint8_t*>(text.data()),
                           text.size());
}

std::string jwt(std::string_view payload) {
  return b64(R"({"alg":"RS256","typ":"JWT"})") + "." + b64(payload) + ".sig";
}

env_lookup_fn env_of(std::map<std::string, std::string> vars) {
  return
    [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
      if (auto it = vars.find(name); it != vars.end())
        return it->second;
      return std::nullopt;
    };
}

json::document parse_object(const std::string& text) {
  auto doc = json::parse(text);
  EXPECT_TRUE(doc && doc->IsObject()) << text;
  if (!doc || !doc->IsObject()) {
    json::document empty;
    empty.SetObject();
    return empty;
  }
  return std::move(*doc);
}

/// A failure's message must never repeat a credential value of the file.
void expect_no_secret(const failure& f) {
  for (const char* secret : {"SECRET", "sk-ant", "eyJ", "1//"})
    EXPECT_EQ(f.message.find(secret), std::string::npos)
      << "'" << f.message << "' contains " << secret;
}

} // namespace

// -- names --

TEST(CliSources, NamesLabelsTypesAndRotation) {
  EXPECT_EQ(source_named("claude_code"), cli_source::claude_code);
  EXPECT_EQ(source_named("codex"), cli_source::codex);
  EXPECT_EQ(source_named("gcloud_adc"), cli_source::gcloud_adc);
  EXPECT_EQ(source_named("gcloud"), cli_source::gcloud_adc);
  EXPECT_EQ(source_named("claude"), std::nullopt);
  EXPECT_EQ(source_named(""), std::nullopt);
  for (auto s :
       {cli_source::claude_code, cli_source::codex, cli_source::gcloud_adc})
    EXPECT_EQ(source_named(source_name(s)), s);
  EXPECT_EQ(source_label(cli_source::claude_code), "Claude Code");
  EXPECT_EQ(source_label(cli_source::codex), "Codex CLI");
  EXPECT_EQ(source_label(cli_source::gcloud_adc), "gcloud");
  EXPECT_EQ(source_type(cli_source::claude_code), "claude");
  EXPECT_EQ(source_type(cli_source::codex), "openai");
  EXPECT_EQ(source_type(cli_source::gcloud_adc), "gemini");
  EXPECT_TRUE(source_rotates(cli_source::claude_code));
  EXPECT_TRUE(source_rotates(cli_source::codex));
  EXPECT_FALSE(source_rotates(cli_source::gcloud_adc));
}

// -- the CLIs' files --

TEST(CliFile, ClaudeCode) {
  auto t = parse_cli_file(cli_source::claude_code, R"({"claudeAiOauth":{
    "accessToken":"sk-ant-oat01-AAA","refreshToken":"sk-ant-ort01-BBB",
    "expiresAt":1767225600000,"scopes":["user:inference","user:profile"],
    "subscriptionType":"max"}})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->access_token, "sk-ant-oat01-AAA");
  EXPECT_EQ(t->refresh_token, "sk-ant-ort01-BBB");
  EXPECT_EQ(t->expires_at_ms, 1767225600000);
  EXPECT_EQ(t->subscription_type, "max");
  EXPECT_EQ(t->id_token, "");
  EXPECT_EQ(t->account_id, "");
  EXPECT_EQ(t->client_id, "");

  auto no_expiry = parse_cli_file(cli_source::claude_code,
                                  R"({"claudeAiOauth":{"accessToken":"a"}})");
  ASSERT_TRUE(no_expiry) << no_expiry.error().message;
  EXPECT_EQ(no_expiry->expires_at_ms, 0);
  EXPECT_EQ(no_expiry->refresh_token, "");

  auto string_expiry = parse_cli_file(
    cli_source::claude_code,
    R"({"claudeAiOauth":{"accessToken":"a","expiresAt":"1767225600000"}})");
  ASSERT_TRUE(string_expiry) << string_expiry.error().message;
  EXPECT_EQ(string_expiry->expires_at_ms, 1767225600000);
}

TEST(CliFile, Codex) {
  auto access = jwt(R"({"exp":1767225600,"sub":"u"})");
  auto id = jwt(
    R"({"https://api.openai.com/auth":{"chatgpt_account_id":"from-id"}})");
  auto text
    = R"({"auth_mode":"chatgpt","OPENAI_API_KEY":null,"tokens":{)"
      R"("access_token":")"
      + access + R"(","refresh_token":"rt_1","id_token":")" + id
      + R"(","account_id":"acc-1"},"last_refresh":"2025-01-01T00:00:00Z"})";
  auto t = parse_cli_file(cli_source::codex, text);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->access_token, access);
  EXPECT_EQ(t->refresh_token, "rt_1");
  EXPECT_EQ(t->id_token, id);
  EXPECT_EQ(t->account_id, "acc-1"); // the file's own wins
  EXPECT_EQ(t->expires_at_ms, 1767225600000);
}

TEST(CliFile, CodexTakesTheAccountIdFromTheIdTokenWhenMissing) {
  auto id = jwt(
    R"({"https://api.openai.com/auth":{"chatgpt_account_id":"from-id"}})");
  auto t = parse_cli_file(
    cli_source::codex,
    R"({"auth_mode":"chatgpt","tokens":{"access_token":"opaque",)"
    R"("id_token":")"
      + id + R"("}})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->account_id, "from-id");
  EXPECT_EQ(t->expires_at_ms, 0); // the access token is no JWT
  EXPECT_EQ(t->refresh_token, "");

  auto empty_id = parse_cli_file(
    cli_source::codex, R"({"tokens":{"access_token":"a","account_id":"",)"
                       R"("id_token":")"
                         + id + R"("}})");
  ASSERT_TRUE(empty_id) << empty_id.error().message;
  EXPECT_EQ(empty_id->account_id, "from-id");

  auto bad_id = parse_cli_file(
    cli_source::codex, R"({"tokens":{"access_token":"a","id_token":"nope"}})");
  ASSERT_TRUE(bad_id) << bad_id.error().message;
  EXPECT_EQ(bad_id->account_id, "");
}

TEST(CliFile, GcloudAdc) {
  auto t = parse_cli_file(cli_source::gcloud_adc, R"({
    "account":"","client_id":"764086051850-x.apps.googleusercontent.com",
    "client_secret":"d-FL95Q","quota_project_id":"my-proj",
    "refresh_token":"1//0gABC","type":"authorized_user",
    "universe_domain":"googleapis.com"})");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->access_token, ""); // refreshed in memory from the file
  EXPECT_EQ(t->refresh_token, "1//0gABC");
  EXPECT_EQ(t->client_id, "764086051850-x.apps.googleusercontent.com");
  EXPECT_EQ(t->client_secret, "d-FL95Q");
  EXPECT_EQ(t->project_id, "my-proj");
  EXPECT_EQ(t->expires_at_ms, 0);

  auto untyped = parse_cli_file(cli_source::gcloud_adc,
                                R"({"client_id":"c","refresh_token":"r"})");
  ASSERT_TRUE(untyped) << untyped.error().message;
  EXPECT_EQ(untyped->client_secret, "");
  EXPECT_EQ(untyped->project_id, "");
}

TEST(CliFile, MalformedFilesFailClearlyWithoutValues) {
  struct bad_case {
    cli_source source;
    std::string text;
    std::string expected_start;
  };
  const bad_case cases[] = {
    {cli_source::claude_code,
     R"({"claudeAiOauth":{"accessToken":"sk-ant-oat01-SECRET",)", "not JSON: "},
    {cli_source::codex, R"({"tokens":{"access_token":"SECRET"})", "not JSON: "},
    {cli_source::gcloud_adc, "refresh_token=1//SECRET", "not JSON: "},
    {cli_source::claude_code, "", "not JSON: "},
    {cli_source::claude_code, R"(["sk-ant-oat01-SECRET"])",
     "not a JSON object"},
    {cli_source::codex, R"("SECRET")", "not a JSON object"},
    {cli_source::gcloud_adc, "42", "not a JSON object"},
    {cli_source::claude_code, R"({"other":{"accessToken":"sk-ant-SECRET"}})",
     "no claudeAiOauth object: not a Claude Code credentials file"},
    {cli_source::claude_code, R"({"claudeAiOauth":"sk-ant-oat01-SECRET"})",
     "no claudeAiOauth object: not a Claude Code credentials file"},
    {cli_source::claude_code,
     R"({"claudeAiOauth":{"refreshToken":"sk-ant-ort01-SECRET"}})",
     "claudeAiOauth.accessToken is missing"},
    {cli_source::claude_code,
     R"({"claudeAiOauth":{"accessToken":"","refreshToken":"SECRET"}})",
     "claudeAiOauth.accessToken is missing"},
    {cli_source::codex,
     R"({"auth_mode":"apikey","OPENAI_API_KEY":"sk-proj-SECRET"})",
     "no tokens object: the Codex CLI is not signed in with ChatGPT"},
    {cli_source::codex,
     R"({"tokens":{"refresh_token":"SECRET","id_token":"eyJSECRET"}})",
     "tokens.access_token is missing"},
    {cli_source::gcloud_adc,
     R"({"type":"service_account","private_key":"-----BEGIN SECRET",)"
     R"("client_id":"c","refresh_token":"1//SECRET"})",
     "type is service_account: only a user login (authorized_user) can be "
     "borrowed"},
    {cli_source::gcloud_adc,
     R"({"type":"authorized_user","client_id":"c","client_secret":"SECRET"})",
     "refresh_token or client_id is missing"},
    {cli_source::gcloud_adc,
     R"({"type":"authorized_user","refresh_token":"1//SECRET"})",
     "refresh_token or client_id is missing"},
  };
  for (auto& c : cases) {
    auto t = parse_cli_file(c.source, c.text);
    ASSERT_FALSE(t) << c.text;
    EXPECT_EQ(t.error().code, errc::invalid_value) << c.text;
    EXPECT_EQ(t.error().message.substr(0, c.expected_start.size()),
              c.expected_start)
      << c.text << " → " << t.error().message;
    expect_no_secret(t.error());
  }
}

// -- where the files are --

TEST(CliPath, FollowsHome) {
  auto env = env_of({{"HOME", "/home/ada"}});
  EXPECT_EQ(default_cli_path(cli_source::claude_code, env),
            "/home/ada/.claude/.credentials.json");
  EXPECT_EQ(default_cli_path(cli_source::codex, env),
            "/home/ada/.codex/auth.json");
  EXPECT_EQ(default_cli_path(cli_source::gcloud_adc, env),
            "/home/ada/.config/gcloud/application_default_credentials.json");
}

TEST(CliPath, TheCliOwnVariablesWin) {
  auto env = env_of({{"HOME", "/home/ada"},
                     {"CLAUDE_CONFIG_DIR", "/cfg/claude"},
                     {"CODEX_HOME", "/cfg/codex"},
                     {"CLOUDSDK_CONFIG", "/cfg/gcloud"}});
  EXPECT_EQ(default_cli_path(cli_source::claude_code, env),
            "/cfg/claude/.credentials.json");
  EXPECT_EQ(default_cli_path(cli_source::codex, env), "/cfg/codex/auth.json");
  EXPECT_EQ(default_cli_path(cli_source::gcloud_adc, env),
            "/cfg/gcloud/application_default_credentials.json");
  // Without a home too.
  auto no_home = env_of({{"CLAUDE_CONFIG_DIR", "/c"},
                         {"CODEX_HOME", "/x"},
                         {"CLOUDSDK_CONFIG", "/g"}});
  EXPECT_EQ(default_cli_path(cli_source::claude_code, no_home),
            "/c/.credentials.json");
  EXPECT_EQ(default_cli_path(cli_source::codex, no_home), "/x/auth.json");
  EXPECT_EQ(default_cli_path(cli_source::gcloud_adc, no_home),
            "/g/application_default_credentials.json");
}

TEST(CliPath, EmptyVariablesCountAsUnsetAndNoHomeGivesNothing) {
  auto empty = env_of({{"HOME", "/h"},
                       {"CLAUDE_CONFIG_DIR", ""},
                       {"CODEX_HOME", ""},
                       {"CLOUDSDK_CONFIG", ""}});
  EXPECT_EQ(default_cli_path(cli_source::claude_code, empty),
            "/h/.claude/.credentials.json");
  EXPECT_EQ(default_cli_path(cli_source::codex, empty), "/h/.codex/auth.json");
  EXPECT_EQ(default_cli_path(cli_source::gcloud_adc, empty),
            "/h/.config/gcloud/application_default_credentials.json");
  auto nothing = env_of({});
  EXPECT_EQ(default_cli_path(cli_source::claude_code, nothing), "");
  EXPECT_EQ(default_cli_path(cli_source::codex, nothing), "");
  EXPECT_EQ(default_cli_path(cli_source::gcloud_adc, nothing), "");
  auto blank_home = env_of({{"HOME", ""}});
  EXPECT_EQ(default_cli_path(cli_source::claude_code, blank_home), "");
}

// -- the account's stored credential --

TEST(AccountCredential, ApiKeyReadsOnlyTheKey) {
  auto c = read_account_credential(
    "claude", "api_key",
    R"({"api_key":"sk-ant-api03-k","oauth_token":"sk-ant-oat01-t",)"
    R"("source":"claude_code","source_path":"/x"})");
  EXPECT_EQ(c.api_key, "sk-ant-api03-k");
  EXPECT_EQ(c.tokens.access_token, ""); // the mode decides, not the members
  EXPECT_EQ(c.tokens.expires_at_ms, 0);
  EXPECT_FALSE(c.source);
  EXPECT_EQ(c.source_path, "");
}

TEST(AccountCredential, OAuthWithStringOrNumberExpiry) {
  auto c = read_account_credential(
    "claude", "oauth",
    R"({"oauth_token":"sk-ant-oat01-t","refresh_token":"sk-ant-ort01-r",)"
    R"("expires_at":"1767225600000","client_id":"cid","subscription_type":"pro"})");
  EXPECT_EQ(c.api_key, "");
  EXPECT_EQ(c.tokens.access_token, "sk-ant-oat01-t");
  EXPECT_EQ(c.tokens.refresh_token, "sk-ant-ort01-r");
  EXPECT_EQ(c.tokens.expires_at_ms, 1767225600000);
  EXPECT_EQ(c.tokens.client_id, "cid");
  EXPECT_EQ(c.tokens.subscription_type, "pro");
  EXPECT_FALSE(c.source); // owned, not borrowed

  auto number = read_account_credential(
    "claude", "oauth", R"({"oauth_token":"t","expires_at":1767225600000})");
  EXPECT_EQ(number.tokens.expires_at_ms, 1767225600000);
  auto fractional = read_account_credential(
    "claude", "oauth", R"({"oauth_token":"t","expires_at":1767225600000.0})");
  EXPECT_EQ(fractional.tokens.expires_at_ms, 1767225600000);
  auto garbage = read_account_credential(
    "claude", "oauth", R"({"oauth_token":"t","expires_at":"tomorrow"})");
  EXPECT_EQ(garbage.tokens.expires_at_ms, 0);
  auto partial = read_account_credential(
    "claude", "oauth", R"({"oauth_token":"t","expires_at":"17672x"})");
  EXPECT_EQ(partial.tokens.expires_at_ms, 0);
}

TEST(AccountCredential, AccessTokenIsAnAliasOfOAuthToken) {
  auto alias = read_account_credential(
    "openai", "oauth", R"({"access_token":"at","refresh_token":"rt"})");
  EXPECT_EQ(alias.tokens.access_token, "at");
  EXPECT_EQ(alias.tokens.refresh_token, "rt");
  auto both = read_account_credential(
    "openai", "oauth", R"({"oauth_token":"main","access_token":"alias"})");
  EXPECT_EQ(both.tokens.access_token, "main");
}

TEST(AccountCredential, OpenAiAccountIdFromItsIdToken) {
  auto id
    = jwt(R"({"https://api.openai.com/auth":{"chatgpt_account_id":"acc-9"}})");
  auto c = read_account_credential(
    "openai", "oauth", R"({"oauth_token":"t","id_token":")" + id + R"("})");
  EXPECT_EQ(c.tokens.id_token, id);
  EXPECT_EQ(c.tokens.account_id, "acc-9");
  auto own = read_account_credential(
    "openai", "oauth",
    R"({"oauth_token":"t","account_id":"stored","id_token":")" + id + R"("})");
  EXPECT_EQ(own.tokens.account_id, "stored");
}

TEST(AccountCredential, GeminiJsonInOAuthToken) {
  auto c = read_account_credential(
    "gemini", "oauth",
    R"({"oauth_token":"{\"token\":\"ya29.abc\",\"projectId\":\"proj-1\"}",)"
    R"("refresh_token":"1//r","client_id":"cid","client_secret":"cs",)"
    R"("expires_at":"1767225600000"})");
  EXPECT_EQ(c.tokens.access_token, "ya29.abc");
  EXPECT_EQ(c.tokens.project_id, "proj-1");
  EXPECT_EQ(c.tokens.refresh_token, "1//r");
  EXPECT_EQ(c.tokens.client_id, "cid");
  EXPECT_EQ(c.tokens.client_secret, "cs");
  EXPECT_EQ(c.tokens.expires_at_ms, 1767225600000);

  // A stored project_id wins over the one inside; `access_token` inside too.
  auto own = read_account_credential(
    "gemini", "oauth",
    R"({"oauth_token":"{\"access_token\":\"ya29.x\",\"projectId\":\"inner\"}",)"
    R"("project_id":"outer"})");
  EXPECT_EQ(own.tokens.access_token, "ya29.x");
  EXPECT_EQ(own.tokens.project_id, "outer");

  // Only Gemini's token is unwrapped.
  auto claude = read_account_credential(
    "claude", "oauth", R"({"oauth_token":"{\"token\":\"x\"}"})");
  EXPECT_EQ(claude.tokens.access_token, R"({"token":"x"})");
}

TEST(AccountCredential, BorrowedSourceNamedOrInferredFromTheType) {
  auto named = read_account_credential(
    "claude", "borrowed",
    R"({"source":"claude_code","source_path":"/home/a/.claude/.credentials.json"})");
  ASSERT_TRUE(named.source);
  EXPECT_EQ(*named.source, cli_source::claude_code);
  EXPECT_EQ(named.source_path, "/home/a/.claude/.credentials.json");
  EXPECT_EQ(named.tokens.access_token, "");

  struct inferred_case {
    const char* type;
    cli_source source;
  };
  for (auto [type, source] :
       {inferred_case{"claude", cli_source::claude_code},
        inferred_case{"openai", cli_source::codex},
        inferred_case{"gemini", cli_source::gcloud_adc}}) {
    auto c
      = read_account_credential(type, "borrowed", R"({"source_path":"/f"})");
    ASSERT_TRUE(c.source) << type;
    EXPECT_EQ(*c.source, source) << type;
    EXPECT_EQ(c.source_path, "/f");
  }
  auto alias = read_account_credential(
    "gemini", "borrowed", R"({"source":"gcloud","source_path":"/f"})");
  ASSERT_TRUE(alias.source);
  EXPECT_EQ(*alias.source, cli_source::gcloud_adc);
  auto none = read_account_credential("ollama", "borrowed", "{}");
  EXPECT_FALSE(none.source);
}

TEST(AccountCredential, MalformedJsonGivesAnEmptyCredential) {
  for (const char* text : {"", "not json", "[]", R"("x")"}) {
    auto c = read_account_credential("claude", "oauth", text);
    EXPECT_EQ(c.api_key, "") << text;
    EXPECT_EQ(c.tokens.access_token, "") << text;
    EXPECT_EQ(c.tokens.refresh_token, "") << text;
    EXPECT_FALSE(c.source) << text;
  }
}

// -- what a refresh persists --

TEST(WithTokens, ReplacesTokensKeepsTheRestAndDropsTheAlias) {
  token_set t;
  t.access_token = "new-at";
  t.refresh_token = "new-rt";
  t.client_id = "cid";
  t.expires_at_ms = 1767225600000;
  auto out = with_tokens(
    R"({"access_token":"old-alias","refresh_token":"old-rt","expires_at":"1",)"
    R"("id_token":"old-id","source":"claude_code","note":{"k":[1,2]},"n":5})",
    t);
  auto doc = parse_object(out);
  EXPECT_EQ(json::get_string(doc, "oauth_token"), "new-at");
  EXPECT_EQ(json::find(doc, "access_token"), nullptr) << out;
  EXPECT_EQ(json::get_string(doc, "refresh_token"), "new-rt");
  EXPECT_EQ(json::get_string(doc, "client_id"), "cid");
  // As the original stored it: milliseconds in a string.
  EXPECT_EQ(json::get_string(doc, "expires_at"), "1767225600000");
  // Emptied token fields are removed, not left stale.
  EXPECT_EQ(json::find(doc, "id_token"), nullptr) << out;
  EXPECT_EQ(json::find(doc, "client_secret"), nullptr) << out;
  // Everything else kept.
  EXPECT_EQ(json::get_string(doc, "source"), "claude_code");
  EXPECT_EQ(json::get_int64(doc, "n"), 5);
  auto* note = json::find(doc, "note");
  ASSERT_NE(note, nullptr);
  EXPECT_EQ(json::to_string(*note), R"({"k":[1,2]})");
  // No member twice.
  std::map<std::string, int> seen;
  for (auto& m : doc.GetObject())
    EXPECT_EQ(++seen[m.name.GetString()], 1) << m.name.GetString();

  // Read back, the same tokens.
  auto back = read_account_credential("claude", "oauth", out);
  EXPECT_EQ(back.tokens.access_token, "new-at");
  EXPECT_EQ(back.tokens.refresh_token, "new-rt");
  EXPECT_EQ(back.tokens.expires_at_ms, 1767225600000);
}

TEST(WithTokens, NoExpiryRemovesItAndBadJsonStartsAfresh) {
  token_set t;
  t.access_token = "at";
  auto out = with_tokens(R"({"oauth_token":"x","expires_at":"5"})", t);
  auto doc = parse_object(out);
  EXPECT_EQ(json::get_string(doc, "oauth_token"), "at");
  EXPECT_EQ(json::find(doc, "expires_at"), nullptr) << out;
  EXPECT_EQ(json::find(doc, "refresh_token"), nullptr) << out;

  auto fresh = parse_object(with_tokens("not json", t));
  EXPECT_EQ(fresh.MemberCount(), 1u);
  EXPECT_EQ(json::get_string(fresh, "oauth_token"), "at");
}

TEST(WithTokens, GeminiProjectSurvivesARefreshOfTheOriginalForm) {
  auto stored
    = R"({"oauth_token":"{\"token\":\"ya29.old\",\"projectId\":\"proj-1\"}",)"
      R"("refresh_token":"1//r","client_id":"cid","client_secret":"cs"})";
  auto c = read_account_credential("gemini", "oauth", stored);
  auto t = c.tokens;
  t.access_token = "ya29.new";
  t.expires_at_ms = 1767225600000;
  auto out = with_tokens(stored, t);
  auto back = read_account_credential("gemini", "oauth", out);
  EXPECT_EQ(back.tokens.access_token, "ya29.new");
  EXPECT_EQ(back.tokens.project_id, "proj-1");
  EXPECT_EQ(back.tokens.refresh_token, "1//r");
  EXPECT_EQ(back.tokens.client_id, "cid");
  EXPECT_EQ(back.tokens.client_secret, "cs");
  EXPECT_EQ(back.tokens.expires_at_ms, 1767225600000);
}
