#include "core/http_message.hpp"

namespace oh {

std::optional<std::string_view>
http_request::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (k == name)
      return std::string_view{v};
  return std::nullopt;
}

} // namespace oh
