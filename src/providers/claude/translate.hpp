#pragma once

// Anthropic's Messages API as an upstream (SPEC §10, reference §2.1):
// endpoints, the relay body for Anthropic clients, the body built from the
// canonical form for other clients, and decoders for its JSON answers and
// SSE events. Pure: no I/O.

#include <memory>
#include <string>
#include <string_view>

#include "core/expected.hpp"
#include "core/json.hpp"
#include "providers/canonical.hpp"
#include "providers/decoder.hpp"

namespace oh::providers::claude {

constexpr const char* api_version = "2023-06-01";
/// A subscription (Claude Code OAuth) token is sent as a bearer token with
/// these beta flags and client identity (reference §2.1).
constexpr const char* oauth_beta = "claude-code-20250219,oauth-2025-04-20";
constexpr const char* oauth_user_agent = "claude-cli/2.1.62";
/// Subscription access tokens start with this (informative only: the
/// account's auth_mode decides, SPEC §7).
constexpr const char* oauth_token_prefix = "sk-ant-oat01-";
/// The exact `system` text a subscription token must be sent with.
constexpr const char* identity_prompt
  = "You are Claude Code, Anthropic's official CLI for Claude.";

/// A body built for an API-key account rewritten for a subscription
/// (docs/subscriptions.md): `system` as blocks with the identity first, or
/// with `user_merge` the identity alone and the other system text merged
/// into the first user message.
std::string subscription_body(const std::string& body, bool user_merge);

/// The `anthropic-beta` value of a subscription request: the required
/// flags, then the client's own values not already there.
std::string subscription_beta(std::string_view client_beta);

std::string messages_url(std::string_view base_url);
std::string models_url(std::string_view base_url);

/// The Anthropic client's body with only the soul's and model edits: the
/// soul's prompt before the client's `system`, its temperature and
/// max_tokens where the client set none (max_tokens default 4096).
std::string build_relay_body(const json::value& client, const soul_edits* soul,
                             const std::string& model);

/// The upstream body from the canonical form (OpenAI clients). Parameters
/// Claude cannot take are added to `r.dropped`.
expected<std::string> build_body(canonical_request& r);

/// Canonical finish for a Claude `stop_reason`.
std::string finish_for(std::string_view stop_reason);

/// Usage from a Claude `usage` object (prompt tokens = input + cache).
token_usage read_usage(const json::value& usage);

std::unique_ptr<stream_decoder> make_decoder(const decode_context& ctx);
expected<event_list> decode_response(std::string_view body,
                                     const decode_context& ctx);

} // namespace oh::providers::claude
