#include "providers/gemini/translate.hpp"

#include <algorithm>
#include <array>

#include "core/logging.hpp"
#include "providers/json_out.hpp"

namespace oh::providers::gemini {

namespace {

using json::value;
using namespace jout;

/// The fields of Gemini's Schema (an OpenAPI subset, SPEC §10); any other
/// JSON-Schema keyword is removed and listed.
constexpr std::array<std::string_view, 22> schema_fields
  = {"type",        "format",        "title",
     "description", "nullable",      "enum",
     "maxItems",    "minItems",      "properties",
     "required",    "minProperties", "maxProperties",
     "minLength",   "maxLength",     "pattern",
     "example",     "anyOf",         "propertyOrdering",
     "default",     "items",         "minimum",
     "maximum"};

/// Makes a schema one Gemini takes, recursing into the members that hold
/// schemas (not into property names): a type list becomes one type with
/// `nullable` (or `anyOf` for several), `oneOf` becomes `anyOf` (the
/// nearest Gemini has), an `enum` of anything but strings and unknown
/// keywords are removed and listed. Parsed documents are at most
/// json::max_depth deep; the depth check keeps this walk bounded on its
/// own as well.
void clean_schema(value& schema, const std::string& where,
                  std::vector<std::string>& dropped, allocator& a,
                  int depth = 0) {
  if (!schema.IsObject() || depth > json::max_depth)
    return;
  if (auto it = schema.FindMember("type");
      it != schema.MemberEnd() && it->value.IsArray()) {
    std::vector<std::string> types;
    bool nullable = false;
    for (auto& t : it->value.GetArray())
      if (t.IsString() && std::string_view{t.GetString()} == "null")
        nullable = true;
      else if (t.IsString())
        types.emplace_back(t.GetString());
    schema.RemoveMember(it);
    if (types.size() == 1) {
      put_str(schema, "type", types[0], a);
    } else if (types.size() > 1 && !schema.HasMember("anyOf")) {
      value any = array();
      for (auto& t : types) {
        value one = object();
        put_str(one, "type", t, a);
        any.PushBack(one, a);
      }
      put(schema, "anyOf", std::move(any), a);
    }
    if (nullable)
      put(schema, "nullable", value(true), a);
  }
  if (auto it = schema.FindMember("oneOf");
      it != schema.MemberEnd() && !schema.HasMember("anyOf"))
    it->name.SetString("anyOf", a);
  if (auto it = schema.FindMember("enum"); it != schema.MemberEnd()) {
    bool strings = it->value.IsArray();
    if (strings)
      for (auto& v : it->value.GetArray())
        strings = strings && v.IsString();
    if (!strings) {
      schema.RemoveMember(it);
      note_dropped(dropped, where + ".enum");
    }
  }
  for (auto it = schema.MemberBegin(); it != schema.MemberEnd();) {
    std::string_view name{it->name.GetString(), it->name.GetStringLength()};
    if (std::find(schema_fields.begin(), schema_fields.end(), name)
        != schema_fields.end()) {
      ++it;
      continue;
    }
    note_dropped(dropped, where + "." + std::string{name});
    it = schema.EraseMember(it);
  }
  if (auto it = schema.FindMember("properties");
      it != schema.MemberEnd() && it->value.IsObject())
    for (auto& p : it->value.GetObject())
      clean_schema(p.value, where, dropped, a, depth + 1);
  if (auto it = schema.FindMember("items"); it != schema.MemberEnd()) {
    if (it->value.IsObject()) {
      clean_schema(it->value, where, dropped, a, depth + 1);
    } else {
      // A tuple of item schemas has no Gemini form.
      schema.RemoveMember(it);
      note_dropped(dropped, where + ".items");
    }
  }
  if (auto it = schema.FindMember("anyOf");
      it != schema.MemberEnd() && it->value.IsArray())
    for (auto& s : it->value.GetArray())
      clean_schema(s, where, dropped, a, depth + 1);
}

/// A tool result as Gemini wants it: `{"result": <JSON or the string>}`.
value result_payload(const std::string& text, allocator& a) {
  value payload = object();
  auto parsed = text.empty()
                  ? expected<json::document>{fail(errc::invalid_json, "empty")}
                  : json::parse(text);
  if (parsed)
    put(payload, "result", value(*parsed, a), a);
  else
    put_str(payload, "result", text, a);
  return payload;
}

token_usage read_usage(const value& u) {
  token_usage out;
  out.input = token_count(u, "promptTokenCount");
  out.cache_read = token_count(u, "cachedContentTokenCount");
  out.reasoning = token_count(u, "thoughtsTokenCount");
  out.output = token_count(u, "candidatesTokenCount") + out.reasoning;
  return out;
}

/// GenerateContentResponse events → canonical events; the finish is held
/// until the end because usage keeps arriving (SPEC §10).
class decoder final : public stream_decoder {
public:
  explicit decoder(decode_context ctx) : ctx_(std::move(ctx)) {}

