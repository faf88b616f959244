#include "providers/claude/translate.hpp"

#include <map>

#include "providers/json_out.hpp"

namespace oh::providers::claude {

namespace {

using json::value;
using namespace jout;

value image_block(const image_ref& img, allocator& a) {
  value block = object();
  put_str(block, "type", "image", a);
  value source = object();
  if (!img.url.empty()) {
    put_str(source, "type", "url", a);
    put_str(source, "url", img.url, a);
  } else {
    put_str(source, "type", "base64", a);
    put_str(source, "media_type", img.media_type, a);
    put_str(source, "data", img.data, a);
  }
  put(block, "source", std::move(source), a);
  return block;
}

value turn_content(const turn& t, allocator& a) {
  using pk = content_part::kind;
  if (t.string_content && t.parts.size() == 1 && t.parts[0].what == pk::text)
    return str(t.parts[0].text, a);
  value blocks = array();
  for (auto& p : t.parts) {
    value b = object();
    switch (p.what) {
      case pk::text:
        if (p.text.empty())
          continue; // Claude refuses empty text blocks
        put_str(b, "type", "text", a);
        put_str(b, "text", p.text, a);
        break;
      case pk::image:
        b = image_block(p.image, a);
        break;
      case pk::tool_call:
        put_str(b, "type", "tool_use", a);
        put_str(b, "id", p.id, a);
        put_str(b, "name", p.name, a);
        put(b, "input", parse_or_empty_object(p.arguments, a), a);
        break;
      case pk::tool_result:
        put_str(b, "type", "tool_result", a);
        put_str(b, "tool_use_id", p.id, a);
        put_str(b, "content", p.text, a);
        if (p.is_error)
          put(b, "is_error", value(true), a);
        break;
      case pk::reasoning:
        if (p.signature.empty())
          continue; // unsigned thinking cannot be replayed
        put_str(b, "type", "thinking", a);
        put_str(b, "thinking", p.text, a);
        put_str(b, "signature", p.signature, a);
        break;
    }
    blocks.PushBack(b, a);
  }
  return blocks;
}

/// Anthropic event → canonical events.
class decoder final : public stream_decoder {
public:
  void on_event(const sse_event& ev, event_list& out) override {
    auto doc = json::parse(ev.data);
    if (!doc || !doc->IsObject()) {
      out.push_back(error_event("the provider sent a malformed stream event"));
      return;
    }
    auto type = json::get_string(*doc, "type").value_or(ev.event);
    if (type == "message_start") {
      auto* msg = json::find(*doc, "message");
      if (msg == nullptr || !msg->IsObject())
        return;
      canonical_event start;
      start.what = canonical_event::kind::start;
      start.text = json::get_string(*msg, "id").value_or("");
      start.model = json::get_string(*msg, "model").value_or("");
      out.push_back(std::move(start));
      if (auto* u = json::find(*msg, "usage")) {
        usage_ = read_usage(*u);
        out.push_back(usage_event(usage_));
      }
    } else if (type == "content_block_start") {
      int block = static_cast<int>(json::get_int64(*doc, "index"));
      auto* cb = json::find(*doc, "content_block");
      if (cb == nullptr || !cb->IsObject())
        return;
      auto btype = json::get_string(*cb, "type").value_or("");
      if (btype == "tool_use") {
        canonical_event e;
        e.what = canonical_event::kind::tool_start;
        e.index = tools_;
        e.id = json::get_string(*cb, "id").value_or("");
        e.name = json::get_string(*cb, "name").value_or("");
        tool_of_block_[block] = tools_++;
        out.push_back(std::move(e));
      } else if (btype == "text") {
        if (auto t = json::get_string(*cb, "text"); t && !t->empty())
          out.push_back(text_event(*t));
      } else if (btype == "thinking") {
        if (auto t = json::get_string(*cb, "thinking"); t && !t->empty()) {
          canonical_event e;
          e.what = canonical_event::kind::reasoning;
          e.text = *t;
          out.push_back(std::move(e));
        }
      }
    } else if (type == "content_block_delta") {
      int block = static_cast<int>(json::get_int64(*doc, "index"));
      auto* d = json::find(*doc, "delta");
      if (d == nullptr || !d->IsObject())
        return;
      auto dtype = json::get_string(*d, "type").value_or("");
      if (dtype == "text_delta") {
        out.push_back(text_event(json::get_string(*d, "text").value_or("")));
      } else if (dtype == "thinking_delta" || dtype == "signature_delta") {
        canonical_event e;
        e.what = canonical_event::kind::reasoning;
        if (dtype == "thinking_delta")
          e.text = json::get_string(*d, "thinking").value_or("");
        else
          e.signature = json::get_string(*d, "signature").value_or("");
        out.push_back(std::move(e));
      } else if (dtype == "input_json_delta") {
        auto piece = json::get_string(*d, "partial_json").value_or("");
        auto it = tool_of_block_.find(block);
        if (piece.empty() || it == tool_of_block_.end())
          return;
        canonical_event e;
        e.what = canonical_event::kind::tool_args;
        e.index = it->second;
        e.text = std::move(piece);
        out.push_back(std::move(e));
      }
    } else if (type == "content_block_stop") {
      int block = static_cast<int>(json::get_int64(*doc, "index"));
      if (auto it = tool_of_block_.find(block); it != tool_of_block_.end()) {
        canonical_event e;
        e.what = canonical_event::kind::tool_end;
        e.index = it->second;
        out.push_back(std::move(e));
      }
    } else if (type == "message_delta") {
      if (auto* u = json::find(*doc, "usage"); u && u->IsObject()) {
        // Later counts replace earlier ones; absent ones are kept.
        auto next = read_usage(*u);
        if (json::find(*u, "output_tokens"))
          usage_.output = next.output;
        if (json::find(*u, "input_tokens"))
          usage_ = token_usage{next.input, usage_.output, next.cache_read,
                               next.cache_write, 0};
        out.push_back(usage_event(usage_));
      }
      if (auto* d = json::find(*doc, "delta"); d && d->IsObject())
        if (auto reason = json::get_string(*d, "stop_reason")) {
          finished_ = true;
          out.push_back(
            finish_event(finish_for(*reason),
                         json::get_string(*d, "stop_sequence").value_or("")));
        }
    } else if (type == "error") {
      std::string message = "the provider reported an error";
      if (auto* err = json::find(*doc, "error"); err && err->IsObject())
        message = json::get_string(*err, "message").value_or(message);
      out.push_back(error_event(std::move(message)));
    }
  }

