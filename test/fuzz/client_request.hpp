#pragma once

// What the request actor does with a client's body (actors/request.cpp
// begin(), then translation's prepare_call for each candidate account):
// parse, validate, read the facts, and build the upstream request for
// every account type, with and without a soul. Shared by the OpenAI and
// Anthropic request targets.
//
// Invariants: every refusal is the client's error (a 4xx with a message)
// and renders as clean JSON; every upstream body we build is valid UTF-8
// JSON; header values carry no line breaks; the dropped parameters and the
// response schema are clean text; max_tokens as a reservation is bounded.

#include "fuzz_check.hpp"
#include "providers/anthropic/ingress.hpp"
#include "providers/openai/translate.hpp"
#include "providers/translation.hpp"

namespace oh::fuzz {

struct account {
  const char* type;
  bool subscription;
};

/// Every wire a client body can be translated to.
inline constexpr account accounts[] = {
  {"openai", false}, {"openai_compatible", false},
  {"claude", false}, {"claude", true},
  {"gemini", false}, {"gemini", true},
  {"ollama", false}, {"openai", true}, // ChatGPT's Codex backend
};

inline void check_refusal(const failure& f) {
  check_failure(f);
  auto status = status_for(f.code);
  OH_FUZZ_CHECK(status >= 400 && status < 500,
                "a client's body refused as a server error: " + f.message);
}

inline void check_prepared(const providers::call_input& in) {
  using namespace providers;
  auto call = prepare_call(in);
  if (!call) {
    check_refusal(call.error());
    return;
  }
  check_json_text(call->request.body, "upstream body");
  for (auto& [name, value] : call->request.headers)
    OH_FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos,
                  "line break in upstream header " + name);
  for (auto& name : call->dropped)
    OH_FUZZ_CHECK(json::valid_utf8(name), "dropped parameter name");
  if (auto schema = applied_schema(in); !schema.empty())
    check_json_text(schema, "applied schema");
  if (in.client == dialect::anthropic) {
    if (auto count = prepare_count_tokens(in))
      check_json_text(count->request.body, "count_tokens body");
    OH_FUZZ_CHECK(estimate_input_tokens(*in.body, in.soul) >= 0,
                  "negative token estimate");
  }
}

/// The request actor sizes its reservation from max_tokens plus the body's
/// size: bounded, so the sum cannot overflow.
inline void check_max_tokens(int64_t max_tokens) {
  OH_FUZZ_CHECK(max_tokens >= 0 && max_tokens <= providers::max_token_count,
                "max_tokens fact out of bounds: " + std::to_string(max_tokens));
}

inline void check_client_request(dialect d, std::string_view text) {
  using namespace providers;
  auto body = json::parse(text);
  if (!body) {
    check_refusal(body.error());
    return;
  }
  bool anthropic = d == dialect::anthropic;
  auto invalid = anthropic ? anthropic::validate_request(*body)
                           : openai::validate_request(*body);
  if (invalid) {
    check_refusal(*invalid);
    return;
  }
  call_input in;
  if (anthropic) {
    auto facts = anthropic::read_facts(*body);
    in.stream = facts.stream;
    check_max_tokens(facts.max_tokens);
  } else {
    auto facts = openai::read_facts(*body);
    in.stream = facts.stream;
    in.include_usage = facts.include_usage;
    check_max_tokens(facts.max_tokens);
  }
  http_request http;
  http.headers = {{"anthropic-version", "2023-06-01"},
                  {"anthropic-beta", "tools-2024-04-04"}};
  soul_edits soul;
  soul.system_prompt = "Answer briefly.";
  soul.temperature = 0.3;
  soul.max_tokens = 100;
  soul.response_schema = R"({"type":"object"})";
  in.client = d;
  in.body = &*body;
  in.http = &http;
  in.base_url = "http://up";
  in.model = "m";
  in.request_id = "req1";
  in.created = 1'700'000'000;
  // A soul for half the inputs: both paths stay covered, at half the cost.
  if (text.size() % 2 == 1)
    in.soul = &soul;
  for (auto& a : accounts) {
    in.account_type = a.type;
    in.subscription = a.subscription;
    in.api_key = a.subscription ? "" : "key";
    in.access_token = a.subscription ? "token" : "";
    in.chatgpt_account_id = "acct";
    in.project_id = "project";
    in.system_user_merge = text.size() % 4 >= 2;
    check_prepared(in);
  }
}

} // namespace oh::fuzz
