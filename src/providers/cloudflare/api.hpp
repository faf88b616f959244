#pragma once

// The Cloudflare API v4 calls the tunnel setup needs (SPEC §12): bearer
// token, JSON bodies, the `{success, errors, result, result_info}`
// envelope, and listings followed page by page. Each call runs on the
// gateway's upstream client (I/O threads); `done` runs once, there.

#include <functional>
#include <memory>
#include <string>

#include "core/json.hpp"
#include "providers/upstream_client.hpp"

namespace oh::providers::cloudflare {

struct api_result {
  bool ok = false;
  /// HTTP status; 0 when nothing answered.
  unsigned status = 0;
  /// Cloudflare's first error code and message, or the transport failure.
  int code = 0;
  std::string error;
  /// `result` (for a listing: every item of every page, as one array).
  std::shared_ptr<json::document> result;
};

using api_done = std::function<void(api_result)>;

class api {
public:
  /// `base` is cloudflare.api_base (https://api.cloudflare.com/client/v4).
  api(upstream_client& upstream, std::string base, std::string token)
    : upstream_(upstream), base_(std::move(base)), token_(std::move(token)) {}

  /// One call; `target` is the path and query after the base.
  void call(const std::string& method, const std::string& target,
            const std::string& body, api_done done) const;

  /// A listing followed through `result_info.total_pages` (at most
  /// `max_pages` pages of `per_page`); `query` without page parameters.
  void list(const std::string& path, const std::string& query, api_done done,
            int per_page = 50, int max_pages = 20) const;

private:
  upstream_client& upstream_;
  std::string base_;
  std::string token_;
};

/// A Cloudflare answer body read into an api_result (pure; tested alone).
api_result read_envelope(unsigned status, const std::string& body);

/// Percent-encodes a query value.
std::string query_value(std::string_view text);

} // namespace oh::providers::cloudflare
