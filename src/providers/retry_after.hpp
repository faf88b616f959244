#pragma once

// How long an upstream asked us to wait after a 429 (SPEC §6.3): from
// `retry-after` (seconds or an HTTP date), `x-ratelimit-reset-requests` /
// `-tokens` (OpenAI durations such as "1s", "6m0s", "250ms") or
// `anthropic-ratelimit-*-reset` (ISO-8601). Pure.

#include <cstdint>
#include <optional>
#include <string_view>

#include "providers/upstream_client.hpp"

namespace oh::providers {

/// Milliseconds from `now_epoch_ms`, or nothing when no header says.
std::optional<int64_t> retry_after_ms(const header_list& headers,
                                      int64_t now_epoch_ms);

/// "1s", "6m0s", "1h2m3.5s", "250ms" → milliseconds.
std::optional<int64_t> parse_duration_ms(std::string_view text);

} // namespace oh::providers
