#pragma once

// Reading flag values into what the admin API takes, with the usage error
// a person needs when a value is wrong, and building request bodies.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command_spec.hpp"

namespace oh::cli {

/// An integer flag within [min, max], or nothing when absent.
std::optional<int64_t> integer_flag(const invocation& in, std::string_view name,
                                    int64_t min, int64_t max);

/// A decimal flag (--temperature) within [min, max].
std::optional<double> number_flag(const invocation& in, std::string_view name,
                                  double min, double max);

/// Dollars ("5", "2.50", "$10") as cents; "0" means no limit.
std::optional<int64_t> dollars_flag(const invocation& in,
                                    std::string_view name);

/// "2027-01-31", an ISO-8601 time, or a span from now ("30d", "12h",
/// "90m"); "never" or "" is an empty string (clears it). `now_ms` is the
/// wall clock, passed in so tests can pin it.
std::optional<std::string> expiry_flag(const invocation& in,
                                       std::string_view name, int64_t now_ms);

class body_builder;

/// --enable / --disable (and --disabled at creation) as `is_enabled`;
/// both at once is a usage error.
void enabled_flags(const invocation& in, body_builder& b);

/// "a,b, c" → {"a","b","c"}; empty items dropped.
std::vector<std::string> split_list(std::string_view text);

/// A file's text for --system-prompt-file and --schema-file.
std::string read_text_file(const std::string& path, std::string_view flag);

/// A JSON object built member by member (values escaped).
class body_builder {
public:
  body_builder& text(std::string_view name, std::string_view value);
  body_builder& integer(std::string_view name, int64_t value);
  body_builder& number(std::string_view name, double value);
  body_builder& boolean(std::string_view name, bool value);
  body_builder& null(std::string_view name);
  /// `json` must already be valid JSON.
  body_builder& raw(std::string_view name, std::string_view json);
  body_builder& strings(std::string_view name,
                        const std::vector<std::string>& values);
  bool empty() const {
    return members_ == 0;
  }
  std::string str() const {
    return out_ + "}";
  }

private:
  void key(std::string_view name);
  std::string out_ = "{";
  int members_ = 0;
};

} // namespace oh::cli
