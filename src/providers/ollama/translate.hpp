#pragma once

// Ollama's `/api/chat` as an upstream (SPEC §10, reference §2.4): the body
// built from the canonical form, decoders for its JSON answer and its
// NDJSON stream (one object per line). Pure: no I/O.

#include <memory>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "providers/canonical.hpp"
#include "providers/decoder.hpp"

namespace oh::providers::ollama {

std::string chat_url(std::string_view base_url);
std::string tags_url(std::string_view base_url);

/// Upstream body; image URLs are refused (400 naming the part).
expected<std::string> build_body(canonical_request& r);

std::unique_ptr<stream_decoder> make_decoder(const decode_context& ctx);
expected<event_list> decode_response(std::string_view body,
                                     const decode_context& ctx);

} // namespace oh::providers::ollama
