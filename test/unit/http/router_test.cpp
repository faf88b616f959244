#include <gtest/gtest.h>

#include "http/router.hpp"

using namespace oh::http;
using outcome = route_result::outcome;

TEST(Router, MatchesStaticAndParameterisedRoutes) {
  auto r = match_route("GET", "/health");
  EXPECT_EQ(r.kind, outcome::found);
  EXPECT_EQ(r.id, route_id::health);
  r = match_route("PATCH", "/admin/souls/abc123");
  ASSERT_EQ(r.kind, outcome::found);
  EXPECT_EQ(r.id, route_id::admin_soul);
  EXPECT_EQ(r.param, "abc123");
  r = match_route("POST", "/admin/keys/k9/revoke");
  ASSERT_EQ(r.kind, outcome::found);
  EXPECT_EQ(r.id, route_id::admin_key_revoke);
  EXPECT_EQ(r.param, "k9");
}

TEST(Router, PutIsAcceptedLikePatch) {
  EXPECT_EQ(match_route("PUT", "/admin/providers/p1").id,
            route_id::admin_provider);
}

TEST(Router, TrailingSlashNamesTheSameResource) {
  EXPECT_EQ(match_route("GET", "/admin/keys/").id, route_id::admin_keys);
}

TEST(Router, UnknownPathIsNotFound) {
  EXPECT_EQ(match_route("GET", "/admin/nothing").kind, outcome::not_found);
  EXPECT_EQ(match_route("GET", "/admin/keys/a/b/c").kind, outcome::not_found);
  EXPECT_EQ(match_route("GET", "/admin/souls//").kind, outcome::not_found);
  EXPECT_EQ(match_route("GET", "").kind, outcome::not_found);
}

TEST(Router, WrongMethodListsTheAllowedOnes) {
  auto r = match_route("DELETE", "/admin/keys");
  EXPECT_EQ(r.kind, outcome::method_not_allowed);
  EXPECT_EQ(r.allow, "GET, POST");
  r = match_route("POST", "/health");
  EXPECT_EQ(r.kind, outcome::method_not_allowed);
  EXPECT_EQ(r.allow, "GET, HEAD");
}

TEST(Router, DialectFollowsThePath) {
  EXPECT_EQ(dialect_for_path("/v1/chat/completions"), dialect::openai);
  EXPECT_EQ(dialect_for_path("/v1/souls/x/chat/completions"), dialect::openai);
  EXPECT_EQ(dialect_for_path("/v1/messages"), dialect::anthropic);
  EXPECT_EQ(dialect_for_path("/v1/messages/count_tokens"), dialect::anthropic);
  EXPECT_EQ(dialect_for_path("/v1/souls/x/messages"), dialect::anthropic);
  EXPECT_EQ(dialect_for_path("/admin/keys"), dialect::admin);
  EXPECT_EQ(dialect_for_path("/elsewhere"), dialect::openai);
}
