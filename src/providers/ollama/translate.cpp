#include "providers/ollama/translate.hpp"

#include "providers/json_out.hpp"
#include "providers/openai/translate.hpp"

namespace oh::providers::ollama {

namespace {

using json::value;
using namespace jout;

/// One chat object (a stream line or the whole answer) → events.
class decoder final : public stream_decoder {
public:
  explicit decoder(decode_context ctx) : ctx_(std::move(ctx)) {}

  void on_event(const sse_event& ev, event_list& out) override {
    std::string_view line = ev.data;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.remove_suffix(1);
    if (line.empty())
      return;
    auto doc = json::parse(line);
    if (!doc || !doc->IsObject()) {
      out.push_back(error_event("the provider sent a malformed stream line"));
      return;
    }
    consume(*doc, out);
  }

  void consume(const value& doc, event_list& out) {
    if (auto* err = json::find(doc, "error")) {
      out.push_back(error_event(err->IsString()
                                  ? std::string{err->GetString()}
                                  : std::string{"the provider reported an "
                                                "error"}));
      return;
    }
    if (!started_) {
      started_ = true;
      canonical_event start;
      start.what = canonical_event::kind::start;
      start.model = json::get_string(doc, "model").value_or("");
      out.push_back(std::move(start));
    }
    if (auto* msg = json::find(doc, "message"); msg && msg->IsObject()) {
      if (auto t = json::get_string(*msg, "thinking"); t && !t->empty()) {
        canonical_event e;
        e.what = canonical_event::kind::reasoning;
        e.text = *t;
        out.push_back(std::move(e));
      }
      if (auto t = json::get_string(*msg, "content"); t && !t->empty())
        out.push_back(text_event(*t));
      if (auto* calls = json::find(*msg, "tool_calls");
          calls && calls->IsArray())
        for (auto& c : calls->GetArray()) {
          auto* fn = json::find(c, "function");
          if (fn == nullptr || !fn->IsObject())
            continue;
          // Ollama sends arguments as an object; some servers a string.
          auto* args = json::find(*fn, "arguments");
          std::string text = args == nullptr    ? ""
                             : args->IsString() ? args->GetString()
                                                : json::to_string(*args);
          push_whole_tool_call(out, calls_, generated_call_id(ctx_, calls_),
                               json::get_string(*fn, "name").value_or(""),
                               std::move(text));
          ++calls_;
        }
    }
    auto* done = json::find(doc, "done");
    if (done != nullptr && done->IsBool() && done->GetBool()) {
      token_usage u;
      u.input = token_count(doc, "prompt_eval_count");
      u.output = token_count(doc, "eval_count");
      out.push_back(usage_event(u));
      // A reply with tool calls is a tool-call finish whatever done_reason
      // says (SPEC §10).
      auto reason = json::get_string(doc, "done_reason").value_or("stop");
      finished_ = true;
      out.push_back(finish_event(calls_ > 0           ? "tool_calls"
                                 : reason == "length" ? "length"
                                                      : "stop"));
    }
  }

  void on_end(event_list&) override {}

