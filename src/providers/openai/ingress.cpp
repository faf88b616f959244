#include "providers/openai/ingress.hpp"

#include <algorithm>
#include <array>

namespace oh::providers::openai {

namespace {

using json::value;

constexpr std::array<std::string_view, 20> known_fields = {
  "model",
  "messages",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "response_schema", // the original's own structured-output field
  "reasoning_effort",
  "n",
  "seed",
  "presence_penalty",
  "frequency_penalty",
  "user",
};

failure refused(std::string at, std::string message) {
  return failure{errc::invalid_value, at + ": " + message, at};
}

/// Text of a string or an array of text parts, joined with '\n'.
std::string text_of(const value& content) {
  if (content.IsString())
    return content.GetString();
  std::string out;
  if (!content.IsArray())
    return out;
  for (auto& part : content.GetArray()) {
    auto text = json::get_string(part, "text");
    if (!text)
      continue;
    if (!out.empty())
      out += "\n";
    out += *text;
  }
  return out;
}

expected<std::vector<content_part>> user_parts(const value& content,
                                               const std::string& at,
                                               std::string_view target) {
  std::vector<content_part> parts;
  if (content.IsString()) {
    parts.push_back(text_part(content.GetString()));
    return parts;
  }
  for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
    auto& p = content[i];
    std::string part_at = at + ".content[" + std::to_string(i) + "]";
    std::string type = json::get_string(p, "type").value_or("");
    if (type == "text") {
      auto part = text_part(p["text"].GetString());
      part.at = part_at;
      parts.push_back(std::move(part));
    } else if (type == "image_url") {
      std::string url = p["image_url"]["url"].GetString();
      content_part part;
      part.what = content_part::kind::image;
      part.at = part_at;
      if (auto inline_img = parse_data_url(url))
        part.image = std::move(*inline_img);
      else if (url.starts_with("http://") || url.starts_with("https://"))
        part.image.url = url;
      else
        return fail(errc::invalid_value,
                    part_at
                      + ".image_url.url: must be an http(s) or base64 "
                        "data URL",
                    part_at + ".image_url.url");
      parts.push_back(std::move(part));
    } else {
      return failure(refused(part_at, type + " parts are not supported by "
                                        + std::string{target} + " accounts"));
    }
  }
  return parts;
}

} // namespace

