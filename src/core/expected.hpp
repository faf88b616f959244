#pragma once

#include <utility>
#include <variant>

#include "core/error.hpp"

namespace oh {

/// A value or a failure. core stays free of CAF, so it carries its own
/// small expected type instead of caf::expected.
template<class T>
class expected {
public:
  expected(T value) : data_(std::move(value)) {}
  expected(failure f) : data_(std::move(f)) {}

  explicit operator bool() const noexcept {
    return data_.index() == 0;
  }
  T& operator*() & {
    return std::get<0>(data_);
  }
  const T& operator*() const& {
    return std::get<0>(data_);
  }
  T&& operator*() && {
    return std::get<0>(std::move(data_));
  }
  T* operator->() {
    return &std::get<0>(data_);
  }
  const T* operator->() const {
    return &std::get<0>(data_);
  }
  const failure& error() const {
    return std::get<1>(data_);
  }

private:
  std::variant<T, failure> data_;
};

/// Success or a failure, for operations without a value.
using status = expected<std::monostate>;

inline status ok() {
  return status{std::monostate{}};
}

inline failure fail(errc code, std::string message, std::string field = {}) {
  return failure{code, std::move(message), std::move(field)};
}

} // namespace oh