  void on_event(const sse_event& ev, event_list& out) override {
    auto doc = json::parse(ev.data);
    if (!doc || !doc->IsObject()) {
      out.push_back(error_event("the provider sent a malformed stream event"));
      return;
    }
    consume(*doc, out);
  }

  void consume(const value& doc, event_list& out) {
    if (auto* err = json::find(doc, "error")) {
      std::string message = "the provider reported an error";
      if (err->IsObject())
        message = json::get_string(*err, "message").value_or(message);
      out.push_back(error_event(std::move(message)));
      return;
    }
    if (!started_) {
      started_ = true;
      canonical_event start;
      start.what = canonical_event::kind::start;
      start.text = json::get_string(doc, "responseId").value_or("");
      start.model = json::get_string(doc, "modelVersion").value_or("");
      out.push_back(std::move(start));
    }
    if (auto* u = json::find(doc, "usageMetadata"); u && u->IsObject())
      out.push_back(usage_event(read_usage(*u)));
    auto* candidates = json::find(doc, "candidates");
    if (candidates == nullptr || !candidates->IsArray()
        || candidates->Empty()) {
      if (auto* fb = json::find(doc, "promptFeedback"); fb && fb->IsObject())
        if (json::get_string(*fb, "blockReason"))
          reason_ = "content_filter";
      return;
    }
    auto& c = (*candidates)[0];
    if (auto* content = json::find(c, "content");
        content && content->IsObject())
      if (auto* parts = json::find(*content, "parts");
          parts && parts->IsArray())
        for (auto& p : parts->GetArray()) {
          if (auto* call = json::find(p, "functionCall");
              call && call->IsObject()) {
            auto* args = json::find(*call, "args");
            push_whole_tool_call(out, calls_, generated_call_id(ctx_, calls_),
                                 json::get_string(*call, "name").value_or(""),
                                 args != nullptr ? json::to_string(*args) : "");
            ++calls_;
            continue;
          }
          auto text = json::get_string(p, "text");
          if (!text || text->empty())
            continue;
          auto* thought = json::find(p, "thought");
          if (thought != nullptr && thought->IsBool() && thought->GetBool()) {
            canonical_event e;
            e.what = canonical_event::kind::reasoning;
            e.text = *text;
            out.push_back(std::move(e));
          } else {
            out.push_back(text_event(*text));
          }
        }
    if (auto fr = json::get_string(c, "finishReason"); fr && !fr->empty())
      reason_ = finish_for(*fr);
  }

  void on_end(event_list& out) override {
    if (reason_.empty())
      return;
    out.push_back(
      finish_event(reason_ == "stop" && calls_ > 0 ? "tool_calls" : reason_));
  }

