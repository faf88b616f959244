#include "core/cost.hpp"

#include <algorithm>
#include <cmath>

#include "core/json.hpp"

namespace oh {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

} // namespace

std::string_view strip_date_suffix(std::string_view m) {
  // -YYYYMMDD
  if (m.size() > 9 && m[m.size() - 9] == '-'
      && all_digits(m.substr(m.size() - 8)))
    return m.substr(0, m.size() - 9);
  // -YYYY-MM-DD
  if (m.size() > 11 && m[m.size() - 11] == '-' && m[m.size() - 6] == '-'
      && m[m.size() - 3] == '-' && all_digits(m.substr(m.size() - 10, 4))
      && all_digits(m.substr(m.size() - 5, 2))
      && all_digits(m.substr(m.size() - 2)))
    return m.substr(0, m.size() - 11);
  return m;
}

expected<price_table> price_table::parse(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc)
    return doc.error();
  if (!doc->IsObject() || !doc->HasMember("models")
      || !(*doc)["models"].IsObject())
    return fail(errc::invalid_value, "price table: needs a \"models\" object");
  price_table table;
  if (auto as_of = json::get_string(*doc, "as_of"))
    table.as_of_ = *as_of;
  for (auto& m : (*doc)["models"].GetObject()) {
    if (!m.value.IsObject())
      return fail(errc::invalid_value, std::string{"price table: "}
                                         + m.name.GetString()
                                         + ": must be an object");
    model_price p;
    auto num = [&](const char* field, double& out) -> bool {
      auto* v = json::find(m.value, field);
      if (v == nullptr)
        return true;
      if (!v->IsNumber() || v->GetDouble() < 0)
        return false;
      out = v->GetDouble();
      return true;
    };
    if (!num("input", p.input) || !num("output", p.output)
        || !num("cache_read", p.cache_read)
        || !num("cache_write", p.cache_write))
      return fail(errc::invalid_value,
                  std::string{"price table: "} + m.name.GetString()
                    + ": prices must be non-negative numbers");
    table.prices_.emplace(m.name.GetString(), p);
  }
  return table;
}

std::optional<model_price> price_table::find(std::string_view model) const {
  if (auto it = prices_.find(model); it != prices_.end())
    return it->second;
  auto base = strip_date_suffix(model);
  if (auto it = prices_.find(base); it != prices_.end())
    return it->second;
  const model_price* best = nullptr;
  size_t best_len = 0;
  for (auto& [key, price] : prices_)
    if (model.starts_with(key) && key.size() > best_len) {
      best = &price;
      best_len = key.size();
    }
  if (best != nullptr)
    return *best;
  return std::nullopt;
}

int64_t cost_micros(const model_price& p, const token_usage& u) {
  // USD per million tokens = micro-dollars per token.
  int64_t uncached
    = std::max<int64_t>(0, u.input - u.cache_read - u.cache_write);
  double micros = static_cast<double>(uncached) * p.input
                  + static_cast<double>(u.output) * p.output
                  + static_cast<double>(u.cache_read) * p.cache_read
                  + static_cast<double>(u.cache_write) * p.cache_write;
  return static_cast<int64_t>(std::llround(micros));
}

} // namespace oh
