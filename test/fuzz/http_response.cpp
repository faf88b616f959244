// The upstream response reader (providers/response_reader.hpp over Beast's
// basic_parser): status, lower-cased fields, and a body handed over in the
// pieces each read parsed (length, chunked, or until the connection
// closes), as the upstream client drives it.
//
// Input: byte 0 chooses the piece size; the rest is what the upstream
// sent. Invariants: never more bytes claimed than offered; the pieces of
// body add up to no more than was fed, and to Content-Length when the
// message completes with a status that has a body; reading in pieces gives the
// same status, fields and body as reading at once.

#include "beast_parser.hpp" // first: how the gateway compiles the parser

#include "core/http_head.hpp"
#include "fuzz_check.hpp"
#include "providers/response_reader.hpp"

namespace {

using oh::http_head::has_body;
using oh::providers::response_reader;

constexpr uint32_t header_limit = 2048;
constexpr uint64_t body_limit = 8192;

struct outcome {
  boost::beast::error_code ec;
  bool done = false;
  unsigned status = 0;
  oh::providers::header_list headers;
  std::string body;
};

outcome read(std::string_view wire, size_t step) {
  outcome out;
  response_reader r;
  r.header_limit(header_limit);
  r.body_limit(body_limit);
  std::string pending;
  size_t at = 0;
  size_t consumed = 0;
  while (!r.is_done()) {
    if (at < wire.size()) {
      auto piece = wire.substr(at, step);
      pending.append(piece);
      at += piece.size();
    }
    auto used = r.put(boost::asio::buffer(pending), out.ec);
    OH_FUZZ_CHECK(used <= pending.size(), "put() used more than offered");
    consumed += used;
    pending.erase(0, used);
    // The client moves each read's body on before the next read.
    out.body.append(r.body());
    r.clear_body();
    if (out.ec == boost::beast::http::error::need_more) {
      out.ec = {};
      if (at >= wire.size()) {
        // The upstream closed; as Beast's read does it (put_eof
        // requires bytes parsed).
        if (r.got_some())
          r.put_eof(out.ec);
        else
          out.ec = boost::beast::http::error::end_of_stream;
        out.body.append(r.body());
        r.clear_body();
        break;
      }
      continue;
    }
    if (out.ec)
      break;
    if (used == 0 && at >= wire.size())
      break;
  }
  OH_FUZZ_CHECK(consumed <= wire.size(), "consumed more than fed");
  OH_FUZZ_CHECK(out.body.size() <= consumed, "more body than bytes read");
  out.done = r.is_done() && !out.ec;
  if (out.done) {
    // 1xx, 204 and 304 carry no body whatever Content-Length says.
    if (auto len = r.content_length(); len && has_body(r.status()))
      OH_FUZZ_CHECK(out.body.size() == *len,
                    "body size differs from Content-Length");
    out.status = r.status();
    out.headers = r.headers();
    for (auto& [name, value] : out.headers)
      for (char c : name)
        OH_FUZZ_CHECK(!(c >= 'A' && c <= 'Z'), "field name not lower-cased");
  }
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  size_t step = data[0] % 16 + 1;
  auto wire = oh::fuzz::as_text(data + 1, size - 1);
  auto whole = read(wire, wire.size() + 1);
  auto pieces = read(wire, step);
  // Beast measures the header limit from the first unparsed byte, so a
  // start line parsed by an earlier read does not count: near the limit,
  // pieces may pass where the whole fails (by one start line at most).
  if (whole.ec == boost::beast::http::error::header_limit
      || pieces.ec == boost::beast::http::error::header_limit)
    return 0;
  OH_FUZZ_CHECK(whole.done == pieces.done, "pieces change completion");
  if (whole.done)
    OH_FUZZ_CHECK(whole.status == pieces.status
                    && whole.headers == pieces.headers
                    && whole.body == pieces.body,
                  "pieces change the message");
  return 0;
}
