#pragma once

// The per-model price table and cost arithmetic in integer micro-dollars
// (SPEC §8). Pure: the table is parsed from JSON text.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/expected.hpp"

namespace oh {

/// USD per million tokens.
struct model_price {
  double input = 0;
  double output = 0;
  double cache_read = 0;
  double cache_write = 0;
};

struct token_usage {
  int64_t input = 0; // all prompt tokens, cache reads and writes included
  int64_t output = 0;
  int64_t cache_read = 0;
  int64_t cache_write = 0;
  int64_t reasoning = 0; // part of output, reported separately
};

class price_table {
public:
  /// Parses `{"as_of":"YYYY-MM-DD","models":{"<id>":{"input":..,...}}}`.
  static expected<price_table> parse(std::string_view json_text);

  /// Exact id; else without a date suffix (`-20251001`, `-2024-08-06`); else
  /// the longest key that is a prefix of the id; else nothing.
  std::optional<model_price> find(std::string_view model) const;

  const std::string& as_of() const {
    return as_of_;
  }
  size_t size() const {
    return prices_.size();
  }

private:
  std::string as_of_;
  std::map<std::string, model_price, std::less<>> prices_;
};

/// Cost of `usage` at `price`, rounded to the nearest micro-dollar.
int64_t cost_micros(const model_price& price, const token_usage& usage);

/// `model` without a trailing date suffix, or unchanged.
std::string_view strip_date_suffix(std::string_view model);

} // namespace oh
