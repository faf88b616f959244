#include "providers/openai/encode.hpp"

namespace oh::providers::openai {

namespace {

void write_string(json::writer& w, const std::string& s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string take(rapidjson::StringBuffer& buf) {
  return {buf.GetString(), buf.GetSize()};
}

} // namespace

void write_usage(json::writer& w, const token_usage& u) {
  w.StartObject();
  w.Key("prompt_tokens");
  w.Int64(u.input);
  w.Key("completion_tokens");
  w.Int64(u.output);
  w.Key("total_tokens");
  w.Int64(u.input + u.output);
  w.Key("prompt_tokens_details");
  w.StartObject();
  w.Key("cached_tokens");
  w.Int64(u.cache_read);
  w.EndObject();
  w.Key("completion_tokens_details");
  w.StartObject();
  w.Key("reasoning_tokens");
  w.Int64(u.reasoning);
  w.EndObject();
  w.EndObject();
}

void chunk_encoder::begin_chunk(json::writer& w) const {
  w.StartObject();
  w.Key("id");
  write_string(w, ctx_.id);
  w.Key("object");
  w.String("chat.completion.chunk");
  w.Key("created");
  w.Int64(ctx_.created);
  w.Key("model");
  write_string(w, model());
}

void chunk_encoder::write_chunk(std::string& out,
                                const std::string& payload) const {
  out += "data: ";
  out += payload;
  out += "\n\n";
}

void chunk_encoder::role_chunk(std::string& out) {
  if (role_sent_)
    return;
  role_sent_ = true;
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  begin_chunk(w);
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(0);
  w.Key("delta");
  w.StartObject();
  w.Key("role");
  w.String("assistant");
  w.Key("content");
  w.String("");
  w.EndObject();
  w.Key("finish_reason");
  w.Null();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  write_chunk(out, take(buf));
}

void chunk_encoder::on(const canonical_event& e, std::string& out) {
  using k = canonical_event::kind;
  if (e.what == k::start) {
    if (!e.model.empty())
      model_ = e.model;
    role_chunk(out);
    return;
  }
  if (e.what == k::usage) {
    usage_ = e.usage;
    return;
  }
  if (e.what == k::error || e.what == k::tool_end)
    return;
  if ((e.what == k::text || e.what == k::reasoning || e.what == k::tool_args)
      && e.text.empty())
    return; // signatures and empty pieces have no OpenAI form
  role_chunk(out);
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  begin_chunk(w);
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(0);
  w.Key("delta");
  w.StartObject();
  switch (e.what) {
    case k::text:
      w.Key("content");
      write_string(w, e.text);
      break;
    case k::reasoning:
      w.Key("reasoning_content");
      write_string(w, e.text);
      break;
    case k::tool_start:
    case k::tool_args:
      w.Key("tool_calls");
      w.StartArray();
      w.StartObject();
      w.Key("index");
      w.Int(e.index);
      if (e.what == k::tool_start) {
        w.Key("id");
        write_string(w, e.id);
        w.Key("type");
        w.String("function");
      }
      w.Key("function");
      w.StartObject();
      if (e.what == k::tool_start) {
        w.Key("name");
        write_string(w, e.name);
        w.Key("arguments");
        w.String("");
      } else {
        w.Key("arguments");
        write_string(w, e.text);
      }
      w.EndObject();
      w.EndObject();
      w.EndArray();
      break;
    default:
      break;
  }
  w.EndObject();
  w.Key("finish_reason");
  if (e.what == k::finish)
    write_string(w, e.reason);
  else
    w.Null();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  write_chunk(out, take(buf));
}

void chunk_encoder::end(std::string& out) {
  if (ctx_.include_usage) {
    rapidjson::StringBuffer buf;
    json::writer w{buf};
    begin_chunk(w);
    w.Key("choices");
    w.StartArray();
    w.EndArray();
    w.Key("usage");
    write_usage(w, usage_);
    w.EndObject();
    write_chunk(out, take(buf));
  }
  out += "data: [DONE]\n\n";
}

std::string render_answer(const answer& a, const answer_context& ctx) {
  using bk = answer::block::kind;
  std::string text;
  std::string reasoning;
  bool any_text = false;
  for (auto& b : a.blocks) {
    if (b.what == bk::text) {
      text += b.text;
      any_text = true;
    } else if (b.what == bk::reasoning) {
      reasoning += b.text;
    }
  }
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  w.StartObject();
  w.Key("id");
  write_string(w, ctx.id);
  w.Key("object");
  w.String("chat.completion");
  w.Key("created");
  w.Int64(ctx.created);
  w.Key("model");
  write_string(w, a.model.empty() ? ctx.model : a.model);
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(0);
  w.Key("message");
  w.StartObject();
  w.Key("role");
  w.String("assistant");
  w.Key("content");
  if (!any_text && a.has_tool_calls())
    w.Null();
  else
    write_string(w, text);
  w.Key("refusal");
  w.Null();
  if (a.has_tool_calls()) {
    w.Key("tool_calls");
    w.StartArray();
    for (auto& b : a.blocks) {
      if (b.what != bk::tool_call)
        continue;
      w.StartObject();
      w.Key("id");
      write_string(w, b.id);
      w.Key("type");
      w.String("function");
      w.Key("function");
      w.StartObject();
      w.Key("name");
      write_string(w, b.name);
      w.Key("arguments");
      write_string(w, b.text.empty() ? std::string{"{}"} : b.text);
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
  }
  if (!reasoning.empty()) {
    w.Key("reasoning_content");
    write_string(w, reasoning);
  }
  w.EndObject();
  w.Key("logprobs");
  w.Null();
  w.Key("finish_reason");
  write_string(w,
               a.finish_reason.empty() ? std::string{"stop"} : a.finish_reason);
  w.EndObject();
  w.EndArray();
  w.Key("usage");
  write_usage(w, a.usage);
  w.EndObject();
  return take(buf);
}

} // namespace oh::providers::openai
