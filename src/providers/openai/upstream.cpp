// OpenAI Chat Completions as the upstream of a translated pair: the body
// from the canonical form and the decoders into canonical events.
#include <map>

#include "providers/json_out.hpp"
#include "providers/openai/translate.hpp"

namespace oh::providers::openai {

namespace {

using json::value;
using namespace jout;

std::string data_url(const image_ref& img) {
  if (!img.url.empty())
    return img.url;
  return "data:" + img.media_type + ";base64," + img.data;
}

value user_message(const turn& t, allocator& a) {
  using pk = content_part::kind;
  value m = object();
  put_str(m, "role", "user", a);
  if (t.string_content && t.parts.size() == 1 && t.parts[0].what == pk::text) {
    put_str(m, "content", t.parts[0].text, a);
    return m;
  }
  value parts = array();
  for (auto& p : t.parts) {
    value part = object();
    if (p.what == pk::text) {
      put_str(part, "type", "text", a);
      put_str(part, "text", p.text, a);
    } else if (p.what == pk::image) {
      put_str(part, "type", "image_url", a);
      value url = object();
      put_str(url, "url", data_url(p.image), a);
      put(part, "image_url", std::move(url), a);
    } else {
      continue;
    }
    parts.PushBack(part, a);
  }
  put(m, "content", std::move(parts), a);
  return m;
}

value assistant_message(const turn& t, allocator& a) {
  using pk = content_part::kind;
  value m = object();
  put_str(m, "role", "assistant", a);
  std::string text;
  bool any_text = false;
  value calls = array();
  for (auto& p : t.parts) {
    if (p.what == pk::text) {
      text += p.text;
      any_text = true;
    } else if (p.what == pk::tool_call) {
      value call = object();
      put_str(call, "id", p.id, a);
      put_str(call, "type", "function", a);
      value fn = object();
      put_str(fn, "name", p.name, a);
      put_str(fn, "arguments", p.arguments.empty() ? "{}" : p.arguments, a);
      put(call, "function", std::move(fn), a);
      calls.PushBack(call, a);
    }
  }
  if (!any_text && !calls.Empty())
    put(m, "content", value(), a);
  else
    put_str(m, "content", text, a);
  if (!calls.Empty())
    put(m, "tool_calls", std::move(calls), a);
  return m;
}

/// chat.completion.chunk events → canonical events.
class decoder final : public stream_decoder {
public:
  void on_event(const sse_event& ev, event_list& out) override {
    std::string_view data = ev.data;
    while (!data.empty() && (data.back() == ' ' || data.back() == '\n'))
      data.remove_suffix(1);
    if (data == "[DONE]")
      return;
    auto doc = json::parse(data);
    if (!doc || !doc->IsObject()) {
      out.push_back(error_event("the provider sent a malformed stream event"));
      return;
    }
    if (json::find(*doc, "error") != nullptr) {
      out.push_back(error_event(upstream_error_message(data, 200)));
      return;
    }
    if (!started_) {
      started_ = true;
      canonical_event start;
      start.what = canonical_event::kind::start;
      start.text = json::get_string(*doc, "id").value_or("");
      start.model = json::get_string(*doc, "model").value_or("");
      out.push_back(std::move(start));
    }
    if (auto* choices = json::find(*doc, "choices");
        choices && choices->IsArray() && !choices->Empty()) {
      auto& c = (*choices)[0];
      if (auto* delta = json::find(c, "delta"); delta && delta->IsObject())
        read_delta(*delta, out);
      if (auto fr = json::get_string(c, "finish_reason"); fr && !fr->empty()) {
        for (auto& [index, open] : tools_)
          if (open) {
            canonical_event e;
            e.what = canonical_event::kind::tool_end;
            e.index = index;
            out.push_back(std::move(e));
            open = false;
          }
        finished_ = true;
        out.push_back(finish_event(finish_for(*fr)));
      }
    }
    if (auto* u = json::find(*doc, "usage"); u && u->IsObject())
      out.push_back(usage_event(read_usage(*u)));
  }

  void on_end(event_list&) override {}

  bool finished() const override {
    return finished_;
  }

private:
  void read_delta(const value& delta, event_list& out) {
    for (auto* name : {"reasoning_content", "reasoning"})
      if (auto r = json::get_string(delta, name); r && !r->empty()) {
        canonical_event e;
        e.what = canonical_event::kind::reasoning;
        e.text = *r;
        out.push_back(std::move(e));
        break;
      }
    if (auto t = json::get_string(delta, "content"); t && !t->empty())
      out.push_back(text_event(*t));
    auto* calls = json::find(delta, "tool_calls");
    if (calls == nullptr || !calls->IsArray())
      return;
    for (auto& c : calls->GetArray()) {
      int index = static_cast<int>(json::get_int64(c, "index"));
      auto* fn = json::find(c, "function");
      auto id = json::get_string(c, "id");
      auto name = fn != nullptr ? json::get_string(*fn, "name") : std::nullopt;
      if (!tools_.contains(index) && (id || name)) {
        tools_[index] = true;
        canonical_event e;
        e.what = canonical_event::kind::tool_start;
        e.index = index;
        e.id = id.value_or("");
        e.name = name.value_or("");
        out.push_back(std::move(e));
      }
      if (fn == nullptr)
        continue;
      if (auto args = json::get_string(*fn, "arguments");
          args && !args->empty()) {
        canonical_event e;
        e.what = canonical_event::kind::tool_args;
        e.index = index;
        e.text = *args;
        out.push_back(std::move(e));
      }
    }
  }

