#include <gtest/gtest.h>

#include "core/json.hpp"
#include "core/error_render.hpp"
#include "http/router.hpp"

using namespace oh;

TEST(ErrorRender, OpenAiShapeHasMessageTypeParamCode) {
  auto res = error_response(
    dialect::openai,
    fail(errc::invalid_value, "temperature: too hot", "temperature"));
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(
    res.body,
    R"({"error":{"message":"temperature: too hot","type":"invalid_request_error","param":"temperature","code":"invalid_value"}})");
}

TEST(ErrorRender, OpenAiParamIsNullWithoutAField) {
  auto body = render_openai_error(fail(errc::too_large, "too big"));
  EXPECT_NE(body.find(R"("param":null)"), std::string::npos);
  EXPECT_NE(body.find(R"("code":"request_too_large")"), std::string::npos);
}

TEST(ErrorRender, AnthropicShapeCarriesTheRequestId) {
  auto res = error_response(dialect::anthropic,
                            fail(errc::auth_invalid, "invalid key"), "abc");
  EXPECT_EQ(res.status, 401u);
  EXPECT_EQ(
    res.body,
    R"({"type":"error","error":{"type":"authentication_error","message":"invalid key"},"request_id":"abc"})");
}

TEST(ErrorRender, AdminShapeNamesTheField) {
  auto res = error_response(
    dialect::admin, fail(errc::missing_field, "name: is required", "name"));
  EXPECT_EQ(res.status, 400u);
  EXPECT_EQ(
    res.body,
    R"({"error":{"code":"VALIDATION","message":"name: is required","field":"name"}})");
}

TEST(ErrorRender, StatusesFollowTheSpecTable) {
  EXPECT_EQ(status_for(errc::invalid_json), 400u);
  EXPECT_EQ(status_for(errc::auth_required), 401u);
  EXPECT_EQ(status_for(errc::forbidden), 403u);
  EXPECT_EQ(status_for(errc::not_found), 404u);
  EXPECT_EQ(status_for(errc::method_not_allowed), 405u);
  EXPECT_EQ(status_for(errc::length_required), 411u);
  EXPECT_EQ(status_for(errc::too_large), 413u);
  EXPECT_EQ(status_for(errc::misdirected), 421u);
  EXPECT_EQ(status_for(errc::rate_limited), 429u);
  EXPECT_EQ(status_for(errc::headers_too_large), 431u);
  EXPECT_EQ(status_for(errc::shutting_down), 503u);
  EXPECT_EQ(status_for(errc::internal), 500u);
}

TEST(ErrorRender, MessagesAreEscapedIntoValidJson) {
  for (auto d : {dialect::openai, dialect::anthropic, dialect::admin}) {
    auto res = error_response(d, fail(errc::invalid_value, "bad \"x\"\n\\"));
    EXPECT_TRUE(json::parse(res.body)) << res.body;
  }
}
