#pragma once

// Feeds bytes to a Beast basic_parser in pieces, as a socket would, for the
// request and response reader tests.

#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace oh::test {

/// Feeds `wire` in pieces of `step` bytes until the message is done; calls
/// `after_put()` after every put (to collect body pieces). With
/// `eof_at_end`, an unfinished message then sees the end of the stream.
template<class Parser, class AfterPut>
boost::beast::error_code feed(Parser& parser, const std::string& wire,
                              size_t step, AfterPut after_put,
                              bool eof_at_end = false) {
  boost::beast::error_code ec;
  std::string pending;
  for (size_t at = 0; at < wire.size() && !parser.is_done();) {
    pending.append(wire, at, step);
    at += step;
    for (;;) {
      auto used = parser.put(boost::asio::buffer(pending), ec);
      after_put();
      if (ec == boost::beast::http::error::need_more) {
        ec = {};
        break;
      }
      if (ec)
        return ec;
      pending.erase(0, used);
      if (parser.is_done() || used == 0)
        break;
    }
  }
  if (ec)
    return ec;
  if (eof_at_end && !parser.is_done())
    parser.put_eof(ec);
  else if (!parser.is_done())
    ec = boost::beast::http::error::partial_message;
  return ec;
}

} // namespace oh::test
