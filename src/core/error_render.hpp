#pragma once

// The one place that renders error bodies, one function per dialect
// (SPEC §4). Handlers return failures; they never build error JSON.

#include <string_view>

#include "core/error.hpp"
#include "core/http_message.hpp"

namespace oh {

/// HTTP status for an error code.
unsigned status_for(errc code);

std::string render_openai_error(const failure& f);
std::string render_anthropic_error(const failure& f,
                                   std::string_view request_id = {});
std::string render_admin_error(const failure& f);

/// A complete response for `f` in the given dialect.
http_response error_response(dialect d, const failure& f,
                             std::string_view request_id = {});

/// The in-band error of a stream that already started (SPEC §4): OpenAI
/// `data: {"error":…}` then `data: [DONE]`; Anthropic `event: error`.
std::string render_stream_error(dialect d, const failure& f);

} // namespace oh
