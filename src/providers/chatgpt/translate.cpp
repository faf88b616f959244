#include "providers/chatgpt/translate.hpp"

#include <map>

#include "providers/json_out.hpp"
#include "providers/sse.hpp"

namespace oh::providers::chatgpt {

namespace {

using json::value;
using namespace jout;

/// The Codex backend refuses sampling knobs and limits: dropped and listed
/// (SPEC §7), in a fixed order so the list is predictable.
void note_refused_parameters(canonical_request& r) {
  if (r.max_tokens)
    note_dropped(r.dropped, "max_tokens");
  if (r.temperature)
    note_dropped(r.dropped, "temperature");
  if (r.top_p)
    note_dropped(r.dropped, "top_p");
  if (r.top_k)
    note_dropped(r.dropped, "top_k");
  if (!r.stop.empty())
    note_dropped(r.dropped, "stop");
  if (r.seed)
    note_dropped(r.dropped, "seed");
  if (r.presence_penalty)
    note_dropped(r.dropped, "presence_penalty");
  if (r.frequency_penalty)
    note_dropped(r.dropped, "frequency_penalty");
  if (r.user)
    note_dropped(r.dropped, r.user_param);
}

std::string image_url_of(const image_ref& img) {
  if (!img.url.empty())
    return img.url;
  return "data:" + img.media_type + ";base64," + img.data;
}

value message_item(const char* role, value content, allocator& a) {
  value item = object();
  put_str(item, "type", "message", a);
  put_str(item, "role", role, a);
  put(item, "content", std::move(content), a);
  return item;
}

/// One canonical turn as Responses `input` items, in order: a message for
/// each run of text and images, an item for each call and each result.
void append_turn(const turn& t, value& input, allocator& a) {
  bool assistant = t.role == turn::role_kind::assistant;
  value content = array();
  auto flush = [&] {
    if (content.Empty())
      return;
    input.PushBack(
      message_item(assistant ? "assistant" : "user", std::move(content), a), a);
    content = array();
  };
  for (auto& p : t.parts) {
    switch (p.what) {
      case content_part::kind::text: {
        value part = object();
        put_str(part, "type", assistant ? "output_text" : "input_text", a);
        put_str(part, "text", p.text, a);
        content.PushBack(part, a);
        break;
      }
      case content_part::kind::image: {
        value part = object();
        put_str(part, "type", "input_image", a);
        put_str(part, "image_url", image_url_of(p.image), a);
        content.PushBack(part, a);
        break;
      }
      case content_part::kind::tool_call: {
        flush();
        value item = object();
        put_str(item, "type", "function_call", a);
        put_str(item, "call_id", p.id, a);
        put_str(item, "name", p.name, a);
        put_str(item, "arguments", p.arguments.empty() ? "{}" : p.arguments, a);
        input.PushBack(item, a);
        break;
      }
      case content_part::kind::tool_result: {
        flush();
        value item = object();
        put_str(item, "type", "function_call_output", a);
        put_str(item, "call_id", p.id, a);
        put_str(item, "output", p.text, a);
        input.PushBack(item, a);
        break;
      }
      case content_part::kind::reasoning:
        // No encrypted reasoning to give back: the backend would refuse a
        // reasoning item without it.
        break;
    }
  }
  flush();
}

value tools_of(const canonical_request& r, allocator& a) {
  value tools = array();
  for (auto& t : r.tools) {
    value tool = object();
    put_str(tool, "type", "function", a);
    put_str(tool, "name", t.name, a);
    put_str(tool, "description", t.description, a);
    value params
      = t.parameters.empty()
          ? parse_or_empty_object(R"({"type":"object","properties":{}})", a)
          : parse_or_empty_object(t.parameters, a);
    put(tool, "parameters", std::move(params), a);
    put(tool, "strict", value(false), a);
    tools.PushBack(tool, a);
  }
  return tools;
}

void put_tool_choice(value& doc, const tool_choice& c, allocator& a) {
  switch (c.what) {
    case tool_choice::mode::unset:
      return;
    case tool_choice::mode::automatic:
      put_str(doc, "tool_choice", "auto", a);
      return;
    case tool_choice::mode::none:
      put_str(doc, "tool_choice", "none", a);
      return;
    case tool_choice::mode::required:
      put_str(doc, "tool_choice", "required", a);
      return;
    case tool_choice::mode::tool: {
      value choice = object();
      put_str(choice, "type", "function", a);
      put_str(choice, "name", c.name, a);
      put(doc, "tool_choice", std::move(choice), a);
      return;
    }
  }
}

token_usage read_usage(const value& u) {
  token_usage out;
  out.input = token_count(u, "input_tokens");
  out.output = token_count(u, "output_tokens");
  if (auto* d = json::find(u, "input_tokens_details"); d && d->IsObject())
    out.cache_read = token_count(*d, "cached_tokens");
  if (auto* d = json::find(u, "output_tokens_details"); d && d->IsObject())
    out.reasoning = token_count(*d, "reasoning_tokens");
  return out;
}

/// Responses events → canonical events (docs/subscriptions.md).
class decoder final : public stream_decoder {
public:
  explicit decoder(decode_context ctx) : ctx_(std::move(ctx)) {}

