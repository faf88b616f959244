// Anthropic's Messages API as an upstream (claude/translate.cpp): the
// relay to Anthropic clients, the decoder for OpenAI clients, API-key and
// subscription accounts
// (see upstream_answer.hpp for the input layout and the invariants).

#include "upstream_answer.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  oh::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oh::fuzz::check_upstream("claude", oh::fuzz::subscription::by_option, data,
                           size);
  return 0;
}
