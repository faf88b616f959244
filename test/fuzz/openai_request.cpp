// An OpenAI Chat Completions body as a client sends it to
// /v1/chat/completions: parsed, validated (openai::validate_request), read
// into the canonical form (openai/ingress.cpp) and built for every
// account type (see client_request.hpp for the invariants).

#include "client_request.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  oh::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oh::fuzz::check_client_request(oh::dialect::openai,
                                 oh::fuzz::as_text(data, size));
  return 0;
}
