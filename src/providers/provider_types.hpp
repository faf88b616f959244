#pragma once

// The provider types the gateway knows and their fixed facts: default base
// URLs, which auth modes they accept, and which credential fields.

#include <string>
#include <string_view>
#include <vector>

namespace oh::providers {

struct provider_type_info {
  std::string_view type;
  std::string_view default_base_url; // empty: a base URL is required
  bool key_required;                 // api_key mode needs credentials.api_key
  std::vector<std::string_view> auth_modes;
};

/// The default base URL of a type's subscription wire
/// (docs/subscriptions.md); empty for types without subscriptions.
std::string_view subscription_base_url(std::string_view type);

/// Facts of a type, or nullptr for an unknown type.
const provider_type_info* find_type(std::string_view type);

/// `claude|openai|gemini|ollama|openai_compatible`, for error messages.
std::string known_types_text();

/// Credential fields an account may carry (SPEC §7, reference §4.2).
bool is_known_credential_field(std::string_view name);

/// Keys allowed in a provider's `config` object (SPEC §9.2).
bool is_known_config_field(std::string_view name);

/// True for `http://` or `https://` URLs with a host.
bool is_valid_base_url(std::string_view url);

} // namespace oh::providers
