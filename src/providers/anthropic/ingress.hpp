#pragma once

// Anthropic Messages requests (`/v1/messages`, SPEC §5.6): validation, the
// facts the request actor needs, and the canonical form for targets other
// than Claude. Pure: no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/expected.hpp"
#include "core/json.hpp"
#include "providers/canonical.hpp"

namespace oh::providers::anthropic {

/// Used when neither the request nor the soul sets `max_tokens`.
constexpr int64_t default_max_tokens = 4096;

/// Checks the request shape; the failure names the offending field.
std::optional<failure> validate_request(const json::value& body);

struct request_facts {
  std::optional<std::string> model;
  bool stream = false;
  int64_t max_tokens = 0; // 0 when absent; at most max_token_count
};
request_facts read_facts(const json::value& body);

/// The request in canonical form for `target_type` (not Claude: Claude
/// gets the relay body). Documents and unknown blocks are refused.
expected<canonical_request> to_canonical(const json::value& body,
                                         const soul_edits* soul,
                                         std::string_view model,
                                         std::string_view target_type);

} // namespace oh::providers::anthropic