  bool finished() const override {
    return !reason_.empty();
  }

private:
  decode_context ctx_;
  bool started_ = false;
  int calls_ = 0;
  std::string reason_;
};

/// Code Assist wraps every answer and stream event as `{"response": …}`;
/// read the inner object (an unwrapped one as is).
const value& unwrapped(const value& doc) {
  auto* inner = json::find(doc, "response");
  return inner != nullptr && inner->IsObject() ? *inner : doc;
}

class code_assist_decoder final : public stream_decoder {
public:
  explicit code_assist_decoder(decode_context ctx) : inner_(std::move(ctx)) {}
  void on_event(const sse_event& ev, event_list& out) override {
    auto doc = json::parse(ev.data);
    if (!doc || !doc->IsObject()) {
      out.push_back(error_event("the provider sent a malformed stream event"));
      return;
    }
    inner_.consume(unwrapped(*doc), out);
  }
  void on_end(event_list& out) override {
    inner_.on_end(out);
  }
  bool finished() const override {
    return inner_.finished();
  }

private:
  decoder inner_;
};

} // namespace

std::string code_assist_url(std::string_view base, bool stream) {
  std::string url{trim_base(base)};
  url += stream ? "/v1internal:streamGenerateContent?alt=sse"
                : "/v1internal:generateContent";
  return url;
}

std::string wrap_for_code_assist(const std::string& inner_body,
                                 std::string_view model,
                                 std::string_view project) {
  // The inner body is our own compact JSON object: wrapped as text, no
  // second parse.
  std::string out = "{\"model\":";
  json::append_quoted(out, model);
  out += ",\"project\":";
  json::append_quoted(out, project);
  out += ",\"request\":" + inner_body + "}";
  return out;
}

std::unique_ptr<stream_decoder>
make_code_assist_decoder(const decode_context& ctx) {
  return std::make_unique<code_assist_decoder>(ctx);
}

expected<event_list> decode_code_assist_response(std::string_view body,
                                                 const decode_context& ctx) {
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject())
    return fail(errc::upstream_failed, "the upstream answer is not JSON");
  auto& inner = unwrapped(*doc);
  decoder d{ctx};
  event_list out;
  d.consume(inner, out);
  d.on_end(out);
  if (!d.finished() && !inner.HasMember("error"))
    out.push_back(finish_event("stop"));
  return out;
}

std::string generate_url(std::string_view base, std::string_view model,
                         bool stream) {
  base = trim_base(base);
  std::string url{base};
  if (!base.ends_with("/v1beta"))
    url += "/v1beta";
  url += "/models/";
  url += model;
  url += stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
  return url;
}

std::string models_url(std::string_view base) {
  base = trim_base(base);
  if (base.ends_with("/v1beta"))
    return std::string{base} + "/models";
  return std::string{base} + "/v1beta/models";
}

std::string finish_for(std::string_view r) {
  if (r == "STOP")
    return "stop";
  if (r == "MAX_TOKENS")
    return "length";
  if (r == "SAFETY" || r == "RECITATION" || r == "BLOCKLIST"
      || r == "PROHIBITED_CONTENT" || r == "SPII" || r == "IMAGE_SAFETY")
    return "content_filter";
  OH_WARN("gemini finish reason {} mapped to stop", std::string{r});
  return "stop";
}

