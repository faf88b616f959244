#pragma once

// Reads an upstream's HTTP/1.1 response head into a header_list with
// lower-case names and hands its body over in the pieces each read parsed.
// Beast's response_parser kept every field in a basic_fields node (an
// allocation each) that the exchange copied again, and its buffer_body
// needed a 16 KiB buffer inside every exchange; this parser gives Beast's
// tokenizer our own storage instead. Limits and framing (length, chunked,
// until close) stay Beast's (basic_parser).

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "core/http_message.hpp"
#include "providers/upstream_client.hpp"

namespace oh::providers {

class response_reader final : public boost::beast::http::basic_parser<false> {
public:
  using error_code = boost::beast::error_code;
  // Beast's own view type (boost::core::string_view in Boost 1.81): the
  // overrides must match its signatures exactly.
  using view = boost::beast::string_view;

  unsigned status() const noexcept {
    return status_;
  }
  /// Header fields with lower-case names, in arrival order.
  const header_list& headers() const noexcept {
    return headers_;
  }
  /// Body bytes parsed since the last clear_body().
  std::string_view body() const noexcept {
    return body_;
  }
  void clear_body() noexcept {
    body_.clear(); // keeps the capacity for the next read
  }

private:
  void on_request_impl(boost::beast::http::verb, view, view, int,
                       error_code& ec) override {
    ec = boost::beast::http::error::bad_method; // responses only
  }

  void on_response_impl(int code, view, int, error_code&) override {
    status_ = static_cast<unsigned>(code);
  }

  void on_field_impl(boost::beast::http::field, view name, view value,
                     error_code&) override {
    if (headers_.empty())
      headers_.reserve(12);
    auto& [lower, text] = headers_.emplace_back();
    assign_lower(lower, std::string_view{name.data(), name.size()});
    text.assign(value.data(), value.size());
  }

  void on_header_impl(error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>&,
                         error_code&) override {}

  std::size_t on_body_impl(view bytes, error_code&) override {
    body_.append(bytes.data(), bytes.size());
    return bytes.size();
  }

  void on_chunk_header_impl(std::uint64_t, view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, view bytes,
                                 error_code&) override {
    body_.append(bytes.data(), bytes.size());
    return bytes.size();
  }

  void on_finish_impl(error_code&) override {}

  unsigned status_ = 0;
  header_list headers_;
  std::string body_;
};

} // namespace oh::providers