  void on_end(event_list&) override {}

  bool finished() const override {
    return finished_;
  }

private:
  token_usage usage_;
  int tools_ = 0;
  std::map<int, int> tool_of_block_;
  bool finished_ = false;
};

} // namespace

std::string messages_url(std::string_view base) {
  base = trim_base(base);
  if (base.ends_with("/v1"))
    return std::string{base} + "/messages";
  return std::string{base} + "/v1/messages";
}

std::string models_url(std::string_view base) {
  base = trim_base(base);
  if (base.ends_with("/v1"))
    return std::string{base} + "/models";
  return std::string{base} + "/v1/models";
}

std::string finish_for(std::string_view r) {
  if (r == "max_tokens")
    return "length";
  if (r == "tool_use")
    return "tool_calls";
  if (r == "refusal")
    return "content_filter";
  return "stop"; // end_turn, stop_sequence, pause_turn
}

token_usage read_usage(const value& u) {
  token_usage out;
  if (!u.IsObject())
    return out;
  out.cache_read = token_count(u, "cache_read_input_tokens");
  out.cache_write = token_count(u, "cache_creation_input_tokens");
  out.input = token_count(u, "input_tokens") + out.cache_read + out.cache_write;
  out.output = token_count(u, "output_tokens");
  return out;
}

std::string build_relay_body(const value& client, const soul_edits* soul,
                             const std::string& model) {
  json::document doc;
  auto& a = doc.GetAllocator();
  doc.CopyFrom(client, a);
  auto set = [&](const char* name, value v) {
    if (auto it = doc.FindMember(name); it != doc.MemberEnd())
      it->value = v;
    else
      put(doc, name, std::move(v), a);
  };
  set("model", str(model, a));
  // A soul's response schema reaches Claude as an instruction after the
  // soul's prompt (Anthropic requests carry no schema of their own).
  std::string prompt = soul != nullptr ? soul->system_prompt : std::string{};
  if (soul != nullptr && !soul->response_schema.empty())
    prompt = prompt.empty()
               ? schema_instruction(soul->response_schema)
               : prompt + "\n\n" + schema_instruction(soul->response_schema);
  bool has_soul = !prompt.empty();
  if (has_soul) {
    auto it = doc.FindMember("system");
    if (it == doc.MemberEnd()) {
      put_str(doc, "system", prompt, a);
    } else if (it->value.IsString()) {
      std::string joined = prompt + "\n\n" + it->value.GetString();
      it->value = str(joined, a);
    } else if (it->value.IsArray()) {
      value blocks = array();
      value first = object();
      put_str(first, "type", "text", a);
      put_str(first, "text", prompt, a);
      blocks.PushBack(first, a);
      for (auto& b : it->value.GetArray())
        blocks.PushBack(value(b, a), a);
      it->value = blocks;
    }
  }
  if (!doc.HasMember("max_tokens")) {
    int64_t max
      = soul != nullptr && soul->max_tokens ? *soul->max_tokens : int64_t{4096};
    put(doc, "max_tokens", value(max), a);
  }
  if (!doc.HasMember("temperature") && soul != nullptr && soul->temperature)
    put(doc, "temperature", value(*soul->temperature), a);
  return dump(doc);
}

std::string subscription_beta(std::string_view client_beta) {
  std::string out = oauth_beta;
  auto has = [&](std::string_view flag) {
    std::string_view list = out;
    while (!list.empty()) {
      auto comma = list.find(',');
      auto item = list.substr(0, comma);
      if (item == flag)
        return true;
      if (comma == std::string_view::npos)
        break;
      list.remove_prefix(comma + 1);
    }
    return false;
  };
  while (!client_beta.empty()) {
    auto comma = client_beta.find(',');
    auto item = client_beta.substr(0, comma);
    // HTTP list whitespace: spaces and tabs.
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (!item.empty() && !has(item)) {
      out += ',';
      out += item;
    }
    if (comma == std::string_view::npos)
      break;
    client_beta.remove_prefix(comma + 1);
  }
  return out;
}

std::string subscription_body(const std::string& body, bool user_merge) {
  auto parsed = json::parse(body);
  if (!parsed || !parsed->IsObject())
    return body; // our own output: always an object
  auto& doc = *parsed;
  auto& a = doc.GetAllocator();
  // The system text there is, as text blocks.
  value blocks = array();
  if (auto it = doc.FindMember("system"); it != doc.MemberEnd()) {
    if (it->value.IsString()) {
      if (it->value.GetStringLength() > 0) {
        value b = object();
        put_str(b, "type", "text", a);
        put(b, "text", value(it->value, a), a);
        blocks.PushBack(b, a);
      }
    } else if (it->value.IsArray()) {
      for (auto& b : it->value.GetArray())
        blocks.PushBack(value(b, a), a);
    }
    doc.RemoveMember(it);
  }
  if (!user_merge) {
    value system = array();
    value id = object();
    put_str(id, "type", "text", a);
    put_str(id, "text", identity_prompt, a);
    system.PushBack(id, a);
    for (auto& b : blocks.GetArray())
      system.PushBack(value(b, a), a);
    put(doc, "system", std::move(system), a);
    return dump(doc);
  }
  put_str(doc, "system", identity_prompt, a);
  std::string text;
  for (auto& b : blocks.GetArray())
    if (auto t = json::get_string(b, "text"); t && !t->empty())
      text += (text.empty() ? "" : "\n\n") + *t;
  auto messages = doc.FindMember("messages");
  if (text.empty() || messages == doc.MemberEnd() || !messages->value.IsArray())
    return dump(doc);
  std::string instruction = "[System Instructions: " + text + "]";
  auto& list = messages->value;
  value* first = list.Empty() ? nullptr : &list[0];
  bool first_is_user
    = first != nullptr && first->IsObject()
      && json::get_string(*first, "role").value_or("") == "user";
  if (first_is_user) {
    auto content = first->FindMember("content");
    if (content != first->MemberEnd() && content->value.IsString()) {
      std::string merged = instruction + "\n\n" + content->value.GetString();
      content->value = str(merged, a);
      return dump(doc);
    }
    if (content != first->MemberEnd() && content->value.IsArray()) {
      value b = object();
      put_str(b, "type", "text", a);
      put_str(b, "text", instruction, a);
      value merged = array();
      merged.PushBack(b, a);
      for (auto& part : content->value.GetArray())
        merged.PushBack(value(part, a), a);
      content->value = merged;
      return dump(doc);
    }
  }
  value b = object();
  put_str(b, "type", "text", a);
  put_str(b, "text", instruction, a);
  value content = array();
  content.PushBack(b, a);
  value m = object();
  put_str(m, "role", "user", a);
  put(m, "content", std::move(content), a);
  value rebuilt = array();
  rebuilt.PushBack(m, a);
  for (auto& old : list.GetArray())
    rebuilt.PushBack(value(old, a), a);
  list = rebuilt;
  return dump(doc);
}

expected<std::string> build_body(canonical_request& r) {
  json::document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  // OpenAI's temperature goes to 2, Claude's to 1: refused, not clamped.
  if (r.temperature && *r.temperature > 1)
    return fail(errc::invalid_value,
                "temperature: claude accounts take a temperature from 0 to 1",
                "temperature");
  put_str(doc, "model", r.model, a);
  // Claude's thinking counts inside max_tokens and its budget must stay
  // below it (at least 1024): without a cap from the client the answer
  // gets its default room on top; under the client's cap the budget
  // shrinks; a cap below the least budget, or a forced tool (which Claude
  // refuses with thinking), leaves no thinking, and says so.
  using mode = tool_choice::mode;
  auto budget = r.thinking_budget;
  int64_t max_tokens = r.max_tokens.value_or(4096);
  if (budget && !r.max_tokens)
    max_tokens = *budget + 4096;
  else if (budget && *budget >= max_tokens)
    budget = max_tokens - 1;
  if (budget
      && (*budget < 1024 || r.choice.what == mode::required
          || r.choice.what == mode::tool)) {
    budget.reset();
    max_tokens = r.max_tokens.value_or(4096);
    note_dropped(r.dropped,
                 r.reasoning_effort.empty() ? "thinking" : "reasoning_effort");
  }
  put(doc, "max_tokens", value(max_tokens), a);
  std::string system = joined_system(r);
  std::string instruction;
  if (r.format.what == response_format::kind::json_object)
    instruction = "Respond only with a valid JSON object.";
  else if (r.format.what == response_format::kind::json_schema)
    instruction = schema_instruction(r.format.schema);
  if (!instruction.empty())
    system = system.empty() ? instruction : system + "\n\n" + instruction;
  if (!system.empty())
    put_str(doc, "system", system, a);
  value messages = array();
  for (auto& t : r.turns) {
    // A turn with nothing in it (an empty assistant answer, say) is left
    // out: Claude refuses empty content.
    auto content = turn_content(t, a);
    if ((content.IsString() && content.GetStringLength() == 0)
        || (content.IsArray() && content.Empty()))
      continue;
    value m = object();
    put_str(m, "role",
            t.role == turn::role_kind::assistant ? "assistant" : "user", a);
    put(m, "content", std::move(content), a);
    messages.PushBack(m, a);
  }
  if (messages.Empty())
    return fail(errc::invalid_value,
                "messages: claude accounts need at least one user or "
                "assistant message with content",
                "messages");
  put(doc, "messages", std::move(messages), a);
  // With thinking Claude takes temperature 1 only and top_p from 0.95.
  if (r.temperature && budget && *r.temperature != 1)
    note_dropped(r.dropped, "temperature");
  else if (r.temperature)
    put(doc, "temperature", value(*r.temperature), a);
  if (r.top_p && budget && *r.top_p < 0.95)
    note_dropped(r.dropped, "top_p");
  else if (r.top_p)
    put(doc, "top_p", value(*r.top_p), a);
  if (r.top_k)
    put(doc, "top_k", value(*r.top_k), a);
  if (!r.stop.empty()) {
    put(doc, "stop_sequences", string_array(r.stop, a), a);
  }
  if (!r.tools.empty()) {
    value tools = array();
    for (auto& t : r.tools) {
      value tool = object();
      put_str(tool, "name", t.name, a);
      if (!t.description.empty())
        put_str(tool, "description", t.description, a);
      value schema = t.parameters.empty()
                       ? object()
                       : parse_or_empty_object(t.parameters, a);
      if (t.parameters.empty())
        put_str(schema, "type", "object", a);
      put(tool, "input_schema", std::move(schema), a);
      tools.PushBack(tool, a);
    }
    put(doc, "tools", std::move(tools), a);
  }
  if (r.choice.what != mode::unset || r.choice.disable_parallel) {
    value tc = object();
    switch (r.choice.what) {
      case mode::none:
        put_str(tc, "type", "none", a);
        break;
      case mode::required:
        put_str(tc, "type", "any", a);
        break;
      case mode::tool:
        put_str(tc, "type", "tool", a);
        put_str(tc, "name", r.choice.name, a);
        break;
      default:
        put_str(tc, "type", "auto", a);
    }
    if (r.choice.disable_parallel && r.choice.what != mode::none)
      put(tc, "disable_parallel_tool_use", value(true), a);
    put(doc, "tool_choice", std::move(tc), a);
  }
  if (budget) {
    value th = object();
    put_str(th, "type", "enabled", a);
    put(th, "budget_tokens", value(*budget), a);
    put(doc, "thinking", std::move(th), a);
  }
  if (r.user) {
    value md = object();
    put_str(md, "user_id", *r.user, a);
    put(doc, "metadata", std::move(md), a);
  }
  if (r.seed)
    note_dropped(r.dropped, "seed");
  if (r.presence_penalty)
    note_dropped(r.dropped, "presence_penalty");
  if (r.frequency_penalty)
    note_dropped(r.dropped, "frequency_penalty");
  if (r.stream)
    put(doc, "stream", value(true), a);
  return dump(doc);
}

std::unique_ptr<stream_decoder> make_decoder(const decode_context&) {
  return std::make_unique<decoder>();
}

expected<event_list> decode_response(std::string_view body,
                                     const decode_context&) {
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject() || !doc->HasMember("content"))
    return fail(errc::upstream_failed,
                "the upstream answer is not an Anthropic message");
  event_list out;
  canonical_event start;
  start.what = canonical_event::kind::start;
  start.text = json::get_string(*doc, "id").value_or("");
  start.model = json::get_string(*doc, "model").value_or("");
  out.push_back(std::move(start));
  int tools = 0;
  auto& content = (*doc)["content"];
  if (content.IsArray())
    for (auto& b : content.GetArray()) {
      auto type = json::get_string(b, "type").value_or("");
      if (type == "text") {
        out.push_back(text_event(json::get_string(b, "text").value_or("")));
      } else if (type == "thinking") {
        canonical_event e;
        e.what = canonical_event::kind::reasoning;
        e.text = json::get_string(b, "thinking").value_or("");
        e.signature = json::get_string(b, "signature").value_or("");
        out.push_back(std::move(e));
      } else if (type == "tool_use") {
        auto* input = json::find(b, "input");
        push_whole_tool_call(out, tools++,
                             json::get_string(b, "id").value_or(""),
                             json::get_string(b, "name").value_or(""),
                             input != nullptr ? json::to_string(*input) : "");
      }
    }
  if (auto* u = json::find(*doc, "usage"))
    out.push_back(usage_event(read_usage(*u)));
  out.push_back(
    finish_event(finish_for(json::get_string(*doc, "stop_reason").value_or("")),
                 json::get_string(*doc, "stop_sequence").value_or("")));
  return out;
}

} // namespace oh::providers::claude
