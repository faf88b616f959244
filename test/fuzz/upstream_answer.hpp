#pragma once

// What the gateway does with an upstream's answer (SPEC §10): a stream
// goes through the SSE (or NDJSON) parser and the stream translator for the
// client's dialect; a whole answer through read_answer and render_answer.
// Shared by the per-vendor targets, which differ in the account type.
//
// Input: byte 0 holds options (client dialect, include_usage, a soul with
// a response schema, a subscription account, whole answer or stream), byte
// 1 where the stream is cut in two; the rest is what the upstream sent.
//
// Invariants: every client event is a JSON object (or OpenAI's final
// [DONE]), the stream ends on an event boundary and is valid UTF-8; the
// output is the same wherever the upstream's bytes were cut; a whole answer
// renders as a clean JSON object; facts read for the log are clean text
// and token counts within bounds; every failure renders as clean JSON.

#include "fuzz_check.hpp"
#include "providers/translation.hpp"

namespace oh::fuzz {

/// Whether the account is a subscription (docs/subscriptions.md).
enum class subscription { never, by_option, always };

struct upstream_case {
  providers::call_input in;
  json::document body;
  http_request http;
  providers::soul_edits soul;
  bool whole = false;
  size_t cut = 0;
  std::string_view payload;
};

inline void setup(upstream_case& c, const char* account_type, subscription sub,
                  const uint8_t* data, size_t size) {
  uint8_t opts = data[0];
  c.payload = as_text(data + 2, size - 2);
  c.cut = c.payload.empty() ? 0 : data[1] % (c.payload.size() + 1);
  c.whole = opts & 0x10;
  auto& in = c.in;
  in.client = opts & 0x01 ? dialect::anthropic : dialect::openai;
  in.stream = !c.whole;
  in.include_usage = opts & 0x02;
  in.account_type = account_type;
  in.subscription = sub == subscription::always
                    || (sub == subscription::by_option && (opts & 0x08));
  in.api_key = in.subscription ? "" : "key";
  in.access_token = in.subscription ? "token" : "";
  in.base_url = "http://up";
  in.model = "m";
  in.request_id = "req1";
  in.created = 1'700'000'000;
  c.body.Parse(
    in.client == dialect::anthropic
      ? R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})"
      : R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  in.body = &c.body;
  in.http = &c.http;
  if (opts & 0x04) {
    c.soul.response_schema
      = R"({"type":"object","properties":{"a":{"type":"string"}}})";
    in.soul = &c.soul;
  }
}

/// Token counts as the log and the cost see them: never negative, never
/// near overflowing a sum (providers::token_count bounds each one read).
inline void check_usage(const token_usage& u) {
  for (int64_t n :
       {u.input, u.output, u.cache_read, u.cache_write, u.reasoning})
    OH_FUZZ_CHECK(n >= 0 && n <= 4 * providers::max_token_count,
                  "token count out of bounds: " + std::to_string(n));
}

inline void check_facts(const providers::stream_translator& t) {
  OH_FUZZ_CHECK(json::valid_utf8(t.model()), "model for the log");
  OH_FUZZ_CHECK(json::valid_utf8(t.finish_reason()), "finish reason");
  check_usage(t.usage());
}

/// The client's bytes for the upstream's stream cut at `cut`.
inline std::string translate(const upstream_case& c, size_t cut) {
  using namespace providers;
  auto translator = make_stream_translator(c.in);
  auto call = prepare_call(c.in);
  OH_FUZZ_CHECK(call, "the fixed client body was refused");
  bool ndjson = call->frame == framing::ndjson;
  sse_parser sse;
  ndjson_reader lines;
  // The exchange's per-event limit, small enough to be reached.
  sse.set_limit(16 * 1024);
  lines.set_limit(16 * 1024);
  std::string out;
  std::optional<std::string> error;
  auto on_event = [&](sse_event& ev) {
    if (error)
      return;
    auto step = translator->on_event(ev);
    if (step.error)
      error = step.error;
    else
      out += step.bytes;
  };
  for (auto piece : {c.payload.substr(0, cut), c.payload.substr(cut)}) {
    if (ndjson)
      lines.feed(piece, on_event);
    else
      sse.feed(piece, on_event);
  }
  if (ndjson)
    lines.finish(on_event);
  else
    sse.finish(on_event);
  if (sse.overflowed() || lines.overflowed())
    error = "an event exceeds the limit";
  if (!error) {
    auto last = translator->on_end();
    if (last.error)
      error = last.error;
    else
      out += last.bytes;
  }
  check_facts(*translator);
  if (error)
    // What the exchange writes after the first byte (SPEC §4).
    out
      += render_stream_error(c.in.client, fail(errc::upstream_failed, *error));
  return out;
}

inline void check_whole(upstream_case& c) {
  using namespace providers;
  auto parsed = read_answer(c.in, c.payload);
  if (!parsed) {
    check_failure(parsed.error());
    return;
  }
  OH_FUZZ_CHECK(json::valid_utf8(parsed->model), "model for the log");
  OH_FUZZ_CHECK(json::valid_utf8(parsed->finish_reason), "finish reason");
  check_usage(parsed->usage);
  gateway_facts facts;
  facts.request_id = "req1";
  facts.provider = "p";
  facts.provider_type = c.in.account_type;
  auto out = render_answer(c.in, c.payload, *parsed, facts);
  if (!out) {
    check_failure(out.error());
    return;
  }
  check_json_text(*out, "client answer");
}

/// `s` with every `"created":<digits>` as `"created":0`: the OpenAI relay
/// stamps the clock's second when the upstream's chunks carry none, so two
/// runs may straddle a second.
inline std::string without_created(std::string s) {
  constexpr std::string_view key = "\"created\":";
  for (size_t at = s.find(key); at != std::string::npos;
       at = s.find(key, at + 1)) {
    size_t begin = at + key.size();
    size_t end = begin;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9')
      ++end;
    s.replace(begin, end - begin, "0");
  }
  return s;
}

inline void check_upstream(const char* account_type, subscription sub,
                           const uint8_t* data, size_t size) {
  if (size < 2)
    return;
  upstream_case c;
  setup(c, account_type, sub, data, size);
  if (c.whole) {
    check_whole(c);
    return;
  }
  auto cut = translate(c, c.cut);
  check_client_stream(cut, c.in.client);
  auto at_once = translate(c, c.payload.size());
  OH_FUZZ_CHECK(without_created(cut) == without_created(at_once),
                "the cut changed the client's stream:\n" + cut
                  + "\n--- at once:\n" + at_once);
}

} // namespace oh::fuzz
