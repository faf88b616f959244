// json::parse (core/json.cpp), the one reader of every JSON document the
// gateway takes in (SPEC §3 limits), and the two writers of text from
// outside: append_quoted and sanitize_utf8.
//
// Invariants: a parse succeeds or fails with an invalid_json failure that
// names an offset within the input; what parsed writes back out as JSON
// that parses to the same value (a round trip), within the depth limit;
// quoting any bytes gives one JSON string of valid UTF-8 whose value is the
// sanitized text.

#include <cmath>

#include "fuzz_check.hpp"

namespace {

int depth_of(const oh::json::value& v) {
  int deepest = 0;
  if (v.IsArray())
    for (auto& item : v.GetArray())
      deepest = std::max(deepest, depth_of(item));
  else if (v.IsObject())
    for (auto& m : v.GetObject())
      deepest = std::max(deepest, depth_of(m.value));
  else
    return 0;
  return deepest + 1;
}

/// Equal values, doubles within a few units in the last place: RapidJSON's
/// default (not full-precision) number parsing may be off by up to 3 ULP.
bool same(const oh::json::value& a, const oh::json::value& b) {
  if (a.IsDouble() || b.IsDouble()) {
    if (!a.IsNumber() || !b.IsNumber())
      return false;
    double x = a.GetDouble(), y = b.GetDouble();
    return x == y || std::fabs(x - y) <= 1e-14 * std::max(std::fabs(x), 1.0);
  }
  if (a.GetType() != b.GetType())
    return false;
  if (a.IsArray()) {
    if (a.Size() != b.Size())
      return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i)
      if (!same(a[i], b[i]))
        return false;
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount())
      return false;
    for (auto& m : a.GetObject()) {
      auto it = b.FindMember(m.name);
      if (it == b.MemberEnd() || !same(m.value, it->value))
        return false;
    }
    return true;
  }
  return a == b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace oh;
  auto text = fuzz::as_text(data, size);

  auto doc = json::parse(text);
  if (!doc) {
    OH_FUZZ_CHECK(doc.error().code == errc::invalid_json, doc.error().message);
    fuzz::check_failure(doc.error());
  } else {
    OH_FUZZ_CHECK(depth_of(*doc) <= json::max_depth, "nested past the limit");
    auto written = json::to_string(*doc);
    fuzz::check_json_text(written, "written back");
    auto again = json::parse(written);
    OH_FUZZ_CHECK(again && same(*again, *doc),
                  "round trip changed the value:\n" + written);
  }

  std::string quoted;
  json::append_quoted(quoted, text);
  auto sanitized = json::sanitize_utf8(text);
  OH_FUZZ_CHECK(json::valid_utf8(sanitized), "sanitize_utf8 left bad bytes");
  auto as_string = json::parse(quoted);
  OH_FUZZ_CHECK(as_string && as_string->IsString(), quoted);
  std::string_view value{as_string->GetString(), as_string->GetStringLength()};
  OH_FUZZ_CHECK(json::valid_utf8(value), quoted);
  OH_FUZZ_CHECK(value == sanitized, "quoting and sanitizing disagree");
  return 0;
}
