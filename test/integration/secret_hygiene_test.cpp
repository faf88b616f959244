// Secret hygiene (SPEC §14): one gateway at `debug` log level holds every
// kind of secret it knows — a client's ohk_ key, a provider's API key, a
// subscription's OAuth access and refresh tokens, the admin token, the
// dashboard password and its session, the Cloudflare API token — and uses
// each. Then its log, every admin answer (each GET route of the router, with
// every id substituted), /metrics, /admin/actors, the dashboard's assets and
// every file of its data directory are searched: zero hits.

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "gateway.hpp"
#include "upstream.hpp"
#include "wire.hpp"

using namespace oh;
using namespace oh::test;
using namespace std::chrono_literals;

namespace {

const std::string provider_key = "sk-proj-HYGIENE-provider-key-0123456789ab";
const std::string oauth_access = "sk-ant-oat01-HYGIENE-access-0123456789";
const std::string oauth_refresh = "sk-ant-ort01-HYGIENE-refresh-0123456789";
const std::string password = "HYGIENE dashboard password 0123";
const std::string cloudflare_token = "cfapi-HYGIENE-token-0123456789abcdef";

/// Every `{"GET", "/admin/..."}` (and /v1, /metrics) route of the router,
/// read from its source so a new route is searched without editing this.
std::vector<std::string> get_routes() {
  std::ifstream in{std::string{OH_SOURCE_DIR} + "/src/http/router.cpp"};
  std::stringstream text;
  text << in.rdbuf();
  std::string source = text.str();
  std::regex route{R"re(\{"GET",\s*"(/[^"]*)")re"};
  std::vector<std::string> out;
  for (std::sregex_iterator it{source.begin(), source.end(), route}, end;
       it != end; ++it)
    out.push_back((*it)[1].str());
  return out;
}

/// Every file below `dir` (web assets, the data directory).
std::vector<std::filesystem::path> files_below(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file())
      out.push_back(e.path());
  return out;
}

std::string around(const std::string& text, size_t at, size_t n) {
  auto from = at > 80 ? at - 80 : 0;
  return text.substr(from, n + 160);
}

} // namespace

TEST(SecretHygiene, NoSecretAppearsAnywhereAtDebugLevel) {
  temp_dir dir;
  std::filesystem::create_directories(dir.file("api"));
  std::filesystem::create_directories(dir.file("oauth"));
  std::filesystem::create_directories(dir.file("cf"));
  fake_upstream api{dir.file("api")};
  fake_upstream oauth{dir.file("oauth"), {"--flavor", "oauth"}};
  fake_upstream cf{dir.file("cf"),
                   {"--flavor", "cloudflare", "--cf-token", cloudflare_token}};
  write_file(dir.file("openhinge.json"),
             R"({"oauth":{"endpoint_base":")" + oauth.base_url()
               + R"("},"cloudflare":{"api_base":")" + cf.base_url()
               + R"(/client/v4"}})");
  auto data = dir.file("data");
  gateway gw{
    data, {}, {"--config", dir.file("openhinge.json"), "--log-level", "debug"}};
  std::map<std::string, std::string> secrets{
    {"provider API key", provider_key},
    {"OAuth access token", oauth_access},
    {"OAuth refresh token", oauth_refresh},
    {"dashboard password", password},
    {"Cloudflare API token", cloudflare_token},
    {"admin token", gw.admin_token()}};

  // A provider key, used upstream.
  auto r
    = gw.admin("POST", "/admin/providers",
               R"({"name":"api","type":"openai","base_url":")" + api.base_url()
                 + R"(","credentials":{"api_key":")" + provider_key
                 + R"("},"config":{"default_model":"gpt-4o-mini"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  // A subscription whose token expires in two seconds: it is used, then
  // refreshed with the refresh token.
  ASSERT_EQ(http_request(oauth.port(), "POST", "/_fake/tokens",
                         R"({"access_token":")" + oauth_access
                           + R"(","refresh_token":")" + oauth_refresh
                           + R"(","expires_in":3600})")
              .status,
            200);
  r = gw.admin("POST", "/admin/providers/claude-oauth",
               R"({"name":"sub","access_token":")" + oauth_access
                 + R"(","refresh_token":")" + oauth_refresh
                 + R"(","expires_at":)"
                 + std::to_string(clock::now_ms() + 2'000) + R"(,"base_url":")"
                 + oauth.base_url() + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  // A client key, used right and with one character changed.
  r = gw.admin("POST", "/admin/keys", R"({"name":"client"})");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string client_key = parse(r.body)["data"]["key"].GetString();
  secrets["client ohk_ key"] = client_key;
  auto chat = [&](const std::string& key, const std::string& model,
                  bool stream) {
    return http_request(gw.port(), "POST", "/v1/chat/completions",
                        R"({"model":")" + model + R"(","stream":)"
                          + (stream ? "true" : "false")
                          + R"(,"messages":[{"role":"user","content":"hi"}]})",
                        "Authorization: Bearer " + key);
  };
  EXPECT_EQ(chat(client_key, "gpt-4o-mini", false).status, 200);
  EXPECT_EQ(chat(client_key, "gpt-4o-mini", true).status, 200);
  EXPECT_EQ(chat(client_key, "claude-sonnet-4-6", false).status, 200);
  auto typo = client_key;
  typo.back() = typo.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(chat(typo, "gpt-4o-mini", false).status, 401);
  // A refused key may be someone's real key elsewhere: never whole either.
  secrets["mistyped client key"] = typo;
  // Past the subscription's expiry: the next request refreshes first.
  std::this_thread::sleep_for(2'100ms);
  EXPECT_EQ(chat(client_key, "claude-sonnet-4-6", true).status, 200);
  // The admin token in a header, also a wrong one.
  EXPECT_EQ(http_request(gw.port(), "GET", "/admin/keys", "",
                         "Authorization: Bearer " + gw.admin_token() + "x")
              .status,
            401);
  // The dashboard password: set up, logged in with, wrong once.
  auto log = gw.log();
  auto at = log.find("/dashboard/?setup=");
  ASSERT_NE(at, std::string::npos);
  at += 18;
  auto setup_token = log.substr(at, log.find_first_of("\n\r ", at) - at);
  r = http_request(gw.port(), "POST", "/admin/auth/setup",
                   R"({"password":")" + password + R"(","setup_token":")"
                     + setup_token + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = http_request(gw.port(), "POST", "/admin/auth/login",
                   R"({"password":")" + password + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  secrets["dashboard session"] = parse(r.body)["token"].GetString();
  EXPECT_EQ(http_request(gw.port(), "POST", "/admin/auth/login",
                         R"({"password":")" + password + R"(!"})")
              .status,
            401);
  // The Cloudflare token: stored, then used against the v4 API.
  r = gw.admin("PUT", "/admin/settings/cloudflare",
               R"({"api_token":")" + cloudflare_token + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = gw.admin("POST", "/admin/cloudflare/zones", "{}");
  EXPECT_EQ(r.status, 200) << r.body;
  // Health probes of both accounts (a listing with the key, a token check).
  EXPECT_EQ(gw.admin("POST", "/admin/providers/health", "{}").status, 200);
  // A malformed request: a debug line the log surely has.
  EXPECT_EQ(http_request(gw.port(), "POST", "/v1/chat/completions", "{not json",
                         "Authorization: Bearer " + client_key)
              .status,
            400);

  // Every answer an admin can read.
  std::vector<std::string> ids;
  for (auto list : {"/admin/providers", "/admin/keys", "/admin/souls"}) {
    auto doc = parse(gw.admin("GET", list).body);
    for (auto& item : doc["data"].GetArray())
      ids.push_back(item["id"].GetString());
  }
  auto logs = parse(gw.admin("GET", "/admin/cost/logs/query").body);
  for (auto& row : logs["data"].GetArray())
    ids.push_back(row["request_id"].GetString());
  for (auto group : {"server", "limits", "health", "cloudflare", "tunnel",
                     "logging", "oauth"})
    ids.push_back(group);
  std::map<std::string, std::string> answers;
  auto routes = get_routes();
  ASSERT_GT(routes.size(), 20u) << "the router's GET routes were not found";
  for (auto& route : routes) {
    if (route.find("{}") == std::string::npos) {
      answers[route] = gw.admin("GET", route).body;
      continue;
    }
    for (auto& id : ids) {
      auto path = std::regex_replace(route, std::regex{"\\{\\}"}, id);
      answers[path] = gw.admin("GET", path).body;
    }
  }
  answers["/metrics"] = gw.admin("GET", "/metrics").body;
  answers["/admin/actors"] = gw.admin("GET", "/admin/actors").body;
  answers["/v1/models"] = http_request(gw.port(), "GET", "/v1/models", "",
                                       "Authorization: Bearer " + client_key)
                            .body;
  ASSERT_NE(answers["/admin/providers"].find("\"sub\""), std::string::npos);
  // The dashboard as a browser gets it.
  auto web = std::string{OH_SOURCE_DIR} + "/web";
  for (auto& file : files_below(web)) {
    auto rel = std::filesystem::relative(file, web).string();
    auto got = http_request(gw.port(), "GET", "/dashboard/" + rel);
    EXPECT_EQ(got.status, 200) << rel;
    answers["/dashboard/" + rel] = got.body;
  }

  // Stopped, so every log line and row is written.
  EXPECT_EQ(gw.stop(), 0);
  std::map<std::string, std::string> texts = answers;
  texts["the gateway's log"] = gw.log();
  EXPECT_NE(texts["the gateway's log"].find("\"level\":\"debug\""),
            std::string::npos)
    << "the log is not at debug level";
  for (auto& file : files_below(data))
    if (file.filename() != "admin.token") // the admin token's own file
      texts[file.string()] = read_file(file.string());
  for (auto& [what, secret] : secrets) {
    ASSERT_GE(secret.size(), 16u) << what;
    for (auto& [where, text] : texts)
      if (auto hit = text.find(secret); hit != std::string::npos)
        ADD_FAILURE() << "the " << what << " is in " << where << ": …"
                      << around(text, hit, secret.size()) << "…";
  }
  std::cout << "searched " << texts.size() << " answers and files for "
            << secrets.size() << " secrets\n";
}
