#pragma once

// OpenAI Chat Completions: validation of client requests, the soul's edits,
// the upstream body, and the relay of upstream answers (JSON and SSE) with
// only id, model and usage edits (SPEC §5.4, §5.5, §10). Pure: no I/O.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/cost.hpp"
#include "core/error.hpp"
#include "core/expected.hpp"
#include "core/json.hpp"
#include "providers/canonical.hpp"
#include "providers/decoder.hpp"

namespace oh::providers::openai {

using providers::soul_edits;

/// Checks the request shape; the failure names the offending field.
std::optional<failure> validate_request(const json::value& body);

/// Facts read from a validated request.
struct request_facts {
  std::optional<std::string> model; // as the client sent it
  bool stream = false;
  bool include_usage = false; // stream_options.include_usage
  /// max_completion_tokens or max_tokens, 0 if none; at most
  /// max_token_count (it sizes reservations, not what is sent).
  int64_t max_tokens = 0;
  int64_t n = 1;
};
request_facts read_facts(const json::value& body);

struct upstream_options {
  std::string model; // final model id sent upstream
  bool stream = false;
  /// openai_compatible targets get `max_tokens` (many local servers ignore
  /// `max_completion_tokens`, SPEC §10).
  bool compatible = false;
};

/// The upstream body: the client's body with the soul's system prompt first,
/// the soul's defaults where the client set none, the chosen model, and usage
/// always requested on streams.
std::string build_upstream_body(const json::value& client_body,
                                const soul_edits* soul,
                                const upstream_options& opts);

/// Chat endpoint for a base URL: `{base}/v1/chat/completions`, or
/// `{base}/chat/completions` when the base already ends in `/v1`.
std::string chat_url(std::string_view base_url);

/// Model-listing endpoint (the no-quota health probe, reference §2.2).
std::string models_url(std::string_view base_url);

/// Usage from an OpenAI `usage` object (prompt tokens include cached ones).
token_usage read_usage(const json::value& usage);

/// `chatcmpl-` + id unless the id already has the prefix.
std::string completion_id(std::string_view upstream_id);

/// An upstream chat.completion, parsed.
struct completion {
  json::document doc;
  std::string model;
  std::string finish_reason;
  token_usage usage;
  /// The answer's size as received: what rendering it again reserves.
  size_t body_size = 0;
};
expected<completion> parse_completion(std::string_view body);

/// What the gateway adds to an answer as `_openhinge`.
/// Views: the caller's texts outlive the call.
struct gateway_facts {
  std::string_view request_id;
  std::optional<std::string_view> soul;
  std::string_view provider;
  std::string_view provider_type;
  double cost_cents = 0;
  /// When a fallback happened: `[{provider, status, error, latency_ms}]`
  /// and the original's `[{provider_id, provider_name, error, latency_ms}]`
  /// of the failed attempts, as JSON arrays (written by the gateway).
  std::string_view attempts_json;
  std::string_view fallback_attempts_json;
  /// The answer checked against the response schema that applied.
  std::optional<bool> schema_valid;
};

/// The client's answer: the upstream object with our id and `_openhinge`.
std::string render_completion(const completion& c, const gateway_facts& facts);

/// The message of an upstream error body (`{"error":{"message":…}}`), or a
/// generic text; never the raw body.
std::string upstream_error_message(std::string_view body, unsigned status);

/// Relays an upstream chat.completion.chunk stream to the client with a
/// consistent id, a role chunk first, usage handled as the client asked, and
/// our own `[DONE]`.
class stream_relay {
public:
  stream_relay(std::string id, bool client_wants_usage)
    : id_(std::move(id)), wants_usage_(client_wants_usage) {}

  struct step {
    std::string bytes;    // client-format events to send (may be empty)
    bool content = false; // carried text, reasoning or a tool call
    bool done = false;    // upstream sent [DONE]
    std::optional<std::string> error; // upstream reported an error event
  };

  /// One upstream `data:` payload.
  step on_data(std::string_view data);
  /// What ends the client's stream: usage chunk if asked and not yet sent,
  /// then `data: [DONE]`.
  std::string finish();

  bool saw_finish() const {
    return !finish_reason_.empty();
  }
  const std::string& finish_reason() const {
    return finish_reason_;
  }
  const std::string& model() const {
    return model_;
  }
  const token_usage& usage() const {
    return usage_;
  }
  bool has_usage() const {
    return has_usage_;
  }

private:
  std::string role_chunk() const;

  std::string id_;
  bool wants_usage_;
  bool role_sent_ = false;
  bool usage_sent_ = false;
  bool has_usage_ = false;
  int64_t created_ = 0;
  std::string model_;
  std::string fingerprint_;
  std::string finish_reason_;
  token_usage usage_;
};

// -- OpenAI as the upstream of another dialect (Anthropic clients) -----------

/// The upstream body from the canonical form; `compatible` targets get
/// `max_tokens` instead of `max_completion_tokens`.
expected<std::string> build_body(canonical_request& r, bool compatible);

/// Tools in OpenAI's shape `[{type:"function",function:{name,description?,
/// parameters}}]` (also Ollama's); `parameters` is `{}` when none was given
/// unless `omit_empty_parameters`.
json::value function_tools(const std::vector<tool_def>& tools,
                           bool omit_empty_parameters,
                           json::document::AllocatorType& a);

/// Canonical finish for an OpenAI `finish_reason`.
std::string finish_for(std::string_view finish_reason);

std::unique_ptr<stream_decoder> make_decoder(const decode_context& ctx);
expected<event_list> decode_response(std::string_view body,
                                     const decode_context& ctx);

} // namespace oh::providers::openai
