#include "providers/price_table.hpp"

#include <stdexcept>

namespace oh::providers {

price_table default_prices() {
  auto table = price_table::parse(embedded_prices_json());
  if (!table)
    throw std::runtime_error("config/prices.json: " + table.error().message);
  return std::move(*table);
}

} // namespace oh::providers
