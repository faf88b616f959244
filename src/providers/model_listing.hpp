#pragma once

// Each provider type's model listing: the request (also the health probe,
// which spends no generation quota, SPEC §6.3) and the model ids in its
// answer (SPEC §5.7). Pure: no I/O.

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

/// Model ids in a listing answer: OpenAI/Anthropic `data[].id`, Gemini
/// `models[].name` without `models/` (only models that generate content),
/// Ollama `models[].name`. Empty when the body is not a listing.
std::vector<std::string> parse_listing(std::string_view type,
                                       std::string_view body);

} // namespace oh::providers
