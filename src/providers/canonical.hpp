#pragma once

// The canonical form between client dialects and vendor wire formats
// (SPEC §10): a request every ingress parses into and every vendor builds
// from, and the event stream every vendor decodes into and every client
// dialect encodes from. Pure data and pure functions; no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cost.hpp"
#include "core/error.hpp"
#include "core/expected.hpp"
#include "core/json.hpp"

namespace oh::providers {

// -- request ------------------------------------------------------------------

struct image_ref {
  std::string url;        // an http(s) URL; empty for inline bytes
  std::string media_type; // inline bytes: e.g. image/png
  std::string data;       // inline bytes: base64
};

struct content_part {
  enum class kind : uint8_t { text, image, tool_call, tool_result, reasoning };
  kind what = kind::text;
  std::string text;      // text, reasoning, or a tool result's text
  image_ref image;       // image
  std::string id;        // tool call id, or the call a result answers
  std::string name;      // tool call name
  std::string arguments; // tool call arguments, JSON text
  std::string signature; // reasoning signature (Claude thinking)
  bool is_error = false; // tool result
  std::string at;        // where the client put it, for error messages
};

/// A text part.
inline content_part text_part(std::string text) {
  content_part p;
  p.text = std::move(text);
  return p;
}

struct turn {
  enum class role_kind : uint8_t { user, assistant };
  role_kind role = role_kind::user;
  std::vector<content_part> parts;
  bool string_content = false; // the client sent a plain string
};

struct tool_def {
  std::string name;
  std::string description;
  std::string parameters; // JSON Schema text; empty: none given
};

struct tool_choice {
  enum class mode : uint8_t { unset, automatic, none, required, tool };
  mode what = mode::unset;
  std::string name;              // mode::tool
  bool disable_parallel = false; // parallel_tool_calls: false
};

struct response_format {
  enum class kind : uint8_t { none, text, json_object, json_schema };
  kind what = kind::none;
  std::string name;
  std::string schema; // JSON text
};

struct canonical_request {
  std::string model;               // the routed model
  std::vector<std::string> system; // the soul's first, then the client's
  std::vector<turn> turns;
  std::vector<tool_def> tools;
  tool_choice choice;
  std::vector<std::string> stop;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;
  std::optional<int64_t> max_tokens;
  std::optional<int64_t> seed;
  std::optional<double> presence_penalty;
  std::optional<double> frequency_penalty;
  std::optional<std::string> user;
  /// The client's name for `user`: `user` (OpenAI) or `metadata`.
  std::string user_param = "user";
  response_format format;
  /// Reasoning asked for: a token budget (Anthropic `thinking`, or the
  /// OpenAI effort mapped to one).
  std::optional<int64_t> thinking_budget;
  /// Reasoning asked for as an OpenAI effort (`low|medium|high`).
  std::string reasoning_effort;
  bool stream = false;
  bool include_usage = false;
  /// Parameters no target of this request can take, listed to the client.
  std::vector<std::string> dropped;
};

/// What a soul contributes to a request (SPEC §5.3).
struct soul_edits {
  std::string system_prompt;
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;
  /// JSON Schema text (compact, written by the gateway); empty: none.
  std::string response_schema;
};

/// The instruction that asks a target without a native schema option (or
/// a relayed Anthropic request) for JSON matching `schema`.
std::string schema_instruction(std::string_view schema);

/// Budget tokens for an OpenAI reasoning effort: low 1024, medium 4096,
/// high 16384; nothing for an unknown effort.
std::optional<int64_t> budget_for_effort(std::string_view effort);
/// The OpenAI effort for a budget: < 4096 low, < 16384 medium, else high.
std::string effort_for_budget(int64_t budget);

/// The soul's response schema as the request's format when the client
/// asked for none (SPEC §5.3).
void apply_soul_schema(canonical_request& r, const soul_edits* soul);

/// All system texts joined with a blank line (targets with one field).
std::string joined_system(const canonical_request& r);

/// Splits `data:<media type>;base64,<data>`; nothing when not a data URL.
std::optional<image_ref> parse_data_url(std::string_view url);

/// The name of the tool call `call_id` in the turns before `before`.
std::string tool_name_for(const canonical_request& r, size_t before,
                          std::string_view call_id);

/// Adds `name` to the dropped list once.
void note_dropped(std::vector<std::string>& dropped, std::string name);

// -- events -------------------------------------------------------------------

struct canonical_event {
  enum class kind : uint8_t {
    start,      ///< id (in text) and model of the upstream answer
    text,       ///< a piece of answer text
    reasoning,  ///< a piece of reasoning, or a signature
    tool_start, ///< a tool call begins: index, id, name
    tool_args,  ///< a piece of a tool call's arguments
    tool_end,   ///< a tool call is complete
    usage,      ///< usage so far (totals, not increments)
    finish,     ///< the answer is complete: reason, stop sequence
    error,      ///< the upstream reported an error: message in text
  };
  kind what = kind::text;
  std::string text;
  std::string model;
  std::string signature;
  int index = 0;
  std::string id;
  std::string name;
  token_usage usage;
  std::string reason; // stop | length | tool_calls | content_filter
  std::string stop_sequence;
};
using event_list = std::vector<canonical_event>;

canonical_event text_event(std::string text);
canonical_event finish_event(std::string reason,
                             std::string stop_sequence = {});
canonical_event usage_event(const token_usage& u);
canonical_event error_event(std::string message);

/// Counts past this are an upstream's nonsense (a trillion tokens).
inline constexpr int64_t max_token_count = int64_t{1} << 40;

/// A token count an upstream reports: 0 when absent, not an integer or
/// negative, and at most max_token_count. The counts are summed and priced
/// (totals, cost, rate windows): a broken or hostile upstream's must neither
/// overflow those sums nor make a cost negative (UBSan, under test/fuzz).
int64_t token_count(const json::value& object, const char* name);

/// A tool call that arrived whole: start, all its arguments, end.
void push_whole_tool_call(event_list& out, int index, std::string id,
                          std::string name, std::string arguments);

/// True for events that carry answer content (the commit point, SPEC §5.5).
bool is_content(const canonical_event& e);

/// A complete answer assembled from events (non-streamed responses).
struct answer {
  struct block {
    enum class kind : uint8_t { text, reasoning, tool_call };
    kind what = kind::text;
    std::string text; // text, reasoning, or arguments
    std::string signature;
    std::string id;
    std::string name;
  };
  std::string upstream_id;
  std::string model;
  std::vector<block> blocks;
  std::string finish_reason;
  std::string stop_sequence;
  token_usage usage;
  std::optional<std::string> error;
  bool has_tool_calls() const;
};
answer accumulate(const event_list& events);

/// Identity of a translated answer: ids, clock, the routed model.
struct answer_context {
  std::string id;      // chatcmpl-… or msg_…
  int64_t created = 0; // unix seconds
  std::string model;   // used when the upstream names none
  bool include_usage = false;
};

} // namespace oh::providers
