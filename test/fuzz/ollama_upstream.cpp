// Ollama's /api/chat as an upstream (ollama/translate.cpp): its JSON
// answer and its NDJSON stream
// (see upstream_answer.hpp for the input layout and the invariants).

#include "upstream_answer.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  oh::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oh::fuzz::check_upstream("ollama", oh::fuzz::subscription::never, data, size);
  return 0;
}
