#pragma once

// The provider wire formats the fake upstream speaks (OpenAI Chat
// Completions, Anthropic Messages, Gemini generateContent, Ollama
// /api/chat, and for `--flavor oauth` the ChatGPT Codex Responses stream and
// Gemini Code Assist's wrapped generateContent): from a scripted plan to
// exact response bodies and stream events. Pure: the networking is in
// main.cpp.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fake {

/// `codex` is the ChatGPT backend's Responses API (`POST /responses`);
/// `code_assist` is Gemini's wire wrapped as `{"response": …}`.
enum class vendor { openai, claude, gemini, ollama, codex, code_assist };

using script = std::map<std::string, std::string>;

int64_t num(const script& s, const char* key, int64_t fallback);
std::string str(const script& s, const char* key, std::string fallback);
/// `a=1 b=2` into a script (later keys win).
void parse_pairs(std::string_view inner, script& s);
/// Every `[[fake …]]` directive in the raw request body, in order.
void read_directives(std::string_view body, script& s);

/// What the fake answers, whatever the wire format.
struct plan {
  vendor wire = vendor::openai;
  std::string model;
  bool stream = false;
  bool include_usage = false; // OpenAI only
  std::string text;
  std::string thinking; // reasoning before the text (not OpenAI chat)
  int64_t chunks = 3;   // text pieces in a stream
  int64_t tools = 0;    // parallel tool calls
  std::string tool_name = "get_weather"; // Codex: the request's first tool
  std::string finish;                    // stop | length | content_filter
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t error_after = -1; // in-band error after N content events
};

/// The plan for a request body (parsed by the caller) and its script. A
/// conversation that ends with tool results gets a text answer naming the
/// result, so a tool-call round trip completes.
plan make_plan(vendor wire, std::string_view raw_body, const script& s,
               std::string_view model_from_path, bool stream_from_path);

struct error_reply {
  unsigned status;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};
/// The vendor's error body for `status` (scripted failures, auth).
error_reply error_for(vendor wire, unsigned status, std::string message,
                      int64_t retry_after_s = -1);

/// The failure a script asks for: `status` other than 200 answered with the
/// vendor's error body (`retry_after` adds its headers, `echo_auth` quotes
/// `credentials` in the message); nothing for a 200.
std::optional<error_reply> scripted_failure(vendor wire, const script& s,
                                            const std::string& credentials);

/// Non-streamed answer body.
std::string whole_answer(const plan& p);
/// Stream events, each complete with its framing; `content_type` is set.
std::vector<std::string> stream_events(const plan& p,
                                       std::string& content_type);

/// Model listings: OpenAI, Anthropic (`anthropic-version`), Gemini, Ollama.
std::string models_listing(vendor wire);

/// The auth header a vendor expects and whether `headers` carry `key`
/// there; the failure reply otherwise.
bool authorised(vendor wire, const std::map<std::string, std::string>& headers,
                const std::string& key, error_reply& refusal);

} // namespace fake
