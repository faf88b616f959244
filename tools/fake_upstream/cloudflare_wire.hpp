#pragma once

// Cloudflare API v4's wire details for the fake (cloudflare.hpp): the
// response envelope, `result_info` paging, error bodies, and the id and
// time formats the real API uses, so every route builds them one way.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cloudflare.hpp"

namespace fake::cloudflare::wire {

/// A JSON string literal.
std::string q(std::string_view text);

struct error {
  int64_t code;
  std::string message;
  std::vector<error> chain; // Cloudflare's `error_chain` (header errors)
};

/// `{"success":true,"errors":[],"messages":[],"result":<result>}` plus
/// `result_info` when given (a listing).
reply ok(std::string result, std::string result_info = {},
         unsigned status = 200, std::string messages = "[]");
/// `{"success":false,"errors":[...],"messages":[],"result":null}`.
reply fail(unsigned status, std::vector<error> errors);
inline reply fail(unsigned status, int64_t code, std::string message) {
  return fail(status, {{code, std::move(message), {}}});
}

/// One page of a listing: `page` and `per_page` from the query (defaults
/// and maximum per endpoint, as Cloudflare's), clamped the way the real
/// API clamps rather than refused.
struct page {
  int64_t number = 1;
  int64_t per_page = 20;
  int64_t total = 0;
  size_t first = 0;         // index of the first item on this page
  size_t count = 0;         // items on this page
  std::string info() const; // the `result_info` object
};
page paginate(const std::map<std::string, std::string>& query, size_t total,
              int64_t default_per_page, int64_t max_per_page);

/// Now as Cloudflare writes it: `2025-02-18T22:41:43.534395Z`.
std::string now();
/// 32 lower-case hex characters (zone, account, record ids).
std::string hex_id();
/// A random RFC 4122 version 4 UUID (tunnel and connection ids).
std::string uuid();
/// Standard base64 with padding (tunnel secrets and tokens).
std::string base64(std::string_view raw);
/// Whether `id` looks like a Cloudflare tag (32 hex) / a UUID: the real API
/// routes on the shape before it looks anything up.
bool is_tag(std::string_view id);
bool is_uuid(std::string_view id);

} // namespace fake::cloudflare::wire
