// ChatGPT subscriptions as an upstream (chatgpt/translate.cpp): the Codex
// backend's Responses API SSE events, streamed or collected whole
// (see upstream_answer.hpp for the input layout and the invariants).

#include "upstream_answer.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  oh::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oh::fuzz::check_upstream("openai", oh::fuzz::subscription::always, data,
                           size);
  return 0;
}