expected<canonical_request> to_canonical(const value& body,
                                         const soul_edits* soul,
                                         std::string_view model,
                                         std::string_view target) {
  canonical_request r;
  r.model = std::string{model};
  if (soul != nullptr && !soul->system_prompt.empty())
    r.system.push_back(soul->system_prompt);
  if (auto* n = json::find(body, "n"); n && n->IsInt64() && n->GetInt64() > 1)
    return failure(refused("n", "n>1 not supported by " + std::string{target}
                                  + " accounts"));

  auto& messages = body["messages"];
  bool last_was_tool = false;
  for (rapidjson::SizeType i = 0; i < messages.Size(); ++i) {
    auto& m = messages[i];
    std::string at = "messages[" + std::to_string(i) + "]";
    std::string role = m["role"].GetString();
    auto* content = json::find(m, "content");
    if (role == "system" || role == "developer") {
      r.system.push_back(content ? text_of(*content) : "");
      last_was_tool = false;
      continue;
    }
    if (role == "tool" || role == "function") {
      content_part part;
      part.what = content_part::kind::tool_result;
      part.at = at;
      part.id = json::get_string(m, "tool_call_id")
                  .value_or(json::get_string(m, "name").value_or(""));
      part.text = content ? text_of(*content) : "";
      if (!last_was_tool || r.turns.empty())
        r.turns.push_back({turn::role_kind::user, {}, false});
      r.turns.back().parts.push_back(std::move(part));
      last_was_tool = true;
      continue;
    }
    last_was_tool = false;
    turn t;
    t.string_content = content != nullptr && content->IsString();
    if (role == "user") {
      t.role = turn::role_kind::user;
      auto parts = user_parts(*content, at, target);
      if (!parts)
        return failure(parts.error());
      t.parts = std::move(*parts);
    } else {
      t.role = turn::role_kind::assistant;
      if (content != nullptr && !content->IsNull()) {
        auto text = text_of(*content);
        if (!text.empty() || content->IsString())
          t.parts.push_back(text_part(text));
      }
      if (auto* calls = json::find(m, "tool_calls"); calls && calls->IsArray())
        for (auto& c : calls->GetArray()) {
          content_part part;
          part.what = content_part::kind::tool_call;
          part.id = json::get_string(c, "id").value_or("");
          if (auto* fn = json::find(c, "function"); fn && fn->IsObject()) {
            part.name = json::get_string(*fn, "name").value_or("");
            part.arguments = json::get_string(*fn, "arguments").value_or("");
          }
          t.parts.push_back(std::move(part));
        }
    }
    r.turns.push_back(std::move(t));
  }

  if (auto* t = json::find(body, "temperature"); t && t->IsNumber())
    r.temperature = t->GetDouble();
  else if (soul != nullptr && soul->temperature)
    r.temperature = soul->temperature;
  if (auto* p = json::find(body, "top_p"); p && p->IsNumber())
    r.top_p = p->GetDouble();
  for (auto* name : {"max_completion_tokens", "max_tokens"})
    if (auto* v = json::find(body, name); v && v->IsInt64() && !r.max_tokens)
      r.max_tokens = v->GetInt64();
  if (!r.max_tokens && soul != nullptr && soul->max_tokens)
    r.max_tokens = soul->max_tokens;
  if (auto* s = json::find(body, "stop")) {
    if (s->IsString())
      r.stop.emplace_back(s->GetString());
    else if (s->IsArray())
      for (auto& v : s->GetArray())
        if (v.IsString())
          r.stop.emplace_back(v.GetString());
  }
  if (auto* tools = json::find(body, "tools"); tools && tools->IsArray())
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      auto* fn = json::find((*tools)[i], "function");
      if (fn == nullptr || !fn->IsObject() || !json::get_string(*fn, "name"))
        return failure(refused("tools[" + std::to_string(i) + "]",
                               "only function tools with a name are "
                               "supported"));
      tool_def def;
      def.name = *json::get_string(*fn, "name");
      def.description = json::get_string(*fn, "description").value_or("");
      if (auto* params = json::find(*fn, "parameters"))
        def.parameters = json::to_string(*params);
      r.tools.push_back(std::move(def));
    }
  if (auto* tc = json::find(body, "tool_choice")) {
    using mode = tool_choice::mode;
    if (tc->IsString()) {
      std::string_view v = tc->GetString();
      r.choice.what = v == "none"       ? mode::none
                      : v == "required" ? mode::required
                                        : mode::automatic;
    } else if (tc->IsObject()) {
      if (auto* fn = json::find(*tc, "function"); fn && fn->IsObject()) {
        r.choice.what = mode::tool;
        r.choice.name = json::get_string(*fn, "name").value_or("");
      }
    }
  }
  if (auto* ptc = json::find(body, "parallel_tool_calls");
      ptc && ptc->IsBool() && !ptc->GetBool())
    r.choice.disable_parallel = true;
  if (auto* rf = json::find(body, "response_format"); rf && rf->IsObject()) {
    auto type = json::get_string(*rf, "type").value_or("");
    if (type == "json_object") {
      r.format.what = response_format::kind::json_object;
    } else if (type == "json_schema") {
      r.format.what = response_format::kind::json_schema;
      if (auto* js = json::find(*rf, "json_schema"); js && js->IsObject()) {
        r.format.name = json::get_string(*js, "name").value_or("");
        if (auto* schema = json::find(*js, "schema"))
          r.format.schema = json::to_string(*schema);
      }
    } else if (type == "text") {
      r.format.what = response_format::kind::text;
    }
  }
  // The original's non-standard `response_schema` (a JSON Schema object),
  // when the request names no response_format.
  if (r.format.what == response_format::kind::none)
    if (auto* rs = json::find(body, "response_schema"); rs && rs->IsObject()) {
      r.format.what = response_format::kind::json_schema;
      r.format.name = "response";
      r.format.schema = json::to_string(*rs);
    }
  apply_soul_schema(r, soul);
  if (auto effort = json::get_string(body, "reasoning_effort")) {
    r.reasoning_effort = *effort;
    r.thinking_budget = budget_for_effort(*effort);
  }
  if (auto* seed = json::find(body, "seed"); seed && seed->IsInt64())
    r.seed = seed->GetInt64();
  if (auto* v = json::find(body, "presence_penalty"); v && v->IsNumber())
    r.presence_penalty = v->GetDouble();
  if (auto* v = json::find(body, "frequency_penalty"); v && v->IsNumber())
    r.frequency_penalty = v->GetDouble();
  r.user = json::get_string(body, "user");
  if (auto* s = json::find(body, "stream"); s && s->IsBool())
    r.stream = s->GetBool();
  if (auto* so = json::find(body, "stream_options"); so && so->IsObject())
    if (auto* u = json::find(*so, "include_usage"); u && u->IsBool())
      r.include_usage = u->GetBool();

  for (auto& m : body.GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    if (std::find(known_fields.begin(), known_fields.end(), name)
        == known_fields.end())
      note_dropped(r.dropped, std::string{name});
  }
  return r;
}

} // namespace oh::providers::openai
