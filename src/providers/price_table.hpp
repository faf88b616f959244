#pragma once

// The price table shipped in config/prices.json, compiled into the binary.

#include <string_view>

#include "core/cost.hpp"

namespace oh {
std::string_view embedded_prices_json();
}

namespace oh::providers {

/// The embedded table; a broken file fails the build's tests, not a start.
price_table default_prices();

} // namespace oh::providers
