#include "providers/openai/translate.hpp"

#include "providers/openai/encode.hpp"

#include <algorithm>
#include <ctime>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace oh::providers::openai {

namespace {

using json::value;

failure invalid(std::string field, std::string message,
                errc code = errc::invalid_value) {
  return failure{code, field + ": " + message, field};
}

bool is_known_role(std::string_view role) {
  return role == "system" || role == "developer" || role == "user"
         || role == "assistant" || role == "tool" || role == "function";
}

std::optional<failure> check_content(const value& msg, const std::string& at,
                                     std::string_view role) {
  auto it = msg.FindMember("content");
  if (it == msg.MemberEnd() || it->value.IsNull()) {
    if (role == "assistant")
      return std::nullopt; // tool calls only
    if (it == msg.MemberEnd())
      return invalid(at + ".content", "is required", errc::missing_field);
    return invalid(at + ".content",
                   "must not be null for role " + std::string{role});
  }
  auto& c = it->value;
  if (c.IsString())
    return std::nullopt;
  if (!c.IsArray())
    return invalid(at + ".content", "must be a string or an array of parts");
  for (rapidjson::SizeType i = 0; i < c.Size(); ++i) {
    std::string part_at = at + ".content[" + std::to_string(i) + "]";
    auto& part = c[i];
    if (!part.IsObject() || !part.HasMember("type") || !part["type"].IsString())
      return invalid(part_at, "must be an object with a type");
    std::string_view type = part["type"].GetString();
    if (type == "text") {
      if (!part.HasMember("text") || !part["text"].IsString())
        return invalid(part_at + ".text", "must be a string");
    } else if (type == "image_url") {
      auto* url = json::find(part, "image_url");
      if (url == nullptr || !url->IsObject() || !json::get_string(*url, "url"))
        return invalid(part_at + ".image_url.url", "must be a string");
    } else if (type != "input_audio" && type != "file" && type != "refusal") {
      return invalid(part_at + ".type",
                     "unknown content part type \"" + std::string{type} + "\"");
    }
  }
  return std::nullopt;
}

void write_value(json::writer& w, const value& v) {
  v.Accept(w);
}

std::string serialise(const value& v) {
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

/// Replaces a string member in place (keeping the member order), or adds it.
void set_string(json::document& doc, const char* name, const std::string& v) {
  auto& a = doc.GetAllocator();
  auto it = doc.FindMember(name);
  if (it != doc.MemberEnd())
    it->value.SetString(v.c_str(), static_cast<rapidjson::SizeType>(v.size()),
                        a);
  else
    doc.AddMember(json::value{name, a}, json::value{v.c_str(), a}, a);
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
    if (!is_known_role(*role))
      return invalid(at + ".role", "unknown role \"" + *role + "\"");
    if (auto err = check_content(m, at, *role))
      return err;
  }
  if (auto* model = json::find(body, "model"); model && !model->IsString())
    return invalid("model", "must be a string");
  if (auto* t = json::find(body, "temperature");
      t && (!t->IsNumber() || t->GetDouble() < 0 || t->GetDouble() > 2))
    return invalid("temperature", "must be a number between 0 and 2");
  if (auto* p = json::find(body, "top_p");
      p && (!p->IsNumber() || p->GetDouble() < 0 || p->GetDouble() > 1))
    return invalid("top_p", "must be a number between 0 and 1");
  if (auto* n = json::find(body, "n");
      n && (!n->IsInt64() || n->GetInt64() < 1))
    return invalid("n", "must be a positive integer");
  for (auto* name : {"max_tokens", "max_completion_tokens"})
    if (auto* v = json::find(body, name);
        v && (!v->IsInt64() || v->GetInt64() < 1))
      return invalid(name, "must be a positive integer");
  if (auto* s = json::find(body, "stream"); s && !s->IsBool())
    return invalid("stream", "must be true or false");
  if (auto* so = json::find(body, "stream_options"); so && !so->IsObject())
    return invalid("stream_options", "must be an object");
  if (auto* tools = json::find(body, "tools"); tools && !tools->IsArray())
    return invalid("tools", "must be an array");
  return std::nullopt;
}

request_facts read_facts(const value& body) {
  request_facts f;
  f.model = json::get_string(body, "model");
  if (auto* s = json::find(body, "stream"); s && s->IsBool())
    f.stream = s->GetBool();
  if (auto* so = json::find(body, "stream_options"); so && so->IsObject())
    if (auto* u = json::find(*so, "include_usage"); u && u->IsBool())
      f.include_usage = u->GetBool();
  f.max_tokens = json::get_int64(body, "max_completion_tokens");
  if (f.max_tokens == 0)
    f.max_tokens = json::get_int64(body, "max_tokens");
  // It sizes the request's reservation: INT64_MAX passed validation and
  // overflowed the sum made of it (the request is sent as asked).
  f.max_tokens = std::min(f.max_tokens, max_token_count);
  if (auto* n = json::find(body, "n"); n && n->IsInt64())
    f.n = n->GetInt64();
  return f;
}

std::string build_upstream_body(const value& client, const soul_edits* soul,
                                const upstream_options& opts) {
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  w.StartObject();
  bool has_temperature = json::find(client, "temperature") != nullptr;
  bool has_max = json::find(client, "max_tokens") != nullptr
                 || json::find(client, "max_completion_tokens") != nullptr;
  for (auto& m : client.GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    if (name == "model" || name == "stream" || name == "stream_options"
        || name == "response_schema")
      continue; // set below (response_schema as response_format)
    if (opts.compatible && name == "max_completion_tokens") {
      if (json::find(client, "max_tokens") == nullptr) {
        w.Key("max_tokens");
        write_value(w, m.value);
      }
      continue;
    }
    w.Key(m.name.GetString(), m.name.GetStringLength());
    if (name == "messages" && soul != nullptr && !soul->system_prompt.empty()) {
      // The soul's prompt comes before the client's own system content;
      // both are kept (SPEC §5.3).
      w.StartArray();
      w.StartObject();
      w.Key("role");
      w.String("system");
      w.Key("content");
      w.String(soul->system_prompt.data(),
               static_cast<rapidjson::SizeType>(soul->system_prompt.size()));
      w.EndObject();
      for (auto& msg : m.value.GetArray())
        write_value(w, msg);
      w.EndArray();
      continue;
    }
    write_value(w, m.value);
  }
  w.Key("model");
  w.String(opts.model.data(),
           static_cast<rapidjson::SizeType>(opts.model.size()));
  if (soul != nullptr && !has_temperature && soul->temperature) {
    w.Key("temperature");
    w.Double(*soul->temperature);
  }
  // Structured output when the request names no response_format: its own
  // `response_schema` (the original's field), else the soul's.
  std::string schema_text;
  if (json::find(client, "response_format") == nullptr) {
    if (auto* rs = json::find(client, "response_schema"); rs && rs->IsObject())
      schema_text = json::to_string(*rs);
    else if (soul != nullptr)
      schema_text = soul->response_schema;
  }
  if (!schema_text.empty()) {
    w.Key("response_format");
    w.StartObject();
    w.Key("type");
    w.String("json_schema");
    w.Key("json_schema");
    w.StartObject();
    w.Key("name");
    w.String("response");
    w.Key("strict");
    w.Bool(true);
    w.Key("schema");
    w.RawValue(schema_text.data(), schema_text.size(), rapidjson::kObjectType);
    w.EndObject();
    w.EndObject();
  }
  if (soul != nullptr && !has_max && soul->max_tokens) {
    w.Key(opts.compatible ? "max_tokens" : "max_completion_tokens");
    w.Int64(*soul->max_tokens);
  }
  if (opts.stream) {
    w.Key("stream");
    w.Bool(true);
    // Always ask for usage so every request can be logged and priced; the
    // relay hides the usage chunk from clients that did not ask.
    w.Key("stream_options");
    w.StartObject();
    w.Key("include_usage");
    w.Bool(true);
    w.EndObject();
  } else if (json::find(client, "stream") != nullptr) {
    w.Key("stream");
    w.Bool(false);
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string chat_url(std::string_view base) {
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  if (base.ends_with("/v1"))
    return std::string{base} + "/chat/completions";
  return std::string{base} + "/v1/chat/completions";
}

std::string models_url(std::string_view base) {
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  if (base.ends_with("/v1"))
    return std::string{base} + "/models";
  return std::string{base} + "/v1/models";
}

token_usage read_usage(const value& usage) {
  token_usage u;
  if (!usage.IsObject())
    return u;
  u.input = token_count(usage, "prompt_tokens");
  u.output = token_count(usage, "completion_tokens");
  if (auto* d = json::find(usage, "prompt_tokens_details"); d && d->IsObject())
    u.cache_read = token_count(*d, "cached_tokens");
  if (auto* d = json::find(usage, "completion_tokens_details");
      d && d->IsObject())
    u.reasoning = token_count(*d, "reasoning_tokens");
  return u;
}

std::string completion_id(std::string_view upstream_id) {
  if (upstream_id.starts_with("chatcmpl-"))
    return std::string{upstream_id};
  return "chatcmpl-" + std::string{upstream_id};
}

expected<completion> parse_completion(std::string_view body) {
  auto doc = json::parse(body);
  if (!doc)
    return fail(errc::internal, "the upstream answer is not JSON");
  if (!doc->IsObject() || !doc->HasMember("choices"))
    return fail(errc::internal, "the upstream answer is not a chat completion");
  completion c;
  c.model = json::get_string(*doc, "model").value_or("");
  if (auto* usage = json::find(*doc, "usage"))
    c.usage = read_usage(*usage);
  auto& choices = (*doc)["choices"];
  if (choices.IsArray() && !choices.Empty() && choices[0].IsObject())
    c.finish_reason
      = json::get_string(choices[0], "finish_reason").value_or("");
  c.doc = std::move(*doc);
  c.body_size = body.size();
  return c;
}

std::string render_completion(const completion& c, const gateway_facts& facts) {
  const auto& doc = c.doc;
  auto upstream_id = json::get_string(doc, "id");
  std::string id = completion_id(upstream_id ? std::string_view{*upstream_id}
                                             : facts.request_id);
  // Written member by member from the parsed answer, not by editing the
  // document and serialising it: no values are allocated for `_openhinge`,
  // and the attempt lists (JSON the gateway wrote itself) are copied in
  // as text instead of parsed again. One buffer sized for the answer.
  rapidjson::StringBuffer buf{nullptr, c.body_size + 512};
  json::writer w{buf};
  auto string_value = [&w](std::string_view v) {
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  bool wrote_id = false;
  if (doc.IsObject())
    for (auto& m : doc.GetObject()) {
      std::string_view name{m.name.GetString(), m.name.GetStringLength()};
      if (name == "_openhinge")
        continue; // ours, not the upstream's
      w.Key(m.name.GetString(), m.name.GetStringLength());
      if (name == "id") {
        string_value(id); // same place, the gateway's value
        wrote_id = true;
      } else {
        m.value.Accept(w);
      }
    }
  if (!wrote_id) {
    w.Key("id");
    string_value(id);
  }
  w.Key("_openhinge");
  w.StartObject();
  w.Key("request_id");
  string_value(facts.request_id);
  w.Key("soul");
  if (facts.soul)
    string_value(*facts.soul);
  else
    w.Null();
  w.Key("provider");
  string_value(facts.provider);
  w.Key("provider_type");
  string_value(facts.provider_type);
  w.Key("cost_cents");
  w.Double(facts.cost_cents);
  for (auto [name, text] :
       {std::pair{"attempts", std::string_view{facts.attempts_json}},
        std::pair{"fallback_attempts",
                  std::string_view{facts.fallback_attempts_json}}}) {
    // Only a JSON array is copied in: anything else would break the answer.
    if (text.size() < 2 || text.front() != '[' || text.back() != ']')
      continue;
    w.Key(name);
    w.RawValue(text.data(), text.size(), rapidjson::kArrayType);
  }
  if (facts.schema_valid) {
    w.Key("schema_valid");
    w.Bool(*facts.schema_valid);
  }
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string upstream_error_message(std::string_view body, unsigned status) {
  if (auto doc = json::parse(body); doc && doc->IsObject()) {
    if (auto* err = json::find(*doc, "error")) {
      if (err->IsObject())
        if (auto msg = json::get_string(*err, "message"))
          return *msg;
      if (err->IsString())
        return err->GetString();
    }
    if (auto msg = json::get_string(*doc, "message"))
      return *msg;
  }
  return "the provider answered HTTP " + std::to_string(status);
}

std::string stream_relay::role_chunk() const {
  rapidjson::StringBuffer buf;
  json::writer w{buf};
  w.StartObject();
  w.Key("id");
  w.String(id_.c_str());
  w.Key("object");
  w.String("chat.completion.chunk");
  w.Key("created");
  w.Int64(created_);
  w.Key("model");
  w.String(model_.c_str());
  if (!fingerprint_.empty()) {
    w.Key("system_fingerprint");
    w.String(fingerprint_.c_str());
  }
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
  return "data: " + std::string{buf.GetString(), buf.GetSize()} + "\n\n";
}

stream_relay::step stream_relay::on_data(std::string_view data) {
  step out;
  while (!data.empty() && (data.back() == ' ' || data.back() == '\n'))
    data.remove_suffix(1);
  if (data == "[DONE]") {
    out.done = true;
    return out;
  }
  auto doc = json::parse(data);
  if (!doc || !doc->IsObject()) {
    out.error = "the provider sent a malformed stream event";
    return out;
  }
  if (auto* err = json::find(*doc, "error")) {
    out.error = upstream_error_message(data, 200);
    (void)err;
    return out;
  }
  if (auto m = json::get_string(*doc, "model"); m && !m->empty())
    model_ = *m;
  if (created_ == 0)
    created_ = json::get_int64(*doc, "created");
  if (created_ == 0)
    created_ = static_cast<int64_t>(std::time(nullptr));
  if (auto fp = json::get_string(*doc, "system_fingerprint"))
    fingerprint_ = *fp;
  bool usage_only = false;
  if (auto* usage = json::find(*doc, "usage")) {
    usage_ = read_usage(*usage);
    has_usage_ = true;
    auto* choices = json::find(*doc, "choices");
    usage_only = choices == nullptr || (choices->IsArray() && choices->Empty());
  }
  bool role_in_chunk = false;
  if (auto* choices = json::find(*doc, "choices");
      choices && choices->IsArray()) {
    for (auto& choice : choices->GetArray()) {
      if (!choice.IsObject())
        continue;
      if (auto fr = json::get_string(choice, "finish_reason");
          fr && !fr->empty())
        finish_reason_ = *fr;
      auto* delta = json::find(choice, "delta");
      if (delta == nullptr || !delta->IsObject())
        continue;
      if (json::find(*delta, "role") != nullptr)
        role_in_chunk = true;
      auto content = json::get_string(*delta, "content");
      auto reasoning = json::get_string(*delta, "reasoning_content");
      if ((content && !content->empty()) || (reasoning && !reasoning->empty())
          || json::find(*delta, "tool_calls") != nullptr
          || json::find(*delta, "function_call") != nullptr
          || json::find(*delta, "refusal") != nullptr)
        out.content = true;
    }
  }
  if (usage_only && !wants_usage_)
    return out; // the client did not ask for the usage chunk
  if (usage_only)
    usage_sent_ = true;
  if (!usage_only && !wants_usage_ && doc->HasMember("usage"))
    doc->RemoveMember("usage");
  set_string(*doc, "id", id_);
  if (!role_sent_) {
    // Clients expect the assistant role first (SPEC §5.5 event 1).
    if (!role_in_chunk && !usage_only)
      out.bytes = role_chunk();
    role_sent_ = true;
  }
  out.bytes += "data: " + serialise(*doc) + "\n\n";
  return out;
}

std::string stream_relay::finish() {
  std::string out;
  if (wants_usage_ && !usage_sent_) {
    rapidjson::StringBuffer buf;
    json::writer w{buf};
    w.StartObject();
    w.Key("id");
    w.String(id_.c_str());
    w.Key("object");
    w.String("chat.completion.chunk");
    w.Key("created");
    w.Int64(created_ != 0 ? created_
                          : static_cast<int64_t>(std::time(nullptr)));
    w.Key("model");
    w.String(model_.c_str());
    w.Key("choices");
    w.StartArray();
    w.EndArray();
    w.Key("usage");
    write_usage(w, usage_);
    w.EndObject();
    out = "data: " + std::string{buf.GetString(), buf.GetSize()} + "\n\n";
    usage_sent_ = true;
  }
  out += "data: [DONE]\n\n";
  return out;
}

} // namespace oh::providers::openai
