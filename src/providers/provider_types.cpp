#include "providers/provider_types.hpp"

#include <array>

namespace oh::providers {

namespace {

const std::array<provider_type_info, 5>& all_types() {
  // Base URLs are the reference's upstream facts (§2.1–§2.4).
  static const std::array<provider_type_info, 5> types = {{
    {"claude",
     "https://api.anthropic.com",
     true,
     {"api_key", "oauth", "borrowed"}},
    {"openai",
     "https://api.openai.com",
     true,
     {"api_key", "oauth", "borrowed"}},
    {"gemini",
     "https://generativelanguage.googleapis.com",
     true,
     {"api_key", "oauth", "borrowed"}},
    {"ollama", "http://127.0.0.1:11434", false, {"api_key"}},
    {"openai_compatible", "", false, {"api_key"}},
  }};
  return types;
}

} // namespace

std::string_view subscription_base_url(std::string_view type) {
  if (type == "claude")
    return "https://api.anthropic.com";
  if (type == "openai")
    return "https://chatgpt.com/backend-api/codex";
  if (type == "gemini")
    return "https://cloudcode-pa.googleapis.com";
  return {};
}

const provider_type_info* find_type(std::string_view type) {
  for (auto& t : all_types())
    if (t.type == type)
      return &t;
  return nullptr;
}

std::string known_types_text() {
  std::string out;
  for (auto& t : all_types()) {
    if (!out.empty())
      out += "|";
    out += t.type;
  }
  return out;
}

bool is_known_credential_field(std::string_view name) {
  static constexpr std::string_view fields[]
    = {"api_key",       "oauth_token", "access_token", "refresh_token",
       "expires_at",    "client_id",   "account_id",   "id_token",
       "project_id",    "source_path", "scopes",       "subscription_type",
       "client_secret", "source"};
  for (auto f : fields)
    if (f == name)
      return true;
  return false;
}

bool is_known_config_field(std::string_view name) {
  static constexpr std::string_view fields[]
    = {"default_model",     "timeout_ms",
       "stream_timeout_ms", "connect_timeout_ms",
       "idle_timeout_ms",   "max_stream_ms",
       "billing",           "max_concurrency",
       "system_mode"};
  for (auto f : fields)
    if (f == name)
      return true;
  return false;
}

bool is_valid_base_url(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("http://"))
    rest = url.substr(7);
  else if (url.starts_with("https://"))
    rest = url.substr(8);
  else
    return false;
  if (rest.empty() || rest.front() == '/' || rest.front() == ':')
    return false;
  for (char c : rest)
    if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\')
      return false;
  return true;
}

} // namespace oh::providers
