#pragma once

// Validation of admin request bodies and rendering of admin objects
// (SPEC §9.2). Pure functions over RapidJSON values and store records.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/expected.hpp"
#include "core/json.hpp"
#include "actors/health_board.hpp"
#include "store/api_keys_repo.hpp"
#include "store/records.hpp"

namespace oh::http::admin {

/// absent (nullopt) | null (inner nullopt) | a value.
template<class T>
using patch = std::optional<std::optional<T>>;

/// Reads typed fields of one JSON object and remembers the first failure,
/// which names the field (SPEC §9.2: validation errors name the field).
class fields {
public:
  explicit fields(const json::value& object, std::string prefix = {})
    : obj_(object), prefix_(std::move(prefix)) {}

  patch<std::string> string(const char* name, size_t max_len = 100'000);
  patch<int64_t> integer(const char* name, int64_t min, int64_t max);
  patch<double> number(const char* name, double min, double max);
  /// true/false, and 0/1 as the original's clients send.
  patch<bool> boolean(const char* name);
  patch<std::vector<std::string>> strings(const char* name);
  /// The raw value (nullptr when absent or null).
  const json::value* raw(const char* name);
  bool present(const char* name) const;

  /// Records missing_field unless `name` is present and not null.
  void require(const char* name);
  /// Records invalid_value for any member not in `allowed`.
  void only(std::initializer_list<std::string_view> allowed);
  /// Records a failure for `name` (first one wins).
  void reject(const char* name, errc code, std::string message);

  const std::optional<failure>& error() const {
    return error_;
  }

private:
  std::string path(const char* name) const {
    return prefix_ + name;
  }
  const json::value& obj_;
  std::string prefix_;
  std::optional<failure> error_;
};

/// `{"data": ...}` wrappers.
/// An admin request's body as a JSON object: blank is an empty object;
/// bad JSON (its parse error) or another JSON type is an error.
expected<json::document> body_object(std::string_view body);

std::string wrap_data(const std::string& item_json);
std::string wrap_list(const std::vector<std::string>& items_json);

/// The provider object; live health comes from `cell` when the account's
/// actor published one.
std::string provider_json(const store::provider_record& r,
                          const actors::account_health_cell* cell = nullptr);
std::string soul_json(const store::soul_record& r);
std::string key_json(const store::api_key_record& r,
                     const store::key_spend& spend,
                     const std::string* secret = nullptr);

/// The original's slug rule: lower-case, runs of non [a-z0-9] become '-',
/// leading and trailing '-' trimmed.
std::string slug_from_name(std::string_view name);
bool is_valid_slug(std::string_view slug);

} // namespace oh::http::admin
