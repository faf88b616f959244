#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "http/handlers/admin_json.hpp"
#include "http/handlers/admin_resources.hpp"
#include "store/api_keys_repo.hpp"
#include "store/credential_vault.hpp"
#include "store/migrations.hpp"
#include "store/statement.hpp"
#include "support/temp_dir.hpp"

using namespace oh;
using namespace oh::http;
using namespace oh::http::admin;

namespace {

struct AdminResources : ::testing::Test {
  test::temp_dir dir;
  store::database db{dir.file("oh.db")};
  std::optional<store::credential_vault> vault;

  void SetUp() override {
    ASSERT_TRUE(store::migrate(db, store::embedded_migrations()));
    auto v = store::credential_vault::open(db, "test key");
    ASSERT_TRUE(v);
    vault.emplace(std::move(*v));
  }

  actors::admin_reply call(route_id route, std::string method,
                           std::string id = {}, std::string body = "{}") {
    admin_call c;
    c.route = route;
    c.method = std::move(method);
    c.id = std::move(id);
    c.actor = "token";
    auto doc = std::make_shared<json::document>();
    doc->Parse(body.c_str());
    EXPECT_FALSE(doc->HasParseError()) << body;
    c.body = doc;
    actors::store_context ctx{db, *vault};
    return run_admin_call(ctx, c);
  }

  json::document parse(const std::string& body) {
    auto doc = json::parse(body);
    EXPECT_TRUE(doc) << body;
    return doc ? std::move(*doc) : json::document{};
  }

  std::string create_provider() {
    auto r = call(route_id::admin_providers, "POST", {},
                  R"({"name":"main","type":"openai",
                      "credentials":{"api_key":"sk-abc-verysecret"}})");
    EXPECT_EQ(r.status, 201) << r.body;
    return parse(r.body)["data"]["id"].GetString();
  }
};

} // namespace

TEST_F(AdminResources, CreatedProviderNeverShowsItsCredentials) {
  auto id = create_provider();
  auto r = call(route_id::admin_provider, "GET", id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("verysecret"), std::string::npos);
  auto doc = parse(r.body);
  EXPECT_STREQ(doc["data"]["credentials_set"][0].GetString(), "api_key");
  EXPECT_STREQ(doc["data"]["auth_mode"].GetString(), "api_key");
}

