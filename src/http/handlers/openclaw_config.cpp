#include "http/handlers/openclaw_config.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "core/json.hpp"

namespace oh::http::openclaw {

namespace {

using json::value;
using allocator = json::document::AllocatorType;

expected<json::document> read_object(const std::string& text) {
  auto doc = json::parse(text);
  if (!doc)
    return fail(errc::invalid_value,
                "OpenClaw's configuration is not valid JSON: "
                  + doc.error().message);
  if (!doc->IsObject())
    return fail(errc::invalid_value,
                "OpenClaw's configuration is not a JSON object");
  return std::move(*doc);
}

/// `parent[name]` as an object, created (or replaced, when it is another
/// type) as needed.
value& object_member(value& parent, const char* name, allocator& a) {
  auto it = parent.FindMember(name);
  if (it == parent.MemberEnd()) {
    parent.AddMember(value{name, a}, value{rapidjson::kObjectType}, a);
    return parent[name];
  }
  if (!it->value.IsObject())
    it->value.SetObject();
  return it->value;
}

/// `doc.agents.defaults.model`, or nullptr when the path is absent.
value* agent_model(json::document& doc) {
  value* v = &doc;
  for (const char* step : {"agents", "defaults", "model"}) {
    if (!v->IsObject())
      return nullptr;
    auto it = v->FindMember(step);
    if (it == v->MemberEnd())
      return nullptr;
    v = &it->value;
  }
  return v->IsObject() ? v : nullptr;
}

bool ours(const value& v) {
  return v.IsString()
         && std::string_view{v.GetString(), v.GetStringLength()}.starts_with(
           std::string{provider_name} + "/");
}

void drop_our_fallbacks(value& fallbacks) {
  for (auto it = fallbacks.Begin(); it != fallbacks.End();)
    it = ours(*it) ? fallbacks.Erase(it) : it + 1;
}

/// Two-space indentation, as people write the file.
std::string pretty(const json::document& doc) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer{buf};
  writer.SetIndent(' ', 2);
  doc.Accept(writer);
  return std::string{buf.GetString(), buf.GetSize()} + "\n";
}

} // namespace

bool is_connected(const std::string& file_text) {
  auto doc = read_object(file_text);
  if (!doc)
    return false;
  auto* models = json::find(*doc, "models");
  auto* providers = models ? json::find(*models, "providers") : nullptr;
  return providers && json::find(*providers, provider_name) != nullptr;
}

expected<std::string> connect(const std::string& file_text,
                              const std::string& base_url,
                              const std::string& api_key,
                              const std::vector<std::string>& models) {
  auto doc = read_object(file_text);
  if (!doc)
    return doc.error();
  auto& a = doc->GetAllocator();
  value entry{rapidjson::kObjectType};
  entry.AddMember("baseUrl", value{base_url.c_str(), a}, a);
  entry.AddMember("apiKey", value{api_key.c_str(), a}, a);
  entry.AddMember("api", "openai-completions", a);
  value list{rapidjson::kArrayType};
  for (size_t i = 0; i < models.size() && i < max_models; ++i) {
    value m{rapidjson::kObjectType};
    m.AddMember("id", value{models[i].c_str(), a}, a);
    m.AddMember("name", value{models[i].c_str(), a}, a);
    m.AddMember("reasoning", false, a);
    value input{rapidjson::kArrayType};
    input.PushBack("text", a);
    m.AddMember("input", input, a);
    value cost{rapidjson::kObjectType};
    for (const char* k : {"input", "output", "cacheRead", "cacheWrite"})
      cost.AddMember(rapidjson::StringRef(k), 0, a);
    m.AddMember("cost", cost, a);
    m.AddMember("contextWindow", 200000, a);
    m.AddMember("maxTokens", 8192, a);
    list.PushBack(m, a);
  }
  entry.AddMember("models", list, a);
  auto& providers
    = object_member(object_member(*doc, "models", a), "providers", a);
  providers.RemoveMember(provider_name);
  providers.AddMember(rapidjson::StringRef(provider_name), entry, a);
  if (auto* model = agent_model(*doc))
    if (auto it = model->FindMember("fallbacks");
        it != model->MemberEnd() && it->value.IsArray()) {
      drop_our_fallbacks(it->value);
      for (size_t i = 0; i < models.size() && i < max_fallbacks; ++i) {
        std::string name = std::string{provider_name} + "/" + models[i];
        it->value.PushBack(value{name.c_str(), a}, a);
      }
    }
  return pretty(*doc);
}

expected<std::string> disconnect(const std::string& file_text) {
  auto doc = read_object(file_text);
  if (!doc)
    return doc.error();
  bool changed = false;
  if (auto m = doc->FindMember("models");
      m != doc->MemberEnd() && m->value.IsObject())
    if (auto it = m->value.FindMember("providers");
        it != m->value.MemberEnd() && it->value.IsObject())
      changed = it->value.RemoveMember(provider_name) || changed;
  if (auto* model = agent_model(*doc)) {
    if (auto it = model->FindMember("primary");
        it != model->MemberEnd() && ours(it->value)) {
      it->value.SetString(fallback_primary, doc->GetAllocator());
      changed = true;
    }
    if (auto it = model->FindMember("fallbacks");
        it != model->MemberEnd() && it->value.IsArray()) {
      auto before = it->value.Size();
      drop_our_fallbacks(it->value);
      changed = changed || it->value.Size() != before;
    }
  }
  return changed ? pretty(*doc) : std::string{};
}

} // namespace oh::http::openclaw
