#pragma once

// The dashboard's files (web/), compiled into the binary by
// cmake/embed_web.cmake: the gateway never reads its pages from disk.

#include <string_view>
#include <vector>

namespace oh::http::web {

struct asset {
  std::string_view path; // relative to web/: "index.html", "js/app.js"
  std::string_view body;
};

const std::vector<asset>& assets();

} // namespace oh::http::web