  bool started_ = false;
  bool finished_ = false;
  std::map<int, bool> tools_; // index → still open
};

} // namespace

value function_tools(const std::vector<tool_def>& defs,
                     bool omit_empty_parameters, allocator& a) {
  value tools = array();
  for (auto& t : defs) {
    value fn = object();
    put_str(fn, "name", t.name, a);
    if (!t.description.empty())
      put_str(fn, "description", t.description, a);
    if (!omit_empty_parameters || !t.parameters.empty())
      put(fn, "parameters", parse_or_empty_object(t.parameters, a), a);
    value tool = object();
    put_str(tool, "type", "function", a);
    put(tool, "function", std::move(fn), a);
    tools.PushBack(tool, a);
  }
  return tools;
}

std::string finish_for(std::string_view r) {
  if (r == "length" || r == "tool_calls" || r == "content_filter")
    return std::string{r};
  if (r == "function_call")
    return "tool_calls";
  return "stop";
}

expected<std::string> build_body(canonical_request& r, bool compatible) {
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
  for (auto& t : r.turns) {
    if (t.role == turn::role_kind::assistant) {
      messages.PushBack(assistant_message(t, a), a);
      continue;
    }
    bool has_other = false;
    for (auto& p : t.parts) {
      if (p.what != pk::tool_result) {
        has_other = true;
        continue;
      }
      value m = object();
      put_str(m, "role", "tool", a);
      put_str(m, "tool_call_id", p.id, a);
      put_str(m, "content", p.text, a);
      messages.PushBack(m, a);
    }
    if (has_other)
      messages.PushBack(user_message(t, a), a);
  }
  put(doc, "messages", std::move(messages), a);
  if (r.max_tokens)
    put(doc, compatible ? "max_tokens" : "max_completion_tokens",
        value(*r.max_tokens), a);
  if (r.temperature)
    put(doc, "temperature", value(*r.temperature), a);
  if (r.top_p)
    put(doc, "top_p", value(*r.top_p), a);
  if (r.top_k)
    note_dropped(r.dropped, "top_k");
  if (!r.stop.empty()) {
    put(doc, "stop", string_array(r.stop, a), a);
  }
  if (!r.tools.empty()) {
    put(doc, "tools", function_tools(r.tools, false, a), a);
  }
  // OpenAI refuses tool_choice and parallel_tool_calls without tools (an
  // Anthropic client may send its tool_choice alone).
  using mode = tool_choice::mode;
  switch (r.tools.empty() ? mode::unset : r.choice.what) {
    case mode::automatic:
      put_str(doc, "tool_choice", "auto", a);
      break;
    case mode::none:
      put_str(doc, "tool_choice", "none", a);
      break;
    case mode::required:
      put_str(doc, "tool_choice", "required", a);
      break;
    case mode::tool: {
      value tc = object();
      put_str(tc, "type", "function", a);
      value fn = object();
      put_str(fn, "name", r.choice.name, a);
      put(tc, "function", std::move(fn), a);
      put(doc, "tool_choice", std::move(tc), a);
      break;
    }
    case mode::unset:
      break;
  }
  if (r.choice.disable_parallel && !r.tools.empty())
    put(doc, "parallel_tool_calls", value(false), a);
  if (r.thinking_budget)
    put_str(doc, "reasoning_effort", effort_for_budget(*r.thinking_budget), a);
  if (r.user)
    put_str(doc, "user", *r.user, a);
  if (r.stream) {
    put(doc, "stream", value(true), a);
    value so = object();
    put(so, "include_usage", value(true), a);
    put(doc, "stream_options", std::move(so), a);
  }
  return dump(doc);
}

std::unique_ptr<stream_decoder> make_decoder(const decode_context&) {
  return std::make_unique<decoder>();
}

expected<event_list> decode_response(std::string_view body,
                                     const decode_context&) {
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject() || !doc->HasMember("choices"))
    return fail(errc::upstream_failed,
                "the upstream answer is not a chat completion");
  event_list out;
  canonical_event start;
  start.what = canonical_event::kind::start;
  start.text = json::get_string(*doc, "id").value_or("");
  start.model = json::get_string(*doc, "model").value_or("");
  out.push_back(std::move(start));
  auto& choices = (*doc)["choices"];
  std::string finish = "stop";
  if (choices.IsArray() && !choices.Empty() && choices[0].IsObject()) {
    auto& c = choices[0];
    if (auto* msg = json::find(c, "message"); msg && msg->IsObject()) {
      for (auto* name : {"reasoning_content", "reasoning"})
        if (auto r = json::get_string(*msg, name); r && !r->empty()) {
          canonical_event e;
          e.what = canonical_event::kind::reasoning;
          e.text = *r;
          out.push_back(std::move(e));
          break;
        }
      if (auto t = json::get_string(*msg, "content"); t && !t->empty())
        out.push_back(text_event(*t));
      if (auto* calls = json::find(*msg, "tool_calls");
          calls && calls->IsArray()) {
        int index = 0;
        for (auto& call : calls->GetArray()) {
          auto* fn = json::find(call, "function");
          push_whole_tool_call(
            out, index++, json::get_string(call, "id").value_or(""),
            fn ? json::get_string(*fn, "name").value_or("") : "",
            fn ? json::get_string(*fn, "arguments").value_or("") : "");
        }
      }
    }
    finish = finish_for(json::get_string(c, "finish_reason").value_or("stop"));
  }
  if (auto* u = json::find(*doc, "usage"))
    out.push_back(usage_event(read_usage(*u)));
  out.push_back(finish_event(finish));
  return out;
}

} // namespace oh::providers::openai
