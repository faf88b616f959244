#pragma once

// OpenAI Chat Completions: validation of client requests, the soul's edits,
// the upstream body, and the relay of upstream answers (JSON and SSE) with
// only id, model and usage edits (SPEC §5.4, §5.5, §10). Pure: no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost.hpp"
#include "core/error.hpp"
#include "core/json.hpp"

namespace oh::providers::openai {

/// What a soul contributes to a request (SPEC §5.3).
struct soul_edits {
  std::string system_prompt;
  std::optional<std::string> model;
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;
};

/// Checks the request shape; the failure names the offending field.
std::optional<failure> validate_request(const json::value& body);

/// Facts read from a validated request.
struct request_facts {
  std::optional<std::string> model; // as the client sent it
  bool stream = false;
  bool include_usage = false; // stream_options.include_usage
  int64_t max_tokens = 0;     // max_completion_tokens or max_tokens, 0 if none
  size_t input_bytes = 0;     // size of the messages, for a token estimate
};
request_facts read_facts(const json::value& body, size_t body_bytes);

/// Options for building the upstream body.
struct upstream_options {
  std::string model; // final model id sent upstream
  bool stream = false;
  bool compatible
    = false; // openai_compatible: max_tokens, not max_completion_tokens
};

/// The body sent upstream: the client's body with the soul's system prompt
/// first, the soul's defaults where the client set none, the chosen model,
/// and usage always requested on streams.
std::string build_upstream_body(const json::value& client_body,
                                const soul_edits* soul,
                                const upstream_options& opts);

/// Chat endpoint URL for an account base URL (`…/v1` or not).
std::string chat_url(std::string_view base_url);

/// Usage from an OpenAI `usage` object.
token_usage read_usage(const json::value& usage);

/// `chatcmpl-` + id unless the id already has the prefix.
std::string completion_id(std::string_view upstream_id);

/// What the gateway adds to a non-streaming answer as `_openhinge`.
struct gateway_facts {
  std::string request_id;
  std::optional<std::string> soul;
  std::string provider;
  std::string provider_type;
  double cost_cents = 0;
};

struct completion_result {
  std::string body; // the answer for the client
  std::string model;
  std::string finish_reason;
  token_usage usage;
};

/// Rewrites an upstream chat.completion: id, `_openhinge`. `cost` is called
/// with the upstream model and usage and returns the cost in cents.
expected_like_t<completion_result>;

} // namespace oh::providers::openai