expected<std::string> build_body(canonical_request& r) {
  using pk = content_part::kind;
  json::document doc;
  doc.SetObject();
  auto& a = doc.GetAllocator();
  value contents = array();
  for (size_t i = 0; i < r.turns.size(); ++i) {
    auto& t = r.turns[i];
    value parts = array();
    for (auto& p : t.parts) {
      value part = object();
      switch (p.what) {
        case pk::text:
          if (p.text.empty())
            continue;
          put_str(part, "text", p.text, a);
          break;
        case pk::image: {
          if (!p.image.url.empty())
            return fail(errc::invalid_value,
                        p.at
                          + ": gemini accounts take images only as base64 "
                            "data URLs (the gateway never downloads images)",
                        p.at);
          value data = object();
          put_str(data, "mimeType", p.image.media_type, a);
          put_str(data, "data", p.image.data, a);
          put(part, "inlineData", std::move(data), a);
          break;
        }
        case pk::tool_call: {
          value call = object();
          put_str(call, "name", p.name, a);
          put(call, "args", parse_or_empty_object(p.arguments, a), a);
          put(part, "functionCall", std::move(call), a);
          break;
        }
        case pk::tool_result: {
          value response = object();
          auto name = tool_name_for(r, i, p.id);
          put_str(response, "name", name.empty() ? p.id : name, a);
          put(response, "response", result_payload(p.text, a), a);
          put(part, "functionResponse", std::move(response), a);
          break;
        }
        case pk::reasoning:
          continue;
      }
      parts.PushBack(part, a);
    }
    // A turn with nothing in it (an empty assistant answer, say) is left
    // out: Gemini refuses a content without parts.
    if (parts.Empty())
      continue;
    value content = object();
    put_str(content, "role",
            t.role == turn::role_kind::assistant ? "model" : "user", a);
    put(content, "parts", std::move(parts), a);
    contents.PushBack(content, a);
  }
  if (contents.Empty())
    return fail(errc::invalid_value,
                "messages: gemini accounts need at least one user or "
                "assistant message with content",
                "messages");
  put(doc, "contents", std::move(contents), a);
  if (auto system = joined_system(r); !system.empty()) {
    value si = object();
    value parts = array();
    value text = object();
    put_str(text, "text", system, a);
    parts.PushBack(text, a);
    put(si, "parts", std::move(parts), a);
    put(doc, "systemInstruction", std::move(si), a);
  }
  value gc = object();
  if (r.max_tokens)
    put(gc, "maxOutputTokens", value(*r.max_tokens), a);
  if (r.temperature)
    put(gc, "temperature", value(*r.temperature), a);
  if (r.top_p)
    put(gc, "topP", value(*r.top_p), a);
  if (r.top_k)
    put(gc, "topK", value(*r.top_k), a);
  if (!r.stop.empty()) {
    put(gc, "stopSequences", string_array(r.stop, a), a);
  }
  if (r.seed)
    put(gc, "seed", value(*r.seed), a);
  if (r.presence_penalty)
    put(gc, "presencePenalty", value(*r.presence_penalty), a);
  if (r.frequency_penalty)
    put(gc, "frequencyPenalty", value(*r.frequency_penalty), a);
  if (r.format.what == response_format::kind::json_object
      || r.format.what == response_format::kind::json_schema) {
    put_str(gc, "responseMimeType", "application/json", a);
    if (r.format.what == response_format::kind::json_schema
        && !r.format.schema.empty()) {
      value schema = parse_or_empty_object(r.format.schema, a);
      clean_schema(schema, "response_format.schema", r.dropped, a);
      put(gc, "responseSchema", std::move(schema), a);
    }
  }
  if (r.thinking_budget) {
    value tc = object();
    put(tc, "thinkingBudget", value(*r.thinking_budget), a);
    put(tc, "includeThoughts", value(true), a);
    put(gc, "thinkingConfig", std::move(tc), a);
  }
  if (gc.MemberCount() > 0)
    put(doc, "generationConfig", std::move(gc), a);
  if (!r.tools.empty()) {
    value decls = array();
    for (auto& t : r.tools) {
      value d = object();
      put_str(d, "name", t.name, a);
      if (!t.description.empty())
        put_str(d, "description", t.description, a);
      if (!t.parameters.empty()) {
        value params = parse_or_empty_object(t.parameters, a);
        clean_schema(params, "tools.parameters", r.dropped, a);
        put(d, "parameters", std::move(params), a);
      }
      decls.PushBack(d, a);
    }
    value tools = array();
    value entry = object();
    put(entry, "functionDeclarations", std::move(decls), a);
    tools.PushBack(entry, a);
    put(doc, "tools", std::move(tools), a);
  }
  using mode = tool_choice::mode;
  if (r.choice.what != mode::unset) {
    value fcc = object();
    put_str(fcc, "mode",
            r.choice.what == mode::none        ? "NONE"
            : r.choice.what == mode::automatic ? "AUTO"
                                               : "ANY",
            a);
    if (r.choice.what == mode::tool) {
      value names = array();
      names.PushBack(str(r.choice.name, a), a);
      put(fcc, "allowedFunctionNames", std::move(names), a);
    }
    value tc = object();
    put(tc, "functionCallingConfig", std::move(fcc), a);
    put(doc, "toolConfig", std::move(tc), a);
  }
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
  d.on_end(out);
  if (!d.finished() && !doc->HasMember("error"))
    out.push_back(finish_event("stop"));
  return out;
}

} // namespace oh::providers::gemini
