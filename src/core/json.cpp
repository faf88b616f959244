#include "core/json.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace oh::json {

namespace {

/// Length of the valid UTF-8 sequence at the start of `s` (1-4), or 0 when
/// it is not one: overlong forms, surrogates, code points past U+10FFFF and
/// cut sequences all count as invalid (RFC 3629 table 3).
size_t utf8_sequence(const unsigned char* s, size_t n) noexcept {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  auto cont = [&](size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i < n && s[i] >= lo && s[i] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF)
    return cont(1) ? 2 : 0;
  if (c == 0xE0)
    return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
    return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) // U+D000-D7FF only: ED A0-BF would be a surrogate
    return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0)
    return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3)
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4)
    return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/// Index of the first byte of an invalid sequence, or npos.
size_t first_invalid_utf8(std::string_view text) noexcept {
  auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // ASCII runs, eight bytes at a time: most text is ASCII.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ULL) != 0)
        break;
      i += 8;
    }
    if (i >= n)
      break;
    auto len = utf8_sequence(s + i, n - i);
    if (len == 0)
      return i;
    i += len;
  }
  return std::string_view::npos;
}

/// What went wrong while reading, in the words of the error message.
struct guard_failure {
  enum class kind { none, depth, duplicate, encoding } what = kind::none;
  std::string member;
};

/// The checks the SAX stream passes before it reaches the document. Member
/// names of the open objects live in one arena used as a stack, so a parse
/// allocates nothing here once the thread's arena has grown.
struct guard_state {
  parse_options options;
  int depth = 0;
  guard_failure failure;
  std::string names;               // every open object's member names
  std::vector<uint32_t> name_ends; // end offset of each name in `names`
  std::vector<uint32_t> frames;    // first name index of each open object

  void reset(const parse_options& o) {
    options = o;
    depth = 0;
    failure = {};
    names.clear();
    name_ends.clear();
    frames.clear();
  }

  bool enter() {
    if (++depth > options.max_depth) {
      failure.what = guard_failure::kind::depth;
      return false;
    }
    return true;
  }

  bool text(const char* s, size_t n) {
    if (first_invalid_utf8({s, n}) == std::string_view::npos)
      return true;
    failure.what = guard_failure::kind::encoding;
    return false;
  }

  std::string_view name(size_t i) const {
    size_t begin = i == 0 ? 0 : name_ends[i - 1];
    return std::string_view{names}.substr(begin, name_ends[i] - begin);
  }

  /// The object ends: its member names must differ.
  bool close_object() {
    size_t first = frames.back();
    size_t count = name_ends.size() - first;
    bool unique = true;
    if (count <= 16) {
      for (size_t i = first; i < name_ends.size() && unique; ++i)
        for (size_t j = i + 1; j < name_ends.size(); ++j)
          if (name(i) == name(j)) {
            failure.member = name(i);
            unique = false;
            break;
          }
    } else {
      std::vector<std::string_view> sorted;
      sorted.reserve(count);
      for (size_t i = first; i < name_ends.size(); ++i)
        sorted.push_back(name(i));
      std::sort(sorted.begin(), sorted.end());
      for (size_t i = 1; i < sorted.size(); ++i)
        if (sorted[i] == sorted[i - 1]) {
          failure.member = sorted[i];
          unique = false;
          break;
        }
    }
    if (!unique) {
      failure.what = guard_failure::kind::duplicate;
      return false;
    }
    names.resize(first == 0 ? 0 : name_ends[first - 1]);
    name_ends.resize(first);
    frames.pop_back();
    return true;
  }
};

/// Forwards SAX events to the document after the guard has seen them.
template<class Handler>
struct guarded {
  Handler& out;
  guard_state& g;
  using Ch = char;
  using SizeType = rapidjson::SizeType;

