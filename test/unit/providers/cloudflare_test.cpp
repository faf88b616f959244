// The Cloudflare setup's pure parts: the API envelope, which zone holds a
// hostname, the ingress the tunnel gets, and the report (never the token).

#include "providers/cloudflare/api.hpp"
#include "providers/cloudflare/setup.hpp"

#include <gtest/gtest.h>

namespace oh::providers::cloudflare {
namespace {

TEST(CloudflareEnvelope, SuccessCarriesTheResult) {
  auto r = read_envelope(
    200, R"({"success":true,"errors":[],"messages":[],"result":{"id":"z1"}})");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(json::get_string(*r.result, "id"), "z1");
}

TEST(CloudflareEnvelope, FailureCarriesCloudflaresCodeAndMessage) {
  auto r = read_envelope(
    409,
    R"({"success":false,"errors":[{"code":1013,"message":"You already have a tunnel with this name"}],"result":null})");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, 1013);
  EXPECT_EQ(r.error, "You already have a tunnel with this name");
  EXPECT_EQ(r.status, 409u);
  // success:true with an error status is not a success either.
  EXPECT_FALSE(read_envelope(500, R"({"success":true,"result":{}})").ok);
  auto html = read_envelope(502, "<html>bad gateway</html>");
  EXPECT_FALSE(html.ok);
  EXPECT_NE(html.error.find("without its JSON envelope"), std::string::npos);
}

TEST(CloudflareZones, TheLongestZoneHoldingTheHostnameWins) {
  auto zones = json::parse(
    R"([{"id":"1","name":"example.com"},{"id":"2","name":"eu.example.com"},
        {"id":"3","name":"ample.com"},{"id":"4","name":"other.org"}])");
  ASSERT_TRUE(zones);
  auto id_for = [&](const std::string& host) -> std::string {
    auto* z = zone_for(*zones, host);
    return z ? *json::get_string(*z, "id") : "";
  };
  EXPECT_EQ(id_for("api.example.com"), "1");
  EXPECT_EQ(id_for("api.eu.example.com"), "2");
  EXPECT_EQ(id_for("example.com"), "1");
  EXPECT_EQ(id_for("badexample.com"), "") << "a suffix only after a dot";
  EXPECT_EQ(id_for("api.example.net"), "");
}

TEST(CloudflareIngress, TheHostnameToThePublicListenerThen404) {
  auto text = ingress_config("api.example.com", 4100);
  auto doc = json::parse(text);
  ASSERT_TRUE(doc) << text;
  auto& rules = (*doc)["config"]["ingress"];
  ASSERT_EQ(rules.Size(), 2u);
  EXPECT_EQ(json::get_string(rules[0], "hostname"), "api.example.com");
  EXPECT_EQ(json::get_string(rules[0], "service"), "http://127.0.0.1:4100");
  EXPECT_FALSE(json::find(rules[1], "hostname"));
  EXPECT_EQ(json::get_string(rules[1], "service"), "http_status:404");
}

TEST(CloudflareOutcome, TheReportNeverHoldsTheRunToken) {
  setup_outcome o;
  o.ok = true;
  o.steps = {{"zone", "found", "example.com"}, {"token", "done", "fetched"}};
  o.tunnel_id = "t-1";
  o.tunnel_token = "eyJhIjoiMSIsInQiOiIyIiwicyI6InNlY3JldCJ9";
  o.created = {"tunnel openhinge (t-1)"};
  auto text = outcome_json(o);
  EXPECT_EQ(text.find(o.tunnel_token), std::string::npos) << text;
  auto doc = json::parse(text);
  ASSERT_TRUE(doc) << text;
  EXPECT_TRUE((*doc)["ok"].GetBool());
  EXPECT_EQ((*doc)["steps"].Size(), 2u);
  EXPECT_EQ(json::get_string(*doc, "tunnel_id"), "t-1");
  EXPECT_TRUE((*doc)["zone_id"].IsNull());
  EXPECT_EQ(setup_step_names().size(), 5u);
}

} // namespace
} // namespace oh::providers::cloudflare
