// The server's request reader (http/request_reader.hpp over Beast's
// basic_parser) with the server's limits, then what the server does with
// the head before a handler sees it: the path decoded, the query read, the
// Transfer-Encoding checked.
//
// Input: byte 0 chooses the piece size the bytes arrive in (a socket splits
// anywhere); the rest is the wire. Invariants: the reader never claims more
// bytes than it was offered; the body is never longer than the bytes fed
// and matches Content-Length when the message is complete; field names are
// lower-cased; and reading in pieces gives the same result as reading at
// once.

#include "beast_parser.hpp" // first: how the gateway compiles the parser

#include "fuzz_check.hpp"
#include "http/http_types.hpp"
#include "http/request_reader.hpp"

#include "core/http_head.hpp"

namespace {

using oh::http::request_reader;

// Small limits: the fuzzer reaches them (the server's are 16 KiB / 8 MiB).
constexpr uint32_t header_limit = 2048;
constexpr uint64_t body_limit = 4096;

struct outcome {
  boost::beast::error_code ec;
  bool done = false;
  oh::http_request message;
  size_t consumed = 0;
};

outcome read(std::string_view wire, size_t step) {
  outcome out;
  request_reader r;
  r.header_limit(header_limit);
  r.body_limit(body_limit);
  std::string pending;
  size_t at = 0;
  while (!r.is_done()) {
    if (at < wire.size()) {
      auto piece = wire.substr(at, step);
      pending.append(piece);
      at += piece.size();
    }
    auto used = r.put(boost::asio::buffer(pending), out.ec);
    OH_FUZZ_CHECK(used <= pending.size(), "put() used more than offered");
    out.consumed += used;
    pending.erase(0, used);
    if (out.ec == boost::beast::http::error::need_more) {
      out.ec = {};
      if (at >= wire.size()) {
        // The peer closed; as Beast's read does it (put_eof requires
        // bytes parsed).
        if (r.got_some())
          r.put_eof(out.ec);
        else
          out.ec = boost::beast::http::error::end_of_stream;
        break;
      }
      continue;
    }
    if (out.ec)
      break;
    if (used == 0 && at >= wire.size())
      break;
  }
  OH_FUZZ_CHECK(out.consumed <= wire.size(), "consumed more than fed");
  out.done = r.is_done() && !out.ec;
  if (r.is_header_done() || out.done) {
    if (out.done) {
      if (auto len = r.content_length())
        OH_FUZZ_CHECK(r.message().body.size() == *len,
                      "body size differs from Content-Length");
    }
    out.message = r.release();
  }
  OH_FUZZ_CHECK(out.message.body.size() <= wire.size(),
                "body longer than the input");
  OH_FUZZ_CHECK(out.message.body.size() <= body_limit,
                "body longer than the limit");
  return out;
}

void check_head(const oh::http_request& m) {
  for (auto& [name, value] : m.headers) {
    OH_FUZZ_CHECK(!name.empty(), "empty field name");
    for (char c : name)
      OH_FUZZ_CHECK(!(c >= 'A' && c <= 'Z'), "field name not lower-cased");
    OH_FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos,
                  "CR or LF in a field value");
    if (name == "transfer-encoding")
      (void)oh::http_head::unsupported_transfer_coding(value);
  }
  // As the server's dispatch_request does.
  auto qpos = m.target.find('?');
  std::string_view raw_path = std::string_view{m.target}.substr(0, qpos);
  if (auto path = oh::http::percent_decode(raw_path, false))
    OH_FUZZ_CHECK(path->size() <= raw_path.size(), "decoding grew the path");
  if (qpos != std::string::npos) {
    std::string_view query = std::string_view{m.target}.substr(qpos + 1);
    for (auto* name : {"key", "cursor", "q"})
      if (auto v = oh::http::query_param(query, name))
        OH_FUZZ_CHECK(v->size() <= query.size(), "a parameter grew");
  }
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
  if (whole.done) {
    check_head(whole.message);
    OH_FUZZ_CHECK(whole.message.method == pieces.message.method
                    && whole.message.target == pieces.message.target
                    && whole.message.headers == pieces.message.headers
                    && whole.message.body == pieces.message.body,
                  "pieces change the message");
    OH_FUZZ_CHECK(whole.consumed == pieces.consumed,
                  "pieces change the bytes consumed");
  }
  return 0;
}
