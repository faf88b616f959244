// An Anthropic Messages body as a client sends it to /v1/messages:
// parsed, validated (anthropic::validate_request), read into the canonical
// form (anthropic/ingress.cpp) or relayed to Claude, built for every
// account type, and the count_tokens request and estimate (see
// client_request.hpp for the invariants).

#include "client_request.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  oh::fuzz::quiet_logs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  oh::fuzz::check_client_request(oh::dialect::anthropic,
                                 oh::fuzz::as_text(data, size));
  return 0;
}
