#pragma once

// The edits "connect" makes to OpenClaw's own configuration file
// (reference §1.4): our provider entry with the gateway's models, and the
// agent's model fallbacks. Pure JSON in, JSON out; the caller does the I/O.

#include <string>
#include <vector>

#include "core/expected.hpp"

namespace oh::http::openclaw {

/// The provider name OpenClaw knows the gateway by (`openhinge/<model>`).
inline constexpr const char* provider_name = "openhinge";
/// Where an agent's primary model goes when it pointed at the gateway.
inline constexpr const char* fallback_primary = "anthropic/claude-sonnet-4-6";
/// At most this many gateway models are written into OpenClaw's list.
inline constexpr size_t max_models = 10;
/// The agent's fallbacks get this many of them.
inline constexpr size_t max_fallbacks = 3;

/// Whether the file names the gateway as a provider.
bool is_connected(const std::string& file_text);

/// The file with `models.providers.openhinge` set to `base_url` (…/v1),
/// `api_key` and `models` (the first max_models), and, where the agent has
/// a fallback list, the gateway's first max_fallbacks models in it instead
/// of older ones. Fails on a file that is not a JSON object.
expected<std::string> connect(const std::string& file_text,
                              const std::string& base_url,
                              const std::string& api_key,
                              const std::vector<std::string>& models);

/// The file without the gateway: no provider entry, no `openhinge/`
/// fallbacks, and a primary model that pointed at it moved to
/// fallback_primary. Empty when the file has nothing of the gateway (it is
/// then left as it is).
expected<std::string> disconnect(const std::string& file_text);

} // namespace oh::http::openclaw
