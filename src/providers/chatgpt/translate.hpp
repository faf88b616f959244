#pragma once

// ChatGPT subscriptions as an upstream: the Codex backend's Responses API
// (`POST {base}/responses`, SPEC §7 and §10, docs/subscriptions.md). The
// body built from the canonical form, and a decoder for its SSE events. The
// backend always streams, so a whole answer is the collected stream. Pure.

#include <memory>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "providers/canonical.hpp"
#include "providers/decoder.hpp"

namespace oh::providers::chatgpt {

/// The instructions sent when neither the soul nor the client has any (the
/// backend requires the field).
constexpr const char* default_instructions = "You are a helpful assistant.";

std::string responses_url(std::string_view base_url);

/// Upstream body (always `stream: true`, `store: false`); parameters the
/// backend refuses are added to `r.dropped`.
expected<std::string> build_body(canonical_request& r);

std::unique_ptr<stream_decoder> make_decoder(const decode_context& ctx);

/// A whole answer: the collected SSE stream of one response.
expected<event_list> decode_response(std::string_view sse_body,
                                     const decode_context& ctx);

} // namespace oh::providers::chatgpt
