// The admin API's body reader and typed field readers
// (http/handlers/admin_json.cpp), as the provider, soul, key and settings
// handlers use them, and the slug rule applied to names.
//
// Invariants: a body is an object or a refusal that renders as clean JSON;
// a field that reads is within the bounds asked for (strings within their
// length and valid UTF-8, integers and numbers within their range and
// finite); the first failure names its field; a slug made from any name is
// lower-case letters, digits and single inner dashes.

#include <cmath>

#include "fuzz_check.hpp"
#include "http/handlers/admin_json.hpp"

namespace {

using oh::http::admin::fields;

void check_slug(std::string_view name) {
  auto slug = oh::http::admin::slug_from_name(name);
  if (slug.empty())
    return;
  OH_FUZZ_CHECK(slug.front() != '-' && slug.back() != '-', slug);
  OH_FUZZ_CHECK(slug.find("--") == std::string::npos, slug);
  for (char c : slug)
    OH_FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-',
                  slug);
  if (slug.size() <= 64)
    OH_FUZZ_CHECK(oh::http::admin::is_valid_slug(slug), slug);
}

/// Reads what the handlers read, from `obj` (depth bounds the recursion
/// into nested objects, as `config` and `credentials` are read).
void read_fields(const oh::json::value& obj, std::string prefix, int depth) {
  fields f{obj, prefix};
  if (auto v = f.string("name", 200); v && *v) {
    OH_FUZZ_CHECK((*v)->size() <= 200, "string past its length");
    OH_FUZZ_CHECK(oh::json::valid_utf8(**v), "string not UTF-8");
    check_slug(**v);
  }
  if (auto v = f.integer("rate_limit_rpm", 0, 1'000'000); v && *v)
    OH_FUZZ_CHECK(**v >= 0 && **v <= 1'000'000, "integer out of range");
  if (auto v = f.integer("priority", -1000, 1000); v && *v)
    OH_FUZZ_CHECK(**v >= -1000 && **v <= 1000, "integer out of range");
  if (auto v = f.number("temperature", 0, 2); v && *v)
    OH_FUZZ_CHECK(std::isfinite(**v) && **v >= 0 && **v <= 2,
                  "number out of range");
  if (auto v = f.number("budget_usd", 0, 1e9); v && *v)
    OH_FUZZ_CHECK(std::isfinite(**v) && **v >= 0 && **v <= 1e9,
                  "number out of range");
  (void)f.boolean("enabled");
  if (auto v = f.strings("souls"); v && *v)
    for (auto& s : **v)
      OH_FUZZ_CHECK(oh::json::valid_utf8(s), "strings not UTF-8");
  (void)f.raw("config");
  (void)f.present("credentials");
  f.require("type");
  f.only({"name", "type", "rate_limit_rpm", "priority", "temperature",
          "budget_usd", "enabled", "souls", "config", "credentials"});
  if (auto& err = f.error()) {
    oh::fuzz::check_failure(*err);
    OH_FUZZ_CHECK(err->message.starts_with(err->field),
                  "a field failure that does not name its field");
  }
  if (depth < 2)
    for (auto* nested : {"config", "credentials"})
      if (auto* v = oh::json::find(obj, nested); v && v->IsObject())
        read_fields(*v, prefix + nested + ".", depth + 1);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = oh::fuzz::as_text(data, size);
  auto body = oh::http::admin::body_object(text);
  if (!body) {
    oh::fuzz::check_failure(body.error());
    return 0;
  }
  OH_FUZZ_CHECK(body->IsObject(), "body_object gave a non-object");
  read_fields(*body, "", 0);
  return 0;
}
