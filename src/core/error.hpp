#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace oh {

/// Every failure the gateway can report. One line of doc per member; the
/// HTTP layer maps each to a status and a dialect-specific body.
enum class errc : uint8_t {
  none = 0,
  /// The request body is not valid JSON.
  invalid_json,
  /// A required field is missing.
  missing_field,
  /// A field has a wrong type or a value out of range.
  invalid_value,
  /// No credentials were presented.
  auth_required,
  /// Presented credentials are unknown, revoked, disabled or expired.
  auth_invalid,
  /// Authenticated, but not allowed to do this.
  forbidden,
  /// The addressed resource does not exist.
  not_found,
  /// The path exists but not with this method.
  method_not_allowed,
  /// A unique value (for example a soul slug) is already taken.
  conflict,
  /// The body exceeds limits.max_body_bytes.
  too_large,
  /// The header section exceeds limits.max_header_bytes.
  headers_too_large,
  /// A POST without Content-Length and not chunked.
  length_required,
  /// The Host header is not an allowed admin host (DNS rebinding guard).
  misdirected,
  /// A rate limit was reached.
  rate_limited,
  /// The process is draining and takes no new work.
  shutting_down,
  /// Storage failed (SQLite error, disk full).
  store_failure,
  /// Configuration is invalid.
  bad_config,
  /// Ciphertext failed authentication or the key is wrong.
  decrypt_failed,
  /// The soul named by the path, header or model does not exist or is off.
  soul_not_found,
  /// The key may not use this soul (or must use one).
  soul_denied,
  /// No account serves the requested model.
  model_not_found,
  /// A daily or monthly budget of the key is spent.
  budget_exceeded,
  /// No account can serve now (none configured, all unavailable).
  no_providers,
  /// Every able account failed (connect, 5xx, upstream 4xx not the client's).
  upstream_failed,
  /// The upstream did not answer in time.
  upstream_timeout,
  /// A broken invariant or unexpected exception.
  internal,
  /// The request uses a protocol feature we do not implement (a
  /// Transfer-Encoding other than chunked).
  not_implemented,
};

/// Stable lower_snake name of a code, used in logs.
std::string_view to_string(errc code);

/// Client text quoted in an error message (a path, a field name, an id),
/// cut to `max` bytes at a UTF-8 boundary with "…" appended, so an answer
/// never grows with what the client sent.
std::string clip_echo(std::string_view text, size_t max = 200);

/// A failure with a human-readable message and, for validation errors, the
/// name of the offending field.
struct failure {
  errc code = errc::internal;
  std::string message;
  std::string field;
  /// An HTTP status that overrides the code's own (an upstream's 4xx about
  /// the client's request is passed through); 0 = derived from the code.
  unsigned status = 0;
};

} // namespace oh