  bool Null() {
    return out.Null();
  }
  bool Bool(bool b) {
    return out.Bool(b);
  }
  bool Int(int i) {
    return out.Int(i);
  }
  bool Uint(unsigned i) {
    return out.Uint(i);
  }
  bool Int64(int64_t i) {
    return out.Int64(i);
  }
  bool Uint64(uint64_t i) {
    return out.Uint64(i);
  }
  bool Double(double d) {
    return out.Double(d);
  }
  bool RawNumber(const Ch* s, SizeType n, bool copy) {
    return out.RawNumber(s, n, copy);
  }
  bool String(const Ch* s, SizeType n, bool copy) {
    return g.text(s, n) && out.String(s, n, copy);
  }
  bool Key(const Ch* s, SizeType n, bool copy) {
    if (!g.text(s, n))
      return false;
    if (g.options.reject_duplicates) {
      g.names.append(s, n);
      g.name_ends.push_back(static_cast<uint32_t>(g.names.size()));
    }
    return out.Key(s, n, copy);
  }
  bool StartObject() {
    if (!g.enter())
      return false;
    if (g.options.reject_duplicates)
      g.frames.push_back(static_cast<uint32_t>(g.name_ends.size()));
    return out.StartObject();
  }
  bool EndObject(SizeType members) {
    --g.depth;
    if (g.options.reject_duplicates && !g.close_object())
      return false;
    return out.EndObject(members);
  }
  bool StartArray() {
    return g.enter() && out.StartArray();
  }
  bool EndArray(SizeType elements) {
    --g.depth;
    return out.EndArray(elements);
  }
};

failure parse_failure(size_t offset, std::string why) {
  return fail(errc::invalid_json, "invalid JSON at offset "
                                    + std::to_string(offset) + ": "
                                    + std::move(why));
}

} // namespace

bool valid_utf8(std::string_view text) noexcept {
  return first_invalid_utf8(text) == std::string_view::npos;
}

std::string sanitize_utf8(std::string_view text) {
  auto bad = first_invalid_utf8(text);
  if (bad == std::string_view::npos)
    return std::string{text};
  std::string out{text.substr(0, bad)};
  auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = bad;
  while (i < text.size()) {
    auto len = utf8_sequence(s + i, text.size() - i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

expected<document> parse(std::string_view text, parse_options options) {
  // RapidJSON stops at a NUL byte; refusing it keeps "{..}\0junk" from
  // being read as a shorter document.
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    return parse_failure(nul, "NUL byte in the text");
  thread_local guard_state guard;
  guard.reset(options);
  document doc;
  // A whole UTF-8 byte-order mark may come first (RFC 8259 §8.1), nothing
  // less: RapidJSON's UTF-8 input stream skipped each of its three bytes on
  // its own, so "\xBB{...}" parsed and a relay forwarded the stray byte to
  // a client (found by test/fuzz).
  size_t skipped = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  rapidjson::MemoryStream in{text.data() + skipped, text.size() - skipped};
  rapidjson::ParseResult result;
  auto generate = [&](auto& handler) {
    rapidjson::Reader reader;
    guarded<std::remove_reference_t<decltype(handler)>> sax{handler, guard};
    result = reader.Parse<rapidjson::kParseDefaultFlags>(in, sax);
    return !result.IsError();
  };
  doc.Populate(generate);
  if (!result.IsError())
    return doc;
  size_t offset = result.Offset() + skipped;
  switch (guard.failure.what) {
    case guard_failure::kind::depth:
      return parse_failure(offset, "nesting deeper than "
                                     + std::to_string(options.max_depth)
                                     + " levels");
    case guard_failure::kind::duplicate: {
      std::string member;
      append_quoted(member, guard.failure.member);
      return fail(errc::invalid_json,
                  "invalid JSON: duplicate member " + member + " in one object",
                  guard.failure.member);
    }
    case guard_failure::kind::encoding:
      return parse_failure(offset,
                           "a string is not valid UTF-8 (or holds a lone "
                           "surrogate)");
    case guard_failure::kind::none:
      break;
  }
  return parse_failure(offset, rapidjson::GetParseError_En(result.Code()));
}

void append_quoted(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  out.push_back('"');
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = s[i];
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
        } else if (c < 0x80) {
          out.push_back(static_cast<char>(c));
        } else if (auto len = utf8_sequence(s + i, n - i); len > 0) {
          out.append(text.substr(i, len));
          i += len - 1;
        } else {
          // Bytes from outside that are not UTF-8 never reach an answer.
          out += "\\ufffd";
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