TEST_F(AdminResources, ProviderValidationNamesTheField) {
  auto r = call(route_id::admin_providers, "POST", {}, R"({"type":"openai"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "name");
  r = call(route_id::admin_providers, "POST", {},
           R"({"name":"x","type":"mistral"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "type");
  r = call(route_id::admin_providers, "POST", {},
           R"({"name":"x","type":"openai"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "credentials.api_key");
  r = call(route_id::admin_providers, "POST", {},
           R"({"name":"x","type":"openai_compatible"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "base_url");
  r = call(route_id::admin_providers, "POST", {},
           R"({"name":"x","type":"ollama","base_url":"ftp://h"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "base_url");
  r = call(route_id::admin_providers, "POST", {},
           R"({"name":"x","type":"ollama","config":{"timeout_ms":"soon"}})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "config.timeout_ms");
  r = call(route_id::admin_providers, "POST", {},
           R"({"name":"x","type":"ollama","colour":"red"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "colour");
}

TEST_F(AdminResources, ProviderPatchMergesConfigAndReplacesCredentials) {
  auto id = create_provider();
  auto r = call(route_id::admin_provider, "PATCH", id,
                R"({"config":{"default_model":"gpt-4o","timeout_ms":5000}})");
  ASSERT_EQ(r.status, 200) << r.body;
  r = call(route_id::admin_provider, "PATCH", id,
           R"({"config":{"timeout_ms":null},"priority":7})");
  auto doc = parse(r.body);
  EXPECT_STREQ(doc["data"]["config"]["default_model"].GetString(), "gpt-4o");
  EXPECT_FALSE(doc["data"]["config"].HasMember("timeout_ms"));
  EXPECT_EQ(doc["data"]["priority"].GetInt(), 7);
  ASSERT_EQ(r.changes.size(), 1u);
  auto& rec = std::get<store::provider_record>(r.changes[0]);
  EXPECT_EQ(rec.credentials_json, R"({"api_key":"sk-abc-verysecret"})");
}

TEST_F(AdminResources, UnknownIdsAre404) {
  for (auto route :
       {route_id::admin_provider, route_id::admin_soul, route_id::admin_key}) {
    for (auto method : {"GET", "PATCH", "DELETE"}) {
      auto r = call(route, method, "nope", R"({"name":"x"})");
      ASSERT_TRUE(r.error) << method;
      EXPECT_EQ(r.error->code, errc::not_found) << method;
    }
  }
  auto r = call(route_id::admin_key_revoke, "POST", "nope");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, errc::not_found);
}

TEST_F(AdminResources, SoulSlugIsDerivedFromTheNameAndUnique) {
  auto r = call(route_id::admin_souls, "POST", {},
                R"({"name":"Code Reviewer!","system_prompt":"Review."})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_STREQ(parse(r.body)["data"]["slug"].GetString(), "code-reviewer");
  r = call(route_id::admin_souls, "POST", {},
           R"({"name":"code reviewer","system_prompt":"x"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, errc::conflict);
  EXPECT_EQ(r.error->field, "slug");
  r = call(route_id::admin_souls, "POST", {},
           R"({"name":"ÜÖ","system_prompt":"x"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "slug");
}

TEST_F(AdminResources, SoulUpdateBumpsVersionAndChecksRanges) {
  auto r = call(route_id::admin_souls, "POST", {},
                R"({"name":"Bot","system_prompt":"x","temperature":0.2})");
  auto id = std::string{parse(r.body)["data"]["id"].GetString()};
  EXPECT_EQ(parse(r.body)["data"]["version"].GetInt(), 1);
  r = call(route_id::admin_soul, "PATCH", id, R"({"temperature":3})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "temperature");
  r = call(route_id::admin_soul, "PATCH", id, R"({"slug":"bot-2"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r.body);
  EXPECT_EQ(doc["data"]["version"].GetInt(), 2);
  EXPECT_STREQ(doc["data"]["slug"].GetString(), "bot-2");
  r = call(route_id::admin_soul, "PATCH", id, R"({"provider_id":"missing"})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "provider_id");
}

TEST_F(AdminResources, KeySecretIsReturnedOnceAndOnlyItsHashStored) {
  auto r = call(route_id::admin_keys, "POST", {},
                R"({"name":"ci","rate_limit_rpm":120,
                    "expires_at":"2030-01-01"})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto doc = parse(r.body);
  std::string secret = doc["data"]["key"].GetString();
  EXPECT_TRUE(secret.starts_with("ohk_"));
  EXPECT_EQ(secret.size(), 47u);
  EXPECT_EQ(std::string{doc["data"]["key_prefix"].GetString()},
            secret.substr(0, 12));
  EXPECT_STREQ(doc["data"]["expires_at"].GetString(),
               "2030-01-01T00:00:00.000Z");
  std::string id = doc["data"]["id"].GetString();
  store::statement st{db, "SELECT key_hash FROM api_keys WHERE id = ?1"};
  st.bind(1, id);
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.text(0), crypto::sha256_hex(secret));
  auto list = call(route_id::admin_keys, "GET");
  EXPECT_EQ(list.body.find(secret), std::string::npos);
  EXPECT_EQ(list.body.find("key_hash"), std::string::npos);
  auto one = call(route_id::admin_key, "GET", id);
  EXPECT_FALSE(parse(one.body)["data"].HasMember("key"));
}

TEST_F(AdminResources, KeyBindingsMustNameExistingSoulsAndLandTogether) {
  auto r = call(route_id::admin_keys, "POST", {},
                R"({"name":"k","soul_ids":["ghost"]})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->field, "soul_ids");
  store::statement count{db, "SELECT COUNT(*) FROM api_keys"};
  count.step();
  EXPECT_EQ(count.int64(0), 0); // no half-created key
  auto s = call(route_id::admin_souls, "POST", {},
                R"({"name":"S","system_prompt":"x"})");
  std::string soul = parse(s.body)["data"]["id"].GetString();
  r = call(route_id::admin_keys, "POST", {},
           R"({"name":"k","soul_id":")" + soul + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_STREQ(parse(r.body)["data"]["soul_ids"][0].GetString(), soul.c_str());
}

TEST_F(AdminResources, RevokeReactivateRotateAndDelete) {
  auto r = call(route_id::admin_keys, "POST", {}, R"({"name":"k"})");
  auto doc = parse(r.body);
  std::string id = doc["data"]["id"].GetString();
  std::string first = doc["data"]["key"].GetString();
  r = call(route_id::admin_key_revoke, "POST", id);
  EXPECT_EQ(r.body, R"({"ok":true})");
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_FALSE(std::get<store::api_key_record>(r.changes[0]).is_enabled);
  r = call(route_id::admin_key_reactivate, "POST", id);
  EXPECT_TRUE(std::get<store::api_key_record>(r.changes[0]).is_enabled);
  r = call(route_id::admin_key_rotate, "POST", id);
  std::string second = parse(r.body)["data"]["key"].GetString();
  EXPECT_NE(first, second);
  EXPECT_EQ(std::get<store::api_key_record>(r.changes[0]).key_hash,
            crypto::sha256_hex(second));
  r = call(route_id::admin_key, "DELETE", id);
  EXPECT_EQ(r.body, R"({"ok":true})");
  EXPECT_TRUE(std::holds_alternative<actors::removed_entity>(r.changes[0]));
}

TEST_F(AdminResources, DeletingAProviderRemovesItFromSoulChains) {
  auto p = create_provider();
  auto s = call(route_id::admin_souls, "POST", {},
                R"({"name":"S","system_prompt":"x","provider_id":")" + p
                  + R"(","fallback_chain":[")" + p + R"("]})");
  ASSERT_EQ(s.status, 201) << s.body;
  auto r = call(route_id::admin_provider, "DELETE", p);
  EXPECT_EQ(r.body, R"({"ok":true})");
  ASSERT_EQ(r.changes.size(), 2u);
  auto& soul = std::get<store::soul_record>(r.changes[0]);
  EXPECT_FALSE(soul.provider_id);
  EXPECT_TRUE(soul.fallback_chain.empty());
  EXPECT_EQ(soul.version, 2);
}

TEST_F(AdminResources, EveryChangeIsAudited) {
  create_provider();
  call(route_id::admin_keys, "POST", {}, R"({"name":"k"})");
  store::statement st{db, "SELECT COUNT(*), MIN(actor) FROM admin_audit"};
  st.step();
  EXPECT_EQ(st.int64(0), 2);
  EXPECT_EQ(st.text(1), "token");
}

TEST(AdminSlug, FollowsTheOriginalRule) {
  EXPECT_EQ(slug_from_name("Hello, World!"), "hello-world");
  EXPECT_EQ(slug_from_name("--A  b--"), "a-b");
  EXPECT_EQ(slug_from_name("ÄÖ"), "");
  EXPECT_TRUE(is_valid_slug("a-1"));
  EXPECT_FALSE(is_valid_slug("-a"));
  EXPECT_FALSE(is_valid_slug("A"));
}
