#pragma once

// Canonical events written in the Anthropic dialect: the full Messages SSE
// event sequence for streams and the `message` object for whole answers
// (SPEC §5.6; contract in test/golden/README.md). Pure: no I/O.

#include <map>
#include <string>

#include "core/cost.hpp"
#include "providers/canonical.hpp"

namespace oh::providers::anthropic {

/// Anthropic `stop_reason` for a canonical finish (SPEC §10, reverse).
std::string stop_reason_for(const std::string& reason,
                            const std::string& stop_sequence);

class event_encoder {
public:
  explicit event_encoder(answer_context ctx) : ctx_(std::move(ctx)) {}

  void on(const canonical_event& e, std::string& out);
  /// Closes the open block, then `message_delta` and `message_stop`.
  void end(std::string& out);

private:
  enum class block_kind : uint8_t { none, text, thinking, tool };
  void ensure_started(std::string& out);
  void open_block(block_kind kind, const std::string& start_json,
                  std::string& out);
  void close_block(std::string& out);

  answer_context ctx_;
  std::string model_;
  token_usage usage_;
  bool started_ = false;
  block_kind open_ = block_kind::none;
  int open_index_ = -1;
  int next_index_ = 0;
  std::map<int, int> tool_blocks_; // tool index → block index
  std::string reason_;
  std::string stop_sequence_;
};

/// The `message` object of a translated answer.
std::string render_answer(const answer& a, const answer_context& ctx);

} // namespace oh::providers::anthropic