  void on_event(const sse_event& ev, event_list& out) override {
    if (finished_ || failed_)
      return;
    auto doc = json::parse(ev.data);
    if (!doc || !doc->IsObject()) {
      fail(out, "the provider sent a malformed stream event");
      return;
    }
    auto type = json::get_string(*doc, "type").value_or(ev.event);
    if (type == "response.created") {
      on_created(*doc, out);
    } else if (type == "response.output_text.delta") {
      start_if_needed(out);
      auto delta = json::get_string(*doc, "delta").value_or("");
      if (!delta.empty())
        out.push_back(text_event(std::move(delta)));
    } else if (type == "response.reasoning_summary_text.delta"
               || type == "response.reasoning_text.delta") {
      start_if_needed(out);
      canonical_event e;
      e.what = canonical_event::kind::reasoning;
      e.text = json::get_string(*doc, "delta").value_or("");
      if (!e.text.empty())
        out.push_back(std::move(e));
    } else if (type == "response.output_item.added") {
      on_item_added(*doc, out);
    } else if (type == "response.function_call_arguments.delta") {
      on_arguments(*doc, out);
    } else if (type == "response.output_item.done") {
      on_item_done(*doc, out);
    } else if (type == "response.completed" || type == "response.incomplete") {
      on_end_of_response(*doc, type == "response.incomplete", out);
    } else if (type == "response.failed") {
      std::string message = "the provider reported an error";
      if (auto* r = json::find(*doc, "response"); r && r->IsObject())
        if (auto* e = json::find(*r, "error"); e && e->IsObject())
          message = json::get_string(*e, "message").value_or(message);
      fail(out, std::move(message));
    } else if (type == "error") {
      auto message = json::get_string(*doc, "message")
                       .value_or("the provider reported an error");
      fail(out, std::move(message));
    }
  }

  void on_end(event_list&) override {}

  bool finished() const override {
    return finished_;
  }

private:
  struct call {
    int index = 0;
    bool args_seen = false;
    bool ended = false;
  };

  void fail(event_list& out, std::string message) {
    failed_ = true;
    out.push_back(error_event(std::move(message)));
  }

  void start_if_needed(event_list& out, std::string id = {},
                       std::string model = {}) {
    if (started_)
      return;
    started_ = true;
    canonical_event start;
    start.what = canonical_event::kind::start;
    start.text = std::move(id);
    start.model = std::move(model);
    out.push_back(std::move(start));
  }

  void on_created(const value& doc, event_list& out) {
    std::string id, model;
    if (auto* r = json::find(doc, "response"); r && r->IsObject()) {
      id = json::get_string(*r, "id").value_or("");
      model = json::get_string(*r, "model").value_or("");
    }
    start_if_needed(out, std::move(id), std::move(model));
  }

  static int output_index(const value& doc) {
    auto* v = json::find(doc, "output_index");
    return v != nullptr && v->IsInt() ? v->GetInt() : -1;
  }

  void on_item_added(const value& doc, event_list& out) {
    auto* item = json::find(doc, "item");
    if (item == nullptr || !item->IsObject()
        || json::get_string(*item, "type").value_or("") != "function_call")
      return;
    start_if_needed(out);
    call c;
    c.index = next_call_++;
    canonical_event e;
    e.what = canonical_event::kind::tool_start;
    e.index = c.index;
    e.id = json::get_string(*item, "call_id")
             .value_or(generated_call_id(ctx_, c.index));
    e.name = json::get_string(*item, "name").value_or("");
    out.push_back(std::move(e));
    calls_[output_index(doc)] = c;
  }

  void on_arguments(const value& doc, event_list& out) {
    auto it = calls_.find(output_index(doc));
    if (it == calls_.end() || it->second.ended)
      return;
    auto delta = json::get_string(doc, "delta").value_or("");
    if (delta.empty())
      return;
    it->second.args_seen = true;
    canonical_event e;
    e.what = canonical_event::kind::tool_args;
    e.index = it->second.index;
    e.text = std::move(delta);
    out.push_back(std::move(e));
  }

