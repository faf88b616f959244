#include "core/error.hpp"

namespace oh {

std::string clip_echo(std::string_view text, size_t max) {
  if (text.size() <= max)
    return std::string{text};
  size_t end = max;
  // Back up over continuation bytes (10xxxxxx) to a character's start.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;
  return std::string{text.substr(0, end)} + "…";
}

std::string_view to_string(errc code) {
  switch (code) {
    case errc::none:
      return "none";
    case errc::invalid_json:
      return "invalid_json";
    case errc::missing_field:
      return "missing_field";
    case errc::invalid_value:
      return "invalid_value";
    case errc::auth_required:
      return "auth_required";
    case errc::auth_invalid:
      return "auth_invalid";
    case errc::forbidden:
      return "forbidden";
    case errc::not_found:
      return "not_found";
    case errc::method_not_allowed:
      return "method_not_allowed";
    case errc::conflict:
      return "conflict";
    case errc::too_large:
      return "too_large";
    case errc::headers_too_large:
      return "headers_too_large";
    case errc::length_required:
      return "length_required";
    case errc::not_implemented:
      return "not_implemented";
    case errc::misdirected:
      return "misdirected";
    case errc::rate_limited:
      return "rate_limited";
    case errc::shutting_down:
      return "shutting_down";
    case errc::store_failure:
      return "store_failure";
    case errc::bad_config:
      return "bad_config";
    case errc::decrypt_failed:
      return "decrypt_failed";
    case errc::internal:
      return "internal";
    case errc::soul_not_found:
      return "soul_not_found";
    case errc::soul_denied:
      return "soul_denied";
    case errc::model_not_found:
      return "model_not_found";
    case errc::budget_exceeded:
      return "budget_exceeded";
    case errc::no_providers:
      return "no_providers";
    case errc::upstream_failed:
      return "upstream_failed";
    case errc::upstream_timeout:
      return "upstream_timeout";
  }
  return "unknown";
}

} // namespace oh
