#pragma once

// Cost reports over UTC days (SPEC §8): the original's daily report and
// by-soul report in their shapes, and reports by key, account and model.

#include <string>

#include "store/database.hpp"

namespace oh::store {

/// A range of UTC days, `from` and `to` inclusive, as `YYYY-MM-DD`.
struct day_range {
  std::string from;
  std::string to;
};

/// `{"data":[{date, requests, input_tokens, output_tokens, cost_cents,
/// cost_micros}]}`, newest day first (from usage_daily).
std::string cost_by_day(database& db, const day_range& days);

/// `{"data":[{soul_id, soul_name, slug, requests, cost_cents, cost_micros}]}`,
/// most expensive first; traffic without a soul is left out, as the original
/// did (from usage_daily).
std::string cost_by_soul(database& db, const day_range& days);

/// What a report groups by: each row has `requests`, `errors`,
/// `input_tokens`, `output_tokens`, `cache_read_tokens`,
/// `cache_write_tokens`, `reasoning_tokens`, `cost_micros`, `cost_cents`
/// and its group's id and name; most expensive first (from usage_daily,
/// the writer's rollup per day, key, soul, account and model).
enum class cost_group { key, provider, model };
std::string cost_by(database& db, cost_group group, const day_range& days);

} // namespace oh::store
