#include "providers/model_listing.hpp"

#include "core/json.hpp"
#include "providers/claude/translate.hpp"
#include "providers/gemini/translate.hpp"
#include "providers/ollama/translate.hpp"
#include "providers/openai/translate.hpp"
#include "providers/translation.hpp"

namespace oh::providers {

expected<upstream_request> listing_request(std::string_view type,
                                           std::string_view base,
                                           const std::string& api_key) {
  auto w = wire_for_type(type).value_or(wire::openai);
  std::string url;
  upstream_request req;
  req.method = "GET";
  switch (w) {
    case wire::chatgpt:
    case wire::openai:
      url = openai::models_url(base);
      if (!api_key.empty())
        req.headers.emplace_back("authorization", "Bearer " + api_key);
      break;
    case wire::claude:
      url = claude::models_url(base);
      if (api_key.starts_with(claude::oauth_token_prefix)) {
        req.headers.emplace_back("authorization", "Bearer " + api_key);
        req.headers.emplace_back("anthropic-beta", claude::oauth_beta);
        req.headers.emplace_back("user-agent", claude::oauth_user_agent);
        req.headers.emplace_back("x-app", "cli");
      } else {
        req.headers.emplace_back("x-api-key", api_key);
      }
      req.headers.emplace_back("anthropic-version", claude::api_version);
      break;
    case wire::gemini:
      url = gemini::models_url(base);
      req.headers.emplace_back("x-goog-api-key", api_key);
      break;
    case wire::ollama:
      url = ollama::tags_url(base);
      break;
  }
  auto parsed = parse_url(url);
  if (!parsed)
    return fail(errc::invalid_value, "bad base_url: " + parsed.error().message);
  req.url = std::move(*parsed);
  return req;
}

expected<std::optional<upstream_request>>
subscription_probe_request(std::string_view type, std::string_view base,
                           const std::string& access_token) {
  upstream_request req;
  std::string url;
  if (type == "openai")
    return std::optional<upstream_request>{};
  if (type == "claude") {
    req.method = "GET";
    url = claude::models_url(base);
    req.headers.emplace_back("authorization", "Bearer " + access_token);
    req.headers.emplace_back("anthropic-beta", claude::oauth_beta);
    req.headers.emplace_back("user-agent", claude::oauth_user_agent);
    req.headers.emplace_back("x-app", "cli");
    req.headers.emplace_back("anthropic-version", claude::api_version);
  } else if (type == "gemini") {
    req.method = "POST";
    url = std::string{trim_base(base)} + "/v1internal:loadCodeAssist";
    req.headers.emplace_back("authorization", "Bearer " + access_token);
    req.headers.emplace_back("content-type", "application/json");
    req.headers.emplace_back("user-agent", gemini::code_assist_user_agent);
    req.headers.emplace_back("x-goog-api-client",
                             gemini::code_assist_api_client);
    req.body = gemini::code_assist_metadata_body;
  } else {
    return fail(errc::invalid_value,
                std::string{type} + " accounts have no subscription");
  }
  auto parsed = parse_url(url);
  if (!parsed)
    return fail(errc::invalid_value, "bad base_url: " + parsed.error().message);
  req.url = std::move(*parsed);
  return std::optional<upstream_request>{std::move(req)};
}

std::vector<std::string> subscription_models(std::string_view type) {
  if (type == "openai")
    return {"gpt-5.4-mini",  "gpt-5.4",     "gpt-5.3-codex",
            "gpt-5.2-codex", "gpt-5.2",     "gpt-5.1-codex",
            "gpt-5.1",       "gpt-5-codex", "gpt-5"};
  if (type == "gemini")
    return {"gemini-2.5-pro", "gemini-2.5-flash"};
  return {};
}

std::vector<std::string> parse_listing(std::string_view type,
                                       std::string_view body) {
  std::vector<std::string> out;
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject())
    return out;
  auto w = wire_for_type(type).value_or(wire::openai);
  const char* list = w == wire::gemini || w == wire::ollama ? "models" : "data";
  auto* items = json::find(*doc, list);
  if (items == nullptr || !items->IsArray())
    return out;
  for (auto& m : items->GetArray()) {
    if (!m.IsObject())
      continue;
    if (w == wire::gemini) {
      if (auto* methods = json::find(m, "supportedGenerationMethods");
          methods && methods->IsArray()) {
        bool generates = false;
        for (auto& v : methods->GetArray())
          generates
            = generates
              || (v.IsString()
                  && std::string_view{v.GetString()} == "generateContent");
        if (!generates)
          continue;
      }
      auto name = json::get_string(m, "name").value_or("");
      if (name.starts_with("models/"))
        name = name.substr(7);
      if (!name.empty())
        out.push_back(std::move(name));
      continue;
    }
    auto id = json::get_string(m, w == wire::ollama ? "name" : "id");
    if (id && !id->empty())
      out.push_back(std::move(*id));
  }
  return out;
}

} // namespace oh::providers