  bool finished() const override {
    return finished_;
  }

private:
  decode_context ctx_;
  bool started_ = false;
  bool finished_ = false;
  int calls_ = 0;
};

std::string joined_text(const turn& t) {
  std::string out;
  for (auto& p : t.parts)
    if (p.what == content_part::kind::text) {
      if (!out.empty())
        out += "\n";
      out += p.text;
    }
  return out;
}

} // namespace

std::string chat_url(std::string_view base) {
  return std::string{trim_base(base)} + "/api/chat";
}

std::string tags_url(std::string_view base) {
  return std::string{trim_base(base)} + "/api/tags";
}

expected<std::string> build_body(canonical_request& r) {
  using pk = content_part::kind;
  json::document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  put_str(doc, "model", r.model, a);
  value messages = array();
  if (auto system = joined_system(r); !system.empty()) {
    value m = object();
    put_str(m, "role", "system", a);
    put_str(m, "content", system, a);
    messages.PushBack(m, a);
  }
  for (size_t i = 0; i < r.turns.size(); ++i) {
    auto& t = r.turns[i];
    // Tool results are messages of their own, in order.
    for (auto& p : t.parts) {
      if (p.what != pk::tool_result)
        continue;
      value m = object();
      put_str(m, "role", "tool", a);
      put_str(m, "content", p.text, a);
      auto name = tool_name_for(r, i, p.id);
      if (!name.empty())
        put_str(m, "tool_name", name, a);
      messages.PushBack(m, a);
    }
    bool has_other = false;
    for (auto& p : t.parts)
      has_other = has_other || p.what != pk::tool_result;
    if (!has_other)
      continue;
    value m = object();
    bool assistant = t.role == turn::role_kind::assistant;
    put_str(m, "role", assistant ? "assistant" : "user", a);
    put_str(m, "content", joined_text(t), a);
    value images = array();
    value calls = array();
    for (auto& p : t.parts) {
      if (p.what == pk::image) {
        if (!p.image.url.empty())
          return fail(errc::invalid_value,
                      p.at
                        + ": ollama accounts take images only as base64 data "
                          "URLs (the gateway never downloads images)",
                      p.at);
        images.PushBack(str(p.image.data, a), a);
      } else if (p.what == pk::tool_call) {
        value fn = object();
        put_str(fn, "name", p.name, a);
        put(fn, "arguments", parse_or_empty_object(p.arguments, a), a);
        value call = object();
        put(call, "function", std::move(fn), a);
        calls.PushBack(call, a);
      }
    }
    if (!images.Empty())
      put(m, "images", std::move(images), a);
    if (!calls.Empty())
      put(m, "tool_calls", std::move(calls), a);
    messages.PushBack(m, a);
  }
  put(doc, "messages", std::move(messages), a);
  put(doc, "stream", value(r.stream), a);
  if (!r.tools.empty()) {
    put(doc, "tools", openai::function_tools(r.tools, true, a), a);
  }
  if (r.format.what == response_format::kind::json_object)
    put_str(doc, "format", "json", a);
  else if (r.format.what == response_format::kind::json_schema)
    put(doc, "format", parse_or_empty_object(r.format.schema, a), a);
  if (r.thinking_budget)
    put(doc, "think", value(true), a);
  value options = object();
  if (r.temperature)
    put(options, "temperature", value(*r.temperature), a);
  if (r.top_p)
    put(options, "top_p", value(*r.top_p), a);
  if (r.top_k)
    put(options, "top_k", value(*r.top_k), a);
  if (r.max_tokens)
    put(options, "num_predict", value(*r.max_tokens), a);
  if (!r.stop.empty()) {
    put(options, "stop", string_array(r.stop, a), a);
  }
  if (r.seed)
    put(options, "seed", value(*r.seed), a);
  if (r.presence_penalty)
    put(options, "presence_penalty", value(*r.presence_penalty), a);
  if (r.frequency_penalty)
    put(options, "frequency_penalty", value(*r.frequency_penalty), a);
  if (options.MemberCount() > 0)
    put(doc, "options", std::move(options), a);
  if (r.choice.what != tool_choice::mode::unset)
    note_dropped(r.dropped, "tool_choice");
  if (r.choice.disable_parallel)
    note_dropped(r.dropped, "parallel_tool_calls");
  if (r.user)
    note_dropped(r.dropped, r.user_param);
  return dump(doc);
}

std::unique_ptr<stream_decoder> make_decoder(const decode_context& ctx) {
  return std::make_unique<decoder>(ctx);
}

expected<event_list> decode_response(std::string_view body,
                                     const decode_context& ctx) {
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject())
    return fail(errc::upstream_failed, "the upstream answer is not JSON");
  decoder d{ctx};
  event_list out;
  d.consume(*doc, out);
  return out;
}

} // namespace oh::providers::ollama
