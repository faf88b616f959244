#pragma once

// Each provider type's model listing: the request (also the health probe,
// which spends no generation quota, SPEC §6.3) and the model ids in its
// answer (SPEC §5.7). Pure: no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"
#include "providers/upstream_client.hpp"

namespace oh::providers {

/// GET of the type's listing endpoint with its auth headers. A Claude
/// `api_key` that is a subscription token (`sk-ant-oat01-`) goes as a bearer
/// token with the subscription headers.
expected<upstream_request> listing_request(std::string_view type,
                                           std::string_view base_url,
                                           const std::string& api_key);

/// The no-quota probe of a subscription account: Claude's listing with
/// the subscription headers, Code Assist's `loadCodeAssist`; nothing for
/// ChatGPT (a token check, SPEC §6.3).
expected<std::optional<upstream_request>>
subscription_probe_request(std::string_view type, std::string_view base_url,
                           const std::string& access_token);

/// What a subscription serves when it lists nothing (reference §2.2–§2.3).
std::vector<std::string> subscription_models(std::string_view type);

/// Model ids in a listing answer: OpenAI/Anthropic `data[].id`, Gemini
/// `models[].name` without `models/` (only models that generate content),
/// Ollama `models[].name`. Empty when the body is not a listing.
std::vector<std::string> parse_listing(std::string_view type,
                                       std::string_view body);

} // namespace oh::providers
