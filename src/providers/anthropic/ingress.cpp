#include "providers/anthropic/ingress.hpp"

#include <algorithm>
#include <array>

namespace oh::providers::anthropic {

namespace {

using json::value;

failure invalid(std::string field, std::string message,
                errc code = errc::invalid_value) {
  return failure{code, field + ": " + message, field};
}

constexpr std::array<std::string_view, 12> known_fields = {
  "model", "messages",       "system", "max_tokens", "temperature", "top_p",
  "top_k", "stop_sequences", "stream", "tools",      "tool_choice", "thinking",
};

std::optional<failure> check_block(const value& b, const std::string& at) {
  if (!b.IsObject() || !json::get_string(b, "type"))
    return invalid(at, "must be a content block with a type");
  std::string type = *json::get_string(b, "type");
  if (type == "text" && !json::get_string(b, "text"))
    return invalid(at + ".text", "must be a string");
  if (type == "image") {
    auto* src = json::find(b, "source");
    if (src == nullptr || !src->IsObject())
      return invalid(at + ".source", "must be an object");
  }
  if (type == "tool_use"
      && (!json::get_string(b, "id") || !json::get_string(b, "name")))
    return invalid(at, "tool_use blocks need an id and a name");
  if (type == "tool_result" && !json::get_string(b, "tool_use_id"))
    return invalid(at + ".tool_use_id", "must be a string");
  return std::nullopt;
}

std::optional<failure> check_number(const value& body, const char* name,
                                    double lo, double hi) {
  if (auto* v = json::find(body, name);
      v && (!v->IsNumber() || v->GetDouble() < lo || v->GetDouble() > hi))
    return invalid(name, "must be a number between "
                           + json::to_string(value(lo)) + " and "
                           + json::to_string(value(hi)));
  return std::nullopt;
}

/// Text of a tool result's content: a string, or its text blocks joined.
std::string result_text(const value& content) {
  if (content.IsString())
    return content.GetString();
  std::string out;
  if (content.IsArray())
    for (auto& b : content.GetArray())
      if (auto t = json::get_string(b, "text")) {
        if (!out.empty())
          out += "\n";
        out += *t;
      }
  return out;
}

bool has_cache_control(const value& v) {
  return v.IsObject() && json::find(v, "cache_control") != nullptr;
}

expected<content_part> image_part(const value& b, const std::string& at) {
  content_part part;
  part.what = content_part::kind::image;
  part.at = at;
  auto& src = b["source"];
  auto type = json::get_string(src, "type").value_or("");
  if (type == "base64") {
    part.image.media_type = json::get_string(src, "media_type").value_or("");
    part.image.data = json::get_string(src, "data").value_or("");
  } else if (type == "url") {
    part.image.url = json::get_string(src, "url").value_or("");
  } else {
    return invalid(at + ".source.type",
                   "image sources must be base64 or url here");
  }
  return part;
}

} // namespace

std::optional<failure> validate_request(const value& body) {
  if (!body.IsObject())
    return failure{errc::invalid_value,
                   "the request body must be a JSON object", ""};
  auto* messages = json::find(body, "messages");
  if (messages == nullptr)
    return invalid("messages", "is required", errc::missing_field);
  if (!messages->IsArray() || messages->Empty())
    return invalid("messages", "must be a non-empty array");
  for (rapidjson::SizeType i = 0; i < messages->Size(); ++i) {
    std::string at = "messages[" + std::to_string(i) + "]";
    auto& m = (*messages)[i];
    if (!m.IsObject())
      return invalid(at, "must be an object");
    auto role = json::get_string(m, "role");
    if (!role)
      return invalid(at + ".role", "is required", errc::missing_field);
    if (*role != "user" && *role != "assistant")
      return invalid(at + ".role", "must be \"user\" or \"assistant\"");
    auto* content = json::find(m, "content");
    if (content == nullptr)
      return invalid(at + ".content", "is required", errc::missing_field);
    if (content->IsString())
      continue;
    if (!content->IsArray())
      return invalid(at + ".content", "must be a string or an array of blocks");
    for (rapidjson::SizeType j = 0; j < content->Size(); ++j)
      if (auto err = check_block((*content)[j],
                                 at + ".content[" + std::to_string(j) + "]"))
        return err;
  }
  if (auto* model = json::find(body, "model"); model && !model->IsString())
    return invalid("model", "must be a string");
  if (auto* v = json::find(body, "max_tokens");
      v && (!v->IsInt64() || v->GetInt64() < 1))
    return invalid("max_tokens", "must be a positive integer");
  if (auto err = check_number(body, "temperature", 0, 1))
    return err;
  if (auto err = check_number(body, "top_p", 0, 1))
    return err;
  if (auto* v = json::find(body, "top_k");
      v && (!v->IsInt64() || v->GetInt64() < 0))
    return invalid("top_k", "must be a non-negative integer");
  if (auto* s = json::find(body, "stop_sequences")) {
    if (!s->IsArray())
      return invalid("stop_sequences", "must be an array of strings");
    for (auto& v : s->GetArray())
      if (!v.IsString())
        return invalid("stop_sequences", "must be an array of strings");
  }
  if (auto* s = json::find(body, "stream"); s && !s->IsBool())
    return invalid("stream", "must be true or false");
  if (auto* s = json::find(body, "system");
      s && !s->IsString() && !s->IsArray())
    return invalid("system", "must be a string or an array of text blocks");
  if (auto* t = json::find(body, "tools"); t && !t->IsArray())
    return invalid("tools", "must be an array");
  if (auto* t = json::find(body, "tool_choice"); t && !t->IsObject())
    return invalid("tool_choice", "must be an object");
  return std::nullopt;
}

request_facts read_facts(const value& body) {
  request_facts f;
  f.model = json::get_string(body, "model");
  if (auto* s = json::find(body, "stream"); s && s->IsBool())
    f.stream = s->GetBool();
  // It sizes the reservation: see openai::read_facts.
  if (auto* v = json::find(body, "max_tokens"); v && v->IsInt64())
    f.max_tokens = std::min(v->GetInt64(), max_token_count);
  return f;
}

expected<canonical_request> to_canonical(const value& body,
                                         const soul_edits* soul,
                                         std::string_view model,
                                         std::string_view target) {
  canonical_request r;
  r.model = std::string{model};
  std::string target_name{target};
  if (soul != nullptr && !soul->system_prompt.empty())
    r.system.push_back(soul->system_prompt);
  if (auto* sys = json::find(body, "system")) {
    if (sys->IsString()) {
      r.system.emplace_back(sys->GetString());
    } else if (sys->IsArray()) {
      for (auto& b : sys->GetArray()) {
        if (auto t = json::get_string(b, "text"))
          r.system.push_back(*t);
        if (has_cache_control(b))
          note_dropped(r.dropped, "cache_control");
      }
    }
  }

  auto& messages = body["messages"];
  for (rapidjson::SizeType i = 0; i < messages.Size(); ++i) {
    auto& m = messages[i];
    std::string at = "messages[" + std::to_string(i) + "]";
    turn t;
    t.role = std::string_view{m["role"].GetString()} == "assistant"
               ? turn::role_kind::assistant
               : turn::role_kind::user;
    auto& content = m["content"];
    if (content.IsString()) {
      t.string_content = true;
      t.parts.push_back(text_part(content.GetString()));
      r.turns.push_back(std::move(t));
      continue;
    }
    for (rapidjson::SizeType j = 0; j < content.Size(); ++j) {
      auto& b = content[j];
      std::string block_at = at + ".content[" + std::to_string(j) + "]";
      std::string type = *json::get_string(b, "type");
      if (has_cache_control(b))
        note_dropped(r.dropped, "cache_control");
      if (type == "text") {
        auto part = text_part(b["text"].GetString());
        part.at = block_at;
        t.parts.push_back(std::move(part));
      } else if (type == "image") {
        auto part = image_part(b, block_at);
        if (!part)
          return part.error();
        t.parts.push_back(std::move(*part));
      } else if (type == "tool_use") {
        content_part part;
        part.what = content_part::kind::tool_call;
        part.at = block_at;
        part.id = b["id"].GetString();
        part.name = b["name"].GetString();
        auto* input = json::find(b, "input");
        part.arguments = input != nullptr ? json::to_string(*input) : "{}";
        t.parts.push_back(std::move(part));
      } else if (type == "tool_result") {
        content_part part;
        part.what = content_part::kind::tool_result;
        part.at = block_at;
        part.id = b["tool_use_id"].GetString();
        if (auto* c = json::find(b, "content")) {
          part.text = result_text(*c);
          if (c->IsArray())
            for (auto& inner : c->GetArray())
              if (json::get_string(inner, "type").value_or("") != "text")
                return failure(invalid(block_at + ".content",
                                       "only text tool results are supported "
                                       "by "
                                         + target_name + " accounts"));
        }
        if (auto* e = json::find(b, "is_error"); e && e->IsBool()) {
          part.is_error = e->GetBool();
          if (part.is_error)
            note_dropped(r.dropped, "tool_result.is_error");
        }
        t.parts.push_back(std::move(part));
      } else if (type == "thinking" || type == "redacted_thinking") {
        // Signed thinking only means something to Claude.
        note_dropped(r.dropped, "messages.thinking");
      } else {
        return failure(invalid(block_at, type + " blocks are not supported by "
                                           + target_name + " accounts"));
      }
    }
    r.turns.push_back(std::move(t));
  }

  if (auto* v = json::find(body, "max_tokens"); v && v->IsInt64())
    r.max_tokens = v->GetInt64();
  else if (soul != nullptr && soul->max_tokens)
    r.max_tokens = soul->max_tokens;
  else
    r.max_tokens = default_max_tokens;
  if (auto* v = json::find(body, "temperature"); v && v->IsNumber())
    r.temperature = v->GetDouble();
  else if (soul != nullptr && soul->temperature)
    r.temperature = soul->temperature;
  apply_soul_schema(r, soul);
  if (auto* v = json::find(body, "top_p"); v && v->IsNumber())
    r.top_p = v->GetDouble();
  if (auto* v = json::find(body, "top_k"); v && v->IsInt64())
    r.top_k = v->GetInt64();
  if (auto* s = json::find(body, "stop_sequences"); s && s->IsArray())
    for (auto& v : s->GetArray())
      r.stop.emplace_back(v.GetString());
  if (auto* s = json::find(body, "stream"); s && s->IsBool())
    r.stream = s->GetBool();
  r.include_usage = true; // Anthropic streams always end with usage

  if (auto* tools = json::find(body, "tools"))
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      auto& tool = (*tools)[i];
      auto type = json::get_string(tool, "type");
      if (type && *type != "custom") {
        // Server tools (web search, code execution) run at Anthropic only.
        note_dropped(r.dropped, "tools." + *type);
        continue;
      }
      auto name = json::get_string(tool, "name");
      if (!name)
        return failure(invalid("tools[" + std::to_string(i) + "].name",
                               "is required", errc::missing_field));
      tool_def def;
      def.name = *name;
      def.description = json::get_string(tool, "description").value_or("");
      if (auto* schema = json::find(tool, "input_schema"))
        def.parameters = json::to_string(*schema);
      if (has_cache_control(tool))
        note_dropped(r.dropped, "cache_control");
      r.tools.push_back(std::move(def));
    }
  if (auto* tc = json::find(body, "tool_choice")) {
    using mode = tool_choice::mode;
    auto type = json::get_string(*tc, "type").value_or("auto");
    r.choice.what = type == "any"    ? mode::required
                    : type == "none" ? mode::none
                    : type == "tool" ? mode::tool
                                     : mode::automatic;
    r.choice.name = json::get_string(*tc, "name").value_or("");
    if (auto* d = json::find(*tc, "disable_parallel_tool_use");
        d && d->IsBool())
      r.choice.disable_parallel = d->GetBool();
  }
  if (auto* th = json::find(body, "thinking"); th && th->IsObject())
    if (json::get_string(*th, "type").value_or("") == "enabled")
      if (auto* b = json::find(*th, "budget_tokens"); b && b->IsInt64()) {
        r.thinking_budget = b->GetInt64();
        r.reasoning_effort = effort_for_budget(b->GetInt64());
      }
  if (auto* md = json::find(body, "metadata"); md && md->IsObject()) {
    r.user = json::get_string(*md, "user_id");
    r.user_param = "metadata";
  }

  for (auto& m : body.GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    if (name == "metadata")
      continue; // mapped (user_id) or dropped by the target's builder
    if (std::find(known_fields.begin(), known_fields.end(), name)
        == known_fields.end())
      note_dropped(r.dropped, std::string{name});
  }
  return r;
}

} // namespace oh::providers::anthropic