  void on_item_done(const value& doc, event_list& out) {
    auto* item = json::find(doc, "item");
    if (item == nullptr || !item->IsObject()
        || json::get_string(*item, "type").value_or("") != "function_call")
      return;
    auto it = calls_.find(output_index(doc));
    if (it == calls_.end()) {
      // A call announced only when done: whole.
      on_item_added(doc, out);
      it = calls_.find(output_index(doc));
      if (it == calls_.end())
        return;
    }
    end_call(it->second, json::get_string(*item, "arguments").value_or(""),
             out);
  }

  void end_call(call& c, std::string arguments, event_list& out) {
    if (c.ended)
      return;
    c.ended = true;
    if (!c.args_seen && !arguments.empty()) {
      canonical_event e;
      e.what = canonical_event::kind::tool_args;
      e.index = c.index;
      e.text = std::move(arguments);
      out.push_back(std::move(e));
    }
    canonical_event end;
    end.what = canonical_event::kind::tool_end;
    end.index = c.index;
    out.push_back(std::move(end));
  }

  void on_end_of_response(const value& doc, bool incomplete, event_list& out) {
    start_if_needed(out);
    for (auto& [at, c] : calls_)
      end_call(c, {}, out);
    std::string reason = next_call_ > 0 ? "tool_calls" : "stop";
    if (auto* r = json::find(doc, "response"); r && r->IsObject()) {
      if (auto* u = json::find(*r, "usage"); u && u->IsObject())
        out.push_back(usage_event(read_usage(*u)));
      if (incomplete) {
        std::string why;
        if (auto* d = json::find(*r, "incomplete_details"); d && d->IsObject())
          why = json::get_string(*d, "reason").value_or("");
        reason = why == "max_output_tokens" ? "length"
                 : why == "content_filter"  ? "content_filter"
                                            : reason;
      }
    }
    out.push_back(finish_event(std::move(reason)));
    finished_ = true;
  }

  decode_context ctx_;
  bool started_ = false;
  bool finished_ = false;
  bool failed_ = false;
  int next_call_ = 0;
  /// Calls by the output index the backend gives their events.
  std::map<int, call> calls_;
};

} // namespace

std::string responses_url(std::string_view base_url) {
  return std::string{trim_base(base_url)} + "/responses";
}

expected<std::string> build_body(canonical_request& r) {
  note_refused_parameters(r);
  json::document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  put_str(doc, "model", r.model, a);
  auto instructions = joined_system(r);
  put_str(
    doc, "instructions",
    instructions.empty() ? std::string{default_instructions} : instructions, a);
  value input = array();
  for (auto& t : r.turns)
    append_turn(t, input, a);
  put(doc, "input", std::move(input), a);
  if (!r.tools.empty()) {
    put(doc, "tools", tools_of(r, a), a);
    put_tool_choice(doc, r.choice, a);
    if (r.choice.disable_parallel)
      put(doc, "parallel_tool_calls", value(false), a);
  }
  std::string effort = r.reasoning_effort;
  if (effort.empty() && r.thinking_budget)
    effort = effort_for_budget(*r.thinking_budget);
  if (!effort.empty()) {
    value reasoning = object();
    put_str(reasoning, "effort", effort, a);
    put_str(reasoning, "summary", "auto", a);
    put(doc, "reasoning", std::move(reasoning), a);
  }
  if (r.format.what == response_format::kind::json_object
      || r.format.what == response_format::kind::json_schema) {
    value format = object();
    if (r.format.what == response_format::kind::json_object) {
      put_str(format, "type", "json_object", a);
    } else {
      put_str(format, "type", "json_schema", a);
      put_str(format, "name",
              r.format.name.empty() ? std::string{"response"} : r.format.name,
              a);
      put(format, "schema", parse_or_empty_object(r.format.schema, a), a);
      put(format, "strict", value(true), a);
    }
    value text = object();
    put(text, "format", std::move(format), a);
    put(doc, "text", std::move(text), a);
  }
  put(doc, "store", value(false), a);
  put(doc, "stream", value(true), a);
  return dump(doc);
}

std::unique_ptr<stream_decoder> make_decoder(const decode_context& ctx) {
  return std::make_unique<decoder>(ctx);
}

expected<event_list> decode_response(std::string_view sse_body,
                                     const decode_context& ctx) {
  decoder d{ctx};
  event_list events;
  sse_parser parser;
  auto on_event = [&](sse_event& ev) {
    d.on_event(ev, events);
  };
  parser.feed(sse_body, on_event);
  parser.finish(on_event);
  d.on_end(events);
  for (auto& e : events)
    if (e.what == canonical_event::kind::error)
      return fail(errc::upstream_failed, e.text);
  if (!d.finished())
    return fail(errc::upstream_failed,
                "the provider's answer ended before it finished");
  return events;
}

} // namespace oh::providers::chatgpt
