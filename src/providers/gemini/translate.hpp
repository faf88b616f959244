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

// -- Gemini Code Assist (subscriptions, docs/subscriptions.md) ------------

constexpr const char* code_assist_user_agent
  = "google-cloud-sdk vscode_cloudshelleditor/0.1";
constexpr const char* code_assist_api_client = "gl-node/22.17.0";
/// The body of `loadCodeAssist` and `onboardUser`'s metadata (reference
/// §3.2).
constexpr const char* code_assist_metadata_body
  = R"({"metadata":{"ideType":"GEMINI_CLI","pluginType":"GEMINI",)"
    R"("platform":"PLATFORM_UNSPECIFIED"}})";

/// `{base}/v1internal:generateContent`, or
/// `:streamGenerateContent?alt=sse` for streams.
std::string code_assist_url(std::string_view base_url, bool stream);

/// `{"model", "project", "request": <inner body>}`.
std::string wrap_for_code_assist(const std::string& inner_body,
                                 std::string_view model,
                                 std::string_view project);

/// Decoders for answers wrapped as `{"response": …}`.
std::unique_ptr<stream_decoder>
make_code_assist_decoder(const decode_context& ctx);
expected<event_list> decode_code_assist_response(std::string_view body,
                                                 const decode_context& ctx);

} // namespace oh::providers::gemini
