#include "core/json.hpp"

#include <rapidjson/error/en.h>

namespace oh::json {

expected<document> parse(std::string_view text) {
  // RapidJSON stops at a NUL byte; refusing it keeps "{..}\0junk" from
  // being read as a shorter document.
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    return fail(errc::invalid_json, "invalid JSON at offset "
                                      + std::to_string(nul)
                                      + ": NUL byte in the text");
  document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError())
    return fail(errc::invalid_json,
                std::string{"invalid JSON at offset "}
                  + std::to_string(doc.GetErrorOffset()) + ": "
                  + rapidjson::GetParseError_En(doc.GetParseError()));
  return doc;
}

void append_quoted(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

std::string to_string(const value& v) {
  rapidjson::StringBuffer buf;
  writer w{buf};
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

const value* find(const value& object, const char* name) {
  if (!object.IsObject())
    return nullptr;
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull())
    return nullptr;
  return &it->value;
}

std::optional<std::string> get_string(const value& object, const char* name) {
  auto* v = find(object, name);
  if (v == nullptr || !v->IsString())
    return std::nullopt;
  return std::string{v->GetString(), v->GetStringLength()};
}

int64_t get_int64(const value& object, const char* name, int64_t fallback) {
  auto* v = find(object, name);
  return v != nullptr && v->IsInt64() ? v->GetInt64() : fallback;
}

const char* type_name(const value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    default:
      return "a number";
  }
}

} // namespace oh::json
