#pragma once

// The one place that renders error bodies, one function per dialect
// (SPEC §4). Handlers return failures; they never build error JSON.

#include <string_view>

#include "core/error.hpp"
#include "http/http_types.hpp"
#include "http/router.hpp"

namespace oh::http {

/// HTTP status for an error code.
unsigned status_for(errc code);

std::string render_openai_error(const failure& f);
std::string render_anthropic_error(const failure& f,
                                   std::string_view request_id = {});
std::string render_admin_error(const failure& f);

/// A complete response for `f` in the given dialect.
http_response error_response(dialect d, const failure& f,
                             std::string_view request_id = {});

} // namespace oh::http
