#include "subscription.hpp"

#include "core/json.hpp"

namespace fake::subscription {

namespace {

using oh::json::document;

std::string get(const headers& h, const char* name) {
  auto it = h.find(name);
  return it == h.end() ? std::string{} : it->second;
}

/// Whether a comma-separated header list holds `flag` as one of its items.
bool has_flag(std::string_view list, std::string_view flag) {
  size_t pos = 0;
  while (pos <= list.size()) {
    auto end = list.find(',', pos);
    if (end == std::string_view::npos)
      end = list.size();
    auto item = list.substr(pos, end - pos);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    if (item == flag)
      return true;
    pos = end + 1;
  }
  return false;
}

bool non_empty_string(const document& d, const char* name) {
  return d.HasMember(name) && d[name].IsString()
         && d[name].GetStringLength() > 0;
}

/// `system` as Claude Code sends it: the identity string alone, or blocks
/// whose first is a text block with exactly that text.
bool identity_system(const document& body) {
  if (!body.HasMember("system"))
    return false;
  auto& system = body["system"];
  if (system.IsString())
    return system.GetString() == claude_identity;
  if (!system.IsArray() || system.Empty() || !system[0].IsObject())
    return false;
  auto& first = system[0];
  return first.HasMember("type") && first["type"] == "text"
         && first.HasMember("text") && first["text"].IsString()
         && first["text"].GetString() == claude_identity;
}

std::optional<error_reply> claude_refusal(const headers& h,
                                          std::string_view raw) {
  auto refuse = [](std::string message) {
    return error_for(vendor::claude, 400, std::move(message));
  };
  if (get(h, "anthropic-version").empty())
    return refuse("anthropic-version: header is required");
  auto beta = get(h, "anthropic-beta");
  if (!has_flag(beta, "claude-code-20250219")
      || !has_flag(beta, "oauth-2025-04-20"))
    return refuse("anthropic-beta must include claude-code-20250219 and "
                  "oauth-2025-04-20 with an OAuth token");
  if (!get(h, "user-agent").starts_with("claude-cli/"))
    return refuse("user-agent must be claude-cli/<version> with an OAuth "
                  "token");
  if (get(h, "x-app") != "cli")
    return refuse("x-app: cli is required with an OAuth token");
  document body;
  body.Parse(raw.data(), raw.size());
  if (body.HasParseError() || !body.IsObject())
    return refuse("invalid JSON body");
  // Anthropic's own words for a subscription token used outside Claude Code.
  if (!identity_system(body))
    return refuse("This credential is only authorized for use with Claude "
                  "Code and cannot be used for other API requests.");
  return std::nullopt;
}

std::optional<error_reply> codex_refusal(const headers& h,
                                         std::string_view raw) {
  auto refuse = [](std::string message) {
    return error_for(vendor::codex, 400, std::move(message));
  };
  if (get(h, "chatgpt-account-id").empty())
    return refuse("chatgpt-account-id header is required");
  document body;
  body.Parse(raw.data(), raw.size());
  if (body.HasParseError() || !body.IsObject())
    return refuse("Invalid JSON body");
  // The backend sets these itself and refuses a client that tries.
  for (auto* name :
       {"max_output_tokens", "temperature", "top_p", "stop", "max_tokens"})
    if (body.HasMember(name))
      return refuse(std::string{"Unsupported parameter: "} + name);
  if (!non_empty_string(body, "model"))
    return refuse("Model is required");
  if (!body.HasMember("instructions") || !body["instructions"].IsString())
    return refuse("Instructions are required");
  if (!body.HasMember("input") || !body["input"].IsArray())
    return refuse("Input must be a list");
  if (!body.HasMember("store") || !body["store"].IsBool()
      || body["store"].GetBool())
    return refuse("Store must be set to false");
  if (!body.HasMember("stream") || !body["stream"].IsBool()
      || !body["stream"].GetBool())
    return refuse("Stream must be set to true");
  return std::nullopt;
}

std::optional<error_reply> code_assist_refusal(const headers& h,
                                               std::string_view raw) {
  auto refuse = [](std::string message) {
    return error_for(vendor::code_assist, 400, std::move(message));
  };
  if (get(h, "user-agent").find("google-cloud-sdk") == std::string::npos)
    return refuse("user-agent must name google-cloud-sdk");
  document body;
  body.Parse(raw.data(), raw.size());
  if (body.HasParseError() || !body.IsObject())
    return refuse("Invalid JSON payload received.");
  if (!non_empty_string(body, "model"))
    return refuse("model is required");
  if (!non_empty_string(body, "project"))
    return refuse("project is required");
  if (!body.HasMember("request") || !body["request"].IsObject()
      || !body["request"].HasMember("contents")
      || !body["request"]["contents"].IsArray())
    return refuse("request.contents is required");
  return std::nullopt;
}

error_reply json_reply(std::string body) {
  return {200, std::move(body), {}};
}

constexpr const char* onboarded_operation
  = R"({"name":"operations/op1","done":true,"response":{"cloudaicompanionProject":{"id":"proj-onboarded"}}})";

} // namespace

error_reply unauthorised(vendor wire, oauth::bearer why) {
  bool expired = why == oauth::bearer::expired;
  switch (wire) {
    case vendor::claude:
      return error_for(
        wire, 401,
        expired ? "OAuth token has expired. Please obtain a new token or "
                  "refresh your existing token."
        : why == oauth::bearer::revoked
          ? "OAuth token has been revoked. Please obtain a new token."
          : "Invalid bearer token");
    case vendor::codex:
      return error_for(wire, 401,
                       expired ? "Provided authentication token is expired. "
                                 "Please try signing in again."
                               : "Could not parse your authentication token. "
                                 "Please try signing in again.");
    default:
      return error_for(
        vendor::code_assist, 401,
        "Request had invalid authentication credentials. Expected OAuth 2 "
        "access token, login cookie or other valid authentication "
        "credential.");
  }
}

std::optional<error_reply> refusal(vendor wire, const headers& h,
                                   std::string_view body) {
  switch (wire) {
    case vendor::claude:
      return claude_refusal(h, body);
    case vendor::codex:
      return codex_refusal(h, body);
    case vendor::code_assist:
      return code_assist_refusal(h, body);
    default:
      return std::nullopt;
  }
}

error_reply discovery(code_assist_state& state, bool post,
                      std::string_view target, std::string_view raw) {
  document body;
  if (post) {
    body.Parse(raw.data(), raw.size());
    if (body.HasParseError() || !body.IsObject())
      return error_for(vendor::code_assist, 400,
                       "Invalid JSON payload received.");
  }
  if (post && target == "/v1internal:loadCodeAssist") {
    if (!body.HasMember("metadata") || !body["metadata"].IsObject())
      return error_for(vendor::code_assist, 400, "metadata is required");
    if (state.no_project && !state.onboarded)
      return json_reply(
        R"({"currentTier":null,"allowedTiers":[{"id":"free-tier","isDefault":true}]})");
    return json_reply(
      std::string{
        R"({"currentTier":{"id":"free-tier"},"allowedTiers":[{"id":"free-tier","isDefault":true}],"cloudaicompanionProject":)"}
      + (state.onboarded ? R"("proj-onboarded")" : R"("proj-fake")") + "}");
  }
  if (post && target == "/v1internal:onboardUser") {
    if (!non_empty_string(body, "tierId"))
      return error_for(vendor::code_assist, 400, "tierId is required");
    // The first call starts a long-running operation the client polls.
    if (!state.onboarded) {
      state.onboarded = true;
      return json_reply(R"({"name":"operations/op1","done":false})");
    }
    return json_reply(onboarded_operation);
  }
  if (!post && target == "/v1internal/operations/op1" && state.onboarded)
    return json_reply(onboarded_operation);
  return error_for(vendor::code_assist, 404, "Requested entity was not found.");
}

} // namespace fake::subscription
