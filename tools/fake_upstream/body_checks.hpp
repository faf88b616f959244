#pragma once

// The request-body rules of each vendor, refused in that vendor's status,
// error shape and (where we know them) words. Without them the fake answers
// any body, so a gateway that translates a conversation into something the
// real API turns away would still pass every test. Pure: main.cpp calls
// these on each generation route after authentication and before the
// scripted behaviour, so a body carrying `[[fake status=…]]` must be valid
// too.

#include <optional>

#include "core/json.hpp"
#include "wire.hpp"

namespace fake {

/// The refusal of a generation body (parsed, an object) on `wire`: OpenAI
/// Chat Completions, Anthropic Messages, Gemini generateContent (for
/// `code_assist` the wrapper and its inner `request`), Ollama `/api/chat`
/// and the Codex Responses `input`; nothing when the vendor would take it.
std::optional<error_reply> check_body(vendor wire, const oh::json::value& body);

/// Anthropic's `/v1/messages/count_tokens`: the Messages rules, but the
/// generation-only fields (`max_tokens`, `stream`, sampling) are refused.
std::optional<error_reply> check_count_tokens(const oh::json::value& body);

} // namespace fake
