// Gemini as an upstream (gemini/translate.cpp): GenerateContentResponse
// JSON and its SSE stream, and Code Assist's wrapped answers for
// subscription accounts
// (see upstream_answer.hpp for the input layout and the invariants).

#include "upstream_answer.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  oh::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oh::fuzz::check_upstream("gemini", oh::fuzz::subscription::by_option, data,
                           size);
  return 0;
}
