#include "providers/anthropic/encode.hpp"

#include <algorithm>

#include "core/json.hpp"

namespace oh::providers::anthropic {

namespace {

void write_string(json::writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string take(rapidjson::StringBuffer& buf) {
  return {buf.GetString(), buf.GetSize()};
}

void emit(std::string& out, const char* name, const std::string& data) {
  out += "event: ";
  out += name;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
}

/// Anthropic counts uncached input apart from cache reads and writes.
void write_usage(json::writer& w, const token_usage& u, int64_t output) {
  w.StartObject();
  w.Key("input_tokens");
  w.Int64(std::max<int64_t>(0, u.input - u.cache_read - u.cache_write));
  w.Key("cache_creation_input_tokens");
  w.Int64(u.cache_write);
  w.Key("cache_read_input_tokens");
  w.Int64(u.cache_read);
  w.Key("output_tokens");
  w.Int64(output);
  w.EndObject();
}

void write_stop(json::writer& w, const std::string& reason,
                const std::string& stop_sequence) {
  w.Key("stop_reason");
  auto stop_reason = stop_reason_for(reason, stop_sequence);
  write_string(w, stop_reason);
  w.Key("stop_sequence");
  if (stop_reason == "stop_sequence")
    write_string(w, stop_sequence);
  else
    w.Null();
}

} // namespace

std::string stop_reason_for(const std::string& reason,
                            const std::string& stop_sequence) {
  if (reason == "length")
    return "max_tokens";
  if (reason == "tool_calls")
    return "tool_use";
  if (reason == "content_filter")
    return "refusal";
  return stop_sequence.empty() ? "end_turn" : "stop_sequence";
}

void event_encoder::ensure_started(std::string& out) {
  if (started_)
    return;
  started_ = true;
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  w.StartObject();
  w.Key("type");
  w.String("message_start");
  w.Key("message");
  w.StartObject();
  w.Key("id");
  write_string(w, ctx_.id);
  w.Key("type");
  w.String("message");
  w.Key("role");
  w.String("assistant");
  w.Key("model");
  write_string(w, model_.empty() ? ctx_.model : model_);
  w.Key("content");
  w.StartArray();
  w.EndArray();
  w.Key("stop_reason");
  w.Null();
  w.Key("stop_sequence");
  w.Null();
  w.Key("usage");
  write_usage(w, usage_, 0);
  w.EndObject();
  w.EndObject();
  emit(out, "message_start", take(buf));
  emit(out, "ping", R"({"type":"ping"})");
}

void event_encoder::open_block(block_kind kind, const std::string& start_json,
                               std::string& out) {
  close_block(out);
  open_ = kind;
  open_index_ = next_index_++;
  emit(out, "content_block_start",
       R"({"type":"content_block_start","index":)" + std::to_string(open_index_)
         + R"(,"content_block":)" + start_json + "}");
}

void event_encoder::close_block(std::string& out) {
  if (open_ == block_kind::none)
    return;
  emit(out, "content_block_stop",
       R"({"type":"content_block_stop","index":)" + std::to_string(open_index_)
         + "}");
  open_ = block_kind::none;
}

void event_encoder::on(const canonical_event& e, std::string& out) {
  using k = canonical_event::kind;
  auto delta = [&](int index, const char* type, const char* field,
                   const std::string& text) {
    rapidjson::StringBuffer buf;
    json::writer w{buf};
    w.StartObject();
    w.Key("type");
    w.String("content_block_delta");
    w.Key("index");
    w.Int(index);
    w.Key("delta");
    w.StartObject();
    w.Key("type");
    w.String(type);
    w.Key(field);
    write_string(w, text);
    w.EndObject();
    w.EndObject();
    emit(out, "content_block_delta", take(buf));
  };
  switch (e.what) {
    case k::start:
      if (!e.model.empty())
        model_ = e.model;
      break;
    case k::usage:
      usage_ = e.usage;
      break;
    case k::text:
      if (e.text.empty())
        break;
      ensure_started(out);
      if (open_ != block_kind::text)
        open_block(block_kind::text, R"({"type":"text","text":""})", out);
      delta(open_index_, "text_delta", "text", e.text);
      break;
    case k::reasoning:
      if (e.text.empty() && e.signature.empty())
        break;
      ensure_started(out);
      if (open_ != block_kind::thinking)
        open_block(block_kind::thinking,
                   R"({"type":"thinking","thinking":"","signature":""})", out);
      if (!e.text.empty())
        delta(open_index_, "thinking_delta", "thinking", e.text);
      if (!e.signature.empty())
        delta(open_index_, "signature_delta", "signature", e.signature);
      break;
    case k::tool_start: {
      ensure_started(out);
      std::string start = R"({"type":"tool_use","id":)";
      json::append_quoted(start, e.id);
      start += R"(,"name":)";
      json::append_quoted(start, e.name);
      start += R"(,"input":{}})";
      open_block(block_kind::tool, start, out);
      tool_blocks_[e.index] = open_index_;
      break;
    }
    case k::tool_args:
      if (e.text.empty())
        break;
      if (auto it = tool_blocks_.find(e.index); it != tool_blocks_.end())
        delta(it->second, "input_json_delta", "partial_json", e.text);
      break;
    case k::tool_end:
      if (auto it = tool_blocks_.find(e.index); it != tool_blocks_.end()
                                                && open_ == block_kind::tool
                                                && open_index_ == it->second)
        close_block(out);
      break;
    case k::finish:
      ensure_started(out);
      close_block(out);
      reason_ = e.reason;
      stop_sequence_ = e.stop_sequence;
      break;
    case k::error:
      break;
  }
}

void event_encoder::end(std::string& out) {
  ensure_started(out);
  close_block(out);
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  w.StartObject();
  w.Key("type");
  w.String("message_delta");
  w.Key("delta");
  w.StartObject();
  write_stop(w, reason_, stop_sequence_);
  w.EndObject();
  w.Key("usage");
  write_usage(w, usage_, usage_.output);
  w.EndObject();
  emit(out, "message_delta", take(buf));
  emit(out, "message_stop", R"({"type":"message_stop"})");
}

std::string render_answer(const answer& a, const answer_context& ctx) {
  using bk = answer::block::kind;
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  w.StartObject();
  w.Key("id");
  write_string(w, ctx.id);
  w.Key("type");
  w.String("message");
  w.Key("role");
  w.String("assistant");
  w.Key("model");
  write_string(w, a.model.empty() ? ctx.model : a.model);
  w.Key("content");
  w.StartArray();
  for (auto& b : a.blocks) {
    w.StartObject();
    w.Key("type");
    switch (b.what) {
      case bk::text:
        w.String("text");
        w.Key("text");
        write_string(w, b.text);
        break;
      case bk::reasoning:
        w.String("thinking");
        w.Key("thinking");
        write_string(w, b.text);
        w.Key("signature");
        write_string(w, b.signature);
        break;
      case bk::tool_call: {
        w.String("tool_use");
        w.Key("id");
        write_string(w, b.id);
        w.Key("name");
        write_string(w, b.name);
        w.Key("input");
        auto input = json::parse(b.text);
        if (input && input->IsObject())
          input->Accept(w);
        else {
          w.StartObject();
          w.EndObject();
        }
        break;
      }
    }
    w.EndObject();
  }
  w.EndArray();
  write_stop(w, a.finish_reason, a.stop_sequence);
  w.Key("usage");
  write_usage(w, a.usage, a.usage.output);
  w.EndObject();
  return take(buf);
}

} // namespace oh::providers::anthropic
