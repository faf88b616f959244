#pragma once

// Which translation a request gets: for a client dialect and an account
// type, the upstream request (URL, headers, body), the stream translator
// and the renderer of whole answers (SPEC §10). Same-dialect pairs relay;
// every other pair goes through the canonical form. Pure: no I/O.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost.hpp"
#include "core/expected.hpp"
#include "core/http_message.hpp"
#include "core/json.hpp"
#include "providers/canonical.hpp"
#include "providers/sse.hpp"
#include "providers/upstream_client.hpp"

namespace oh::providers {

enum class wire : uint8_t { openai, claude, gemini, ollama, chatgpt };

/// The wire format an API-key account of a type speaks; nothing for an
/// unknown type. Subscription accounts: see call_input::subscription.
std::optional<wire> wire_for_type(std::string_view account_type);

/// How the upstream frames a stream.
enum class framing : uint8_t { sse, ndjson };

/// Everything the translation needs to know about one attempt.
struct call_input {
  dialect client = dialect::openai;
  const json::value* body = nullptr;  // the validated client body
  const http_request* http = nullptr; // the client's request (headers)
  std::string account_type;
  std::string base_url;
  std::string api_key;
  /// A subscription account (auth_mode oauth or borrowed, SPEC §7): the
  /// vendor's subscription wire with `access_token` as the bearer
  /// (docs/subscriptions.md), never `api_key`.
  bool subscription = false;
  std::string access_token;
  std::string chatgpt_account_id; // ChatGPT: the chatgpt-account-id header
  std::string project_id;         // Gemini Code Assist: the body's project
  bool system_user_merge = false; // Claude: config.system_mode user_merge
  std::string model;              // routed
  const soul_edits* soul = nullptr;
  bool stream = false;
  bool include_usage = false; // OpenAI clients: stream_options.include_usage
  std::string request_id;
  int64_t created = 0; // unix seconds
};

/// True when the pair relays (OpenAI→openai/openai_compatible,
/// Anthropic→claude).
bool is_relay(const call_input& in);

struct prepared_call {
  upstream_request request; // timeouts are the caller's
  framing frame = framing::sse;
  /// Parameters the target cannot take (`_openhinge.dropped_params`).
  std::vector<std::string> dropped;
};

/// The upstream request, or a client error (400 naming the field).
expected<prepared_call> prepare_call(const call_input& in);

/// POST /v1/messages/count_tokens (SPEC §5.6): for a Claude target the
/// request to forward (without the generation-only fields); nothing for
/// other targets, whose answer is an estimate.
std::optional<prepared_call> prepare_count_tokens(const call_input& in);

/// An estimate of an Anthropic request's input tokens (about four bytes of
/// text per token).
int64_t estimate_input_tokens(const json::value& anthropic_body,
                              const soul_edits* soul);

/// Turns upstream stream events into the client's events.
class stream_translator {
public:
  struct step {
    std::string bytes;                // client bytes to send (may be empty)
    bool content = false;             // carried text, reasoning or a tool call
    std::optional<std::string> error; // the upstream reported an error
  };
  virtual ~stream_translator() = default;
  /// One upstream event (an SSE event, or one NDJSON line in `data`).
  virtual step on_event(const sse_event& ev) = 0;
  /// The upstream ended the stream: the bytes that end the client's stream,
  /// or an error when the upstream never finished.
  virtual step on_end() = 0;
  virtual std::string model() const = 0;
  virtual std::string finish_reason() const = 0;
  virtual token_usage usage() const = 0;
};

std::unique_ptr<stream_translator> make_stream_translator(const call_input& in);

/// What the gateway adds to OpenAI-dialect answers as `_openhinge`.
struct gateway_facts {
  std::string request_id;
  std::optional<std::string> soul;
  std::string provider;
  std::string provider_type;
  double cost_cents = 0;
  /// JSON arrays, when a fallback happened.
  std::string attempts_json;
  std::string fallback_attempts_json;
  std::vector<std::string> dropped_params;
  /// Set by render_answer when a response schema applied.
  std::optional<bool> schema_valid;
};

/// The response schema a request's answer is checked against (SPEC §5.4):
/// the client's `response_format` json_schema, else the soul's. Empty:
/// none applied.
std::string applied_schema(const call_input& in);

/// The status to act on for an upstream answer: Gemini reports an invalid
/// API key as 400 `API_KEY_INVALID`, which is the account's 401, not the
/// client's error (SPEC §6.2 fails over on 401/403).
unsigned effective_status(std::string_view account_type, unsigned status,
                          std::string_view body);

/// A whole upstream answer, parsed once: the facts the request actor needs
/// for cost and the log, and what render_answer writes from.
struct parsed_answer {
  std::string model;
  std::string finish_reason;
  token_usage usage;
  /// OpenAI relay: the upstream object, edited in place when rendered.
  std::shared_ptr<json::document> upstream;
  /// Translated pairs: the answer assembled from canonical events.
  std::shared_ptr<answer> assembled;
};

/// Reads a whole (2xx) upstream answer; the failure says why it is not one.
expected<parsed_answer> read_answer(const call_input& in,
                                    std::string_view upstream_body);

/// The client's body for a whole answer (with `_openhinge` in the OpenAI
/// dialect; cost known only after read_answer, hence two steps).
expected<std::string> render_answer(const call_input& in,
                                    std::string_view upstream_body,
                                    parsed_answer& parsed, gateway_facts facts);

} // namespace oh::providers
