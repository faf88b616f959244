#pragma once

// Google's Gemini API (generativelanguage v1beta) as an upstream (SPEC §10,
// reference §2.3): endpoints, the body built from the canonical form, and
// decoders for GenerateContentResponse JSON and its SSE stream. Pure.

#include <memory>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "providers/canonical.hpp"
#include "providers/decoder.hpp"

namespace oh::providers::gemini {

/// `{base}/v1beta/models/{model}:generateContent`, or
/// `:streamGenerateContent?alt=sse` for streams.
std::string generate_url(std::string_view base_url, std::string_view model,
                         bool stream);
std::string models_url(std::string_view base_url);

/// Upstream body; image URLs are refused (400 naming the part), schema
/// keywords Gemini rejects are removed and listed in `r.dropped`.
expected<std::string> build_body(canonical_request& r);

/// Canonical finish for a Gemini `finishReason`.
std::string finish_for(std::string_view finish_reason);

std::unique_ptr<stream_decoder> make_decoder(const decode_context& ctx);
expected<event_list> decode_response(std::string_view body,
                                     const decode_context& ctx);

} // namespace oh::providers::gemini
