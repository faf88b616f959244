// OpenAI Chat Completions as an upstream: the relay to OpenAI clients
// (openai::stream_relay, parse_completion) and the decoders into canonical
// events for Anthropic clients (openai/upstream.cpp)
// (see upstream_answer.hpp for the input layout and the invariants).

#include "upstream_answer.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  oh::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oh::fuzz::check_upstream("openai_compatible", oh::fuzz::subscription::never,
                           data, size);
  return 0;
}
