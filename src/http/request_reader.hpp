#pragma once

// Reads one HTTP/1.1 request straight into an http_request. Beast's
// request_parser<string_body> keeps every field in a basic_fields node (an
// allocation each) that the session then copied again into lower-cased
// strings; this parser hands Beast's tokenizer our own storage instead, so a
// request's head costs one string per field that does not fit in place.
// Limits, chunked framing and keep-alive stay Beast's (basic_parser).

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include "core/http_message.hpp"

namespace oh::http {

class request_reader final : public boost::beast::http::basic_parser<true> {
public:
  using error_code = boost::beast::error_code;
  using verb = boost::beast::http::verb;
  // Beast's own view type (boost::core::string_view in Boost 1.81): the
  // overrides must match its signatures exactly.
  using view = boost::beast::string_view;

  verb method() const noexcept {
    return method_;
  }
  /// The request line's target as sent ("" until it is parsed).
  std::string_view target() const noexcept {
    return message_.target;
  }
  /// HTTP version as 10 or 11.
  int version() const noexcept {
    return version_;
  }
  /// The message read so far (head fields once the header is done).
  const http_request& message() const noexcept {
    return message_;
  }
  /// Method, target, lower-cased header fields and body so far; the reader
  /// is spent afterwards.
  http_request release() {
    return std::move(message_);
  }

private:
  void on_request_impl(verb method, view method_text, view target, int version,
                       error_code&) override {
    method_ = method;
    version_ = version;
    message_.method.assign(method_text.data(), method_text.size());
    message_.target.assign(target.data(), target.size());
  }

  void on_response_impl(int, view, int, error_code& ec) override {
    ec = boost::beast::http::error::bad_version; // requests only
  }

  void on_field_impl(boost::beast::http::field, view name, view value,
                     error_code&) override {
    if (message_.headers.empty())
      message_.headers.reserve(12);
    auto& [lower, text] = message_.headers.emplace_back();
    assign_lower(lower, std::string_view{name.data(), name.size()});
    text.assign(value.data(), value.size());
  }

  void on_header_impl(error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         error_code&) override {
    // Beast has already checked the length against body_limit().
    if (length)
      message_.body.reserve(static_cast<size_t>(*length));
  }

  std::size_t on_body_impl(view bytes, error_code&) override {
    message_.body.append(bytes.data(), bytes.size());
    return bytes.size();
  }

  void on_chunk_header_impl(std::uint64_t, view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, view bytes,
                                 error_code&) override {
    message_.body.append(bytes.data(), bytes.size());
    return bytes.size();
  }

  void on_finish_impl(error_code&) override {}

  verb method_ = verb::unknown;
  int version_ = 11;
  http_request message_;
};

} // namespace oh::http
