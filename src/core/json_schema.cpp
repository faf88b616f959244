#include "core/json_schema.hpp"

#include <cctype>
#include <cmath>

namespace oh::json_schema {

namespace {

bool is_integer(const json::value& v) {
  if (v.IsInt64() || v.IsUint64())
    return true;
  if (!v.IsDouble())
    return false;
  double d = v.GetDouble();
  return std::isfinite(d) && std::floor(d) == d;
}

bool has_type(const json::value& v, std::string_view type) {
  if (type == "null")
    return v.IsNull();
  if (type == "boolean")
    return v.IsBool();
  if (type == "object")
    return v.IsObject();
  if (type == "array")
    return v.IsArray();
  if (type == "string")
    return v.IsString();
  if (type == "number")
    return v.IsNumber();
  if (type == "integer")
    return v.IsNumber() && is_integer(v);
  return false; // an unknown type name matches nothing
}

/// JSON equality for `enum` and `const`: numbers by value (1 == 1.0).
bool equal(const json::value& a, const json::value& b) {
  if (a.IsNumber() && b.IsNumber())
    return a.GetDouble() == b.GetDouble();
  if (a.GetType() != b.GetType())
    return false;
  if (a.IsString())
    return a.GetStringLength() == b.GetStringLength()
           && std::string_view{a.GetString(), a.GetStringLength()}
                == std::string_view{b.GetString(), b.GetStringLength()};
  if (a.IsArray()) {
    if (a.Size() != b.Size())
      return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i)
      if (!equal(a[i], b[i]))
        return false;
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount())
      return false;
    for (auto& m : a.GetObject()) {
      auto it = b.FindMember(m.name);
      if (it == b.MemberEnd() || !equal(m.value, it->value))
        return false;
    }
    return true;
  }
  return a == b; // null, booleans
}

bool type_ok(const json::value& type, const json::value& v) {
  if (type.IsString())
    return has_type(v, {type.GetString(), type.GetStringLength()});
  if (type.IsArray()) {
    for (auto& t : type.GetArray())
      if (t.IsString() && has_type(v, {t.GetString(), t.GetStringLength()}))
        return true;
    return false;
  }
  return true; // not a type keyword we can read: no constraint
}

bool object_ok(const json::value& schema, const json::value& v) {
  const json::value* properties = nullptr;
  if (auto it = schema.FindMember("properties");
      it != schema.MemberEnd() && it->value.IsObject())
    properties = &it->value;
  if (auto it = schema.FindMember("required");
      it != schema.MemberEnd() && it->value.IsArray())
    for (auto& name : it->value.GetArray())
      if (name.IsString() && !v.HasMember(name))
        return false;
  const json::value* additional = nullptr;
  if (auto it = schema.FindMember("additionalProperties");
      it != schema.MemberEnd())
    additional = &it->value;
  for (auto& m : v.GetObject()) {
    const json::value* declared = nullptr;
    if (properties != nullptr)
      if (auto p = properties->FindMember(m.name); p != properties->MemberEnd())
        declared = &p->value;
    if (declared != nullptr) {
      if (!valid(*declared, m.value))
        return false;
    } else if (additional != nullptr && !valid(*additional, m.value)) {
      return false;
    }
  }
  return true;
}

} // namespace

bool valid(const json::value& schema, const json::value& v) {
  if (schema.IsBool())
    return schema.GetBool();
  if (!schema.IsObject())
    return true;
  if (auto it = schema.FindMember("type");
      it != schema.MemberEnd() && !type_ok(it->value, v))
    return false;
  if (auto it = schema.FindMember("const");
      it != schema.MemberEnd() && !equal(it->value, v))
    return false;
  if (auto it = schema.FindMember("enum");
      it != schema.MemberEnd() && it->value.IsArray()) {
    bool found = false;
    for (auto& option : it->value.GetArray())
      found = found || equal(option, v);
    if (!found)
      return false;
  }
  if (v.IsObject() && !object_ok(schema, v))
    return false;
  if (v.IsArray())
    if (auto it = schema.FindMember("items"); it != schema.MemberEnd())
      for (auto& item : v.GetArray())
        if (!valid(it->value, item))
          return false;
  return true;
}

std::optional<bool> check_text(std::string_view schema_json,
                               std::string_view text) {
  auto schema = json::parse(schema_json);
  if (!schema)
    return std::nullopt;
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
      s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
      s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  if (text.empty())
    return std::nullopt;
  if (text.starts_with("```") && text.ends_with("```") && text.size() >= 6) {
    text.remove_suffix(3);
    text.remove_prefix(3);
    if (auto nl = text.find('\n'); nl != std::string_view::npos)
      text.remove_prefix(nl + 1); // the fence's language tag
    text = trim(text);
  }
  auto instance = json::parse(text);
  if (!instance)
    return false;
  return valid(*schema, *instance);
}

} // namespace oh::json_schema
