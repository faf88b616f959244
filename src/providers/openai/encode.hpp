#pragma once

// Canonical events written in the OpenAI dialect: `chat.completion.chunk`
// events for streams and the `chat.completion` object for whole answers
// (SPEC §5.4, §5.5; contract in test/golden/README.md). Pure: no I/O.

#include <string>

#include "core/cost.hpp"
#include "core/json.hpp"
#include "providers/canonical.hpp"

namespace oh::providers::openai {

/// Writes U = {prompt_tokens, completion_tokens, total_tokens,
/// prompt_tokens_details.cached_tokens,
/// completion_tokens_details.reasoning_tokens}.
void write_usage(json::writer& w, const token_usage& u);

class chunk_encoder {
public:
  explicit chunk_encoder(answer_context ctx) : ctx_(std::move(ctx)) {}

  /// Appends the client events for one canonical event.
  void on(const canonical_event& e, std::string& out);
  /// Appends the usage chunk (when asked) and `[DONE]`.
  void end(std::string& out);

  const std::string& model() const {
    return model_.empty() ? ctx_.model : model_;
  }

private:
  void begin_chunk(json::writer& w) const;
  void write_chunk(std::string& out, const std::string& payload) const;
  void role_chunk(std::string& out);

  answer_context ctx_;
  std::string model_;
  bool role_sent_ = false;
  token_usage usage_;
};

/// The `chat.completion` object of a translated answer (no `_openhinge`).
std::string render_answer(const answer& a, const answer_context& ctx);

} // namespace oh::providers::openai
