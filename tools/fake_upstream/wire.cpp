#include "wire.hpp"

#include <algorithm>
#include <optional>

#include "core/json.hpp"

namespace fake {

namespace {

using oh::json::document;
using oh::json::value;

std::string q(std::string_view text) {
  std::string out;
  oh::json::append_quoted(out, text);
  return out;
}

std::string n(int64_t v) {
  return std::to_string(v);
}

std::string args_for(int64_t i) {
  return R"({"city":"City )" + n(i) + R"("})";
}

/// The text of an Anthropic tool_result's content, or of a string.
std::string text_of(const value& v) {
  if (v.IsString())
    return v.GetString();
  std::string out;
  if (v.IsArray())
    for (auto& b : v.GetArray())
      if (b.IsObject() && b.HasMember("text") && b["text"].IsString())
        out += b["text"].GetString();
  return oh::json::to_string(v) == "null" ? "" : out;
}

/// The result a conversation ends with, when its last turn is tool results.
/// `body` is the request (Code Assist: its inner `request`).
std::optional<std::string> trailing_tool_result(vendor wire,
                                                const value& body) {
  auto last_of = [&](const char* list) -> const value* {
    if (!body.HasMember(list) || !body[list].IsArray() || body[list].Empty())
      return nullptr;
    return &body[list][body[list].Size() - 1];
  };
  switch (wire) {
    case vendor::openai:
    case vendor::ollama: {
      auto* m = last_of("messages");
      if (m != nullptr && m->IsObject() && m->HasMember("role")
          && (*m)["role"] == "tool")
        return m->HasMember("content") ? text_of((*m)["content"]) : "";
      return std::nullopt;
    }
    case vendor::claude: {
      auto* m = last_of("messages");
      if (m == nullptr || !m->IsObject() || !m->HasMember("content")
          || !(*m)["content"].IsArray())
        return std::nullopt;
      for (auto& b : (*m)["content"].GetArray())
        if (b.IsObject() && b.HasMember("type") && b["type"] == "tool_result")
          return b.HasMember("content") ? text_of(b["content"]) : "";
      return std::nullopt;
    }
    case vendor::codex: {
      auto* item = last_of("input");
      if (item != nullptr && item->IsObject() && item->HasMember("type")
          && (*item)["type"] == "function_call_output")
        return item->HasMember("output") ? text_of((*item)["output"]) : "";
      return std::nullopt;
    }
    case vendor::gemini:
    case vendor::code_assist: {
      auto* c = last_of("contents");
      if (c == nullptr || !c->IsObject() || !c->HasMember("parts")
          || !(*c)["parts"].IsArray())
        return std::nullopt;
      for (auto& p : (*c)["parts"].GetArray())
        if (p.IsObject() && p.HasMember("functionResponse")) {
          auto& fr = p["functionResponse"];
          if (fr.HasMember("response") && fr["response"].IsObject()
              && fr["response"].HasMember("result"))
            return text_of(fr["response"]["result"]).empty()
                     ? oh::json::to_string(fr["response"]["result"])
                     : text_of(fr["response"]["result"]);
          return std::string{};
        }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::vector<std::string> pieces(const std::string& text, int64_t chunks) {
  std::vector<std::string> out;
  auto count = std::max<int64_t>(1, chunks);
  size_t size = std::max<size_t>(1, (text.size() + count - 1) / count);
  for (size_t p = 0; p < text.size(); p += size)
    out.push_back(text.substr(p, size));
  return out;
}

// -- OpenAI -------------------------------------------------------------------

std::string openai_usage(const plan& p) {
  return R"({"prompt_tokens":)" + n(p.prompt_tokens)
         + R"(,"completion_tokens":)" + n(p.completion_tokens)
         + R"(,"total_tokens":)" + n(p.prompt_tokens + p.completion_tokens)
         + R"(,"prompt_tokens_details":{"cached_tokens":)" + n(p.cached_tokens)
         + "}}";
}

std::string openai_whole(const plan& p) {
  std::string msg = R"({"role":"assistant","content":)"
                    + (p.tools > 0 ? std::string{"null"} : q(p.text));
  if (p.tools > 0) {
    msg += R"(,"tool_calls":[)";
    for (int64_t i = 0; i < p.tools; ++i)
      msg
        += (i > 0 ? "," : "") + std::string{R"({"id":"call_fake)"} + n(i)
           + R"(","type":"function","function":{"name":"get_weather","arguments":)"
           + q(args_for(i)) + "}}";
    msg += "]";
  }
  msg += "}";
  return R"({"id":"chatcmpl-fake123","object":"chat.completion","created":1700000000,"model":)"
         + q(p.model)
         + R"(,"system_fingerprint":"fp_fake","choices":[{"index":0,"message":)"
         + msg + R"(,"logprobs":null,"finish_reason":)" + q(p.finish)
         + R"(}],"usage":)" + openai_usage(p) + "}";
}

std::vector<std::string> openai_stream(const plan& p) {
  auto chunk = [&](const std::string& delta, const std::string& finish) {
    return "data: "
           "{\"id\":\"chatcmpl-fake123\",\"object\":\"chat.completion.chunk\","
           "\"created\":1700000000,\"model\":"
           + q(p.model)
           + ",\"system_fingerprint\":\"fp_fake\",\"choices\":[{\"index\":0,"
             "\"delta\":"
           + delta + ",\"logprobs\":null,\"finish_reason\":" + finish
           + "}]}\n\n";
  };
  std::vector<std::string> ev;
  ev.push_back(chunk(R"({"role":"assistant","content":""})", "null"));
  int64_t content = 0;
  auto failed = [&] {
    if (p.error_after < 0 || content < p.error_after)
      return false;
    ev.push_back(
      "data: {\"error\":{\"message\":\"fake stream failure\",\"type\":"
      "\"server_error\",\"code\":null}}\n\n");
    return true;
  };
  if (p.tools > 0) {
    for (int64_t i = 0; i < p.tools; ++i) {
      ev.push_back(chunk(
        R"({"tool_calls":[{"index":)" + n(i) + R"(,"id":"call_fake)" + n(i)
          + R"(","type":"function","function":{"name":"get_weather","arguments":""}}]})",
        "null"));
      auto args = args_for(i);
      for (size_t at = 0; at < args.size(); at += 5)
        ev.push_back(chunk(R"({"tool_calls":[{"index":)" + n(i)
                             + R"(,"function":{"arguments":)"
                             + q(args.substr(at, 5)) + "}}]}",
                           "null"));
    }
  } else {
    for (auto& piece : pieces(p.text, p.chunks)) {
      if (failed())
        return ev;
      ev.push_back(chunk(R"({"content":)" + q(piece) + "}", "null"));
      ++content;
    }
    if (failed())
      return ev;
  }
  ev.push_back(chunk("{}", q(p.finish)));
  if (p.include_usage)
    ev.push_back(
      "data: "
      "{\"id\":\"chatcmpl-fake123\",\"object\":\"chat.completion.chunk\","
      "\"created\":1700000000,\"model\":"
      + q(p.model) + ",\"choices\":[],\"usage\":" + openai_usage(p) + "}\n\n");
  ev.push_back("data: [DONE]\n\n");
  return ev;
}

// -- Anthropic ----------------------------------------------------------------

std::string claude_stop(const plan& p) {
  if (p.tools > 0)
    return "tool_use";
  if (p.finish == "length")
    return "max_tokens";
  if (p.finish == "content_filter")
    return "refusal";
  return "end_turn";
}

std::string claude_usage(const plan& p, int64_t output) {
  return R"({"input_tokens":)" + n(p.prompt_tokens - p.cached_tokens)
         + R"(,"cache_creation_input_tokens":0,"cache_read_input_tokens":)"
         + n(p.cached_tokens) + R"(,"output_tokens":)" + n(output) + "}";
}

std::string claude_whole(const plan& p) {
  std::string content;
  auto add = [&](const std::string& block) {
    content += (content.empty() ? "" : ",") + block;
  };
  if (!p.thinking.empty())
    add(R"({"type":"thinking","thinking":)" + q(p.thinking)
        + R"(,"signature":"sig_fake"})");
  if (p.tools == 0)
    add(R"({"type":"text","text":)" + q(p.text) + "}");
  for (int64_t i = 0; i < p.tools; ++i)
    add(R"({"type":"tool_use","id":"toolu_fake)" + n(i)
        + R"(","name":"get_weather","input":)" + args_for(i) + "}");
  return R"({"id":"msg_fake123","type":"message","role":"assistant","model":)"
         + q(p.model) + R"(,"content":[)" + content + R"(],"stop_reason":)"
         + q(claude_stop(p)) + R"(,"stop_sequence":null,"usage":)"
         + claude_usage(p, p.completion_tokens) + "}";
}

std::vector<std::string> claude_stream(const plan& p) {
  std::vector<std::string> ev;
  auto event = [&](const char* name, const std::string& data) {
    ev.push_back(std::string{"event: "} + name + "\ndata: " + data + "\n\n");
  };
  event(
    "message_start",
    R"({"type":"message_start","message":{"id":"msg_fake123","type":"message","role":"assistant","model":)"
      + q(p.model)
      + R"(,"content":[],"stop_reason":null,"stop_sequence":null,"usage":)"
      + claude_usage(p, 1) + "}}");
  event("ping", R"({"type": "ping"})");
  int index = 0;
  int64_t content = 0;
  auto failed = [&] {
    if (p.error_after < 0 || content < p.error_after)
      return false;
    event(
      "error",
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
    return true;
  };
  auto start = [&](const std::string& block) {
    event("content_block_start", R"({"type":"content_block_start","index":)"
                                   + n(index) + R"(,"content_block":)" + block
                                   + "}");
  };
  auto delta = [&](const std::string& d) {
    event("content_block_delta", R"({"type":"content_block_delta","index":)"
                                   + n(index) + R"(,"delta":)" + d + "}");
  };
  auto stop = [&] {
    event("content_block_stop",
          R"({"type":"content_block_stop","index":)" + n(index) + "}");
    ++index;
  };
  if (!p.thinking.empty()) {
    start(R"({"type":"thinking","thinking":"","signature":""})");
    for (auto& piece : pieces(p.thinking, p.chunks))
      delta(R"({"type":"thinking_delta","thinking":)" + q(piece) + "}");
    delta(R"({"type":"signature_delta","signature":"sig_fake"})");
    stop();
  }
  if (p.tools == 0) {
    start(R"({"type":"text","text":""})");
    for (auto& piece : pieces(p.text, p.chunks)) {
      if (failed())
        return ev;
      delta(R"({"type":"text_delta","text":)" + q(piece) + "}");
      ++content;
    }
    if (failed())
      return ev;
    stop();
  }
  for (int64_t i = 0; i < p.tools; ++i) {
    start(R"({"type":"tool_use","id":"toolu_fake)" + n(i)
          + R"(","name":"get_weather","input":{}})");
    delta(R"({"type":"input_json_delta","partial_json":""})");
    auto args = args_for(i);
    for (size_t at = 0; at < args.size(); at += 5)
      delta(R"({"type":"input_json_delta","partial_json":)"
            + q(args.substr(at, 5)) + "}");
    stop();
  }
  event("message_delta",
        R"({"type":"message_delta","delta":{"stop_reason":)" + q(claude_stop(p))
          + R"(,"stop_sequence":null},"usage":{"output_tokens":)"
          + n(p.completion_tokens) + "}}");
  event("message_stop", R"({"type":"message_stop"})");
  return ev;
}

// -- Gemini -------------------------------------------------------------------

std::string gemini_finish(const plan& p) {
  if (p.finish == "length")
    return "MAX_TOKENS";
  if (p.finish == "content_filter")
    return "SAFETY";
  return "STOP";
}

std::string gemini_usage(const plan& p, int64_t candidates) {
  int64_t thoughts
    = p.thinking.empty() ? 0 : int64_t(p.thinking.size() / 4 + 1);
  std::string u = R"({"promptTokenCount":)" + n(p.prompt_tokens)
                  + R"(,"candidatesTokenCount":)" + n(candidates)
                  + R"(,"totalTokenCount":)"
                  + n(p.prompt_tokens + candidates + thoughts);
  if (p.cached_tokens > 0)
    u += R"(,"cachedContentTokenCount":)" + n(p.cached_tokens);
  if (thoughts > 0)
    u += R"(,"thoughtsTokenCount":)" + n(thoughts);
  return u + "}";
}

std::string gemini_calls(const plan& p) {
  std::string parts;
  for (int64_t i = 0; i < p.tools; ++i)
    parts += (i > 0 ? "," : "")
             + std::string{R"({"functionCall":{"name":"get_weather","args":)"}
             + args_for(i) + "}}";
  return parts;
}

/// Code Assist carries each GenerateContentResponse as `{"response": …}`.
std::string gemini_response(const plan& p, const std::string& parts,
                            const std::string& finish, int64_t candidates) {
  std::string c = R"({"content":{"parts":[)" + parts + R"(],"role":"model"})";
  if (!finish.empty())
    c += R"(,"finishReason":)" + q(finish);
  c += R"(,"index":0})";
  auto answer = R"({"candidates":[)" + c + R"(],"usageMetadata":)"
                + gemini_usage(p, candidates) + R"(,"modelVersion":)"
                + q(p.model) + R"(,"responseId":"fakeresp123"})";
  return p.wire == vendor::code_assist ? R"({"response":)" + answer + "}"
                                       : answer;
}

std::string gemini_whole(const plan& p) {
  std::string parts;
  if (!p.thinking.empty())
    parts = R"({"text":)" + q(p.thinking) + R"(,"thought":true})";
  if (p.finish != "content_filter") {
    if (p.tools > 0)
      parts += (parts.empty() ? "" : ",") + gemini_calls(p);
    else
      parts += (parts.empty() ? "" : ",") + std::string{R"({"text":)"}
               + q(p.text) + "}";
  }
  return gemini_response(p, parts, gemini_finish(p), p.completion_tokens);
}

std::vector<std::string> gemini_stream(const plan& p) {
  std::vector<std::string> ev;
  auto event = [&](const std::string& data) {
    ev.push_back("data: " + data + "\r\n\r\n");
  };
  if (!p.thinking.empty())
    event(gemini_response(
      p, R"({"text":)" + q(p.thinking) + R"(,"thought":true})", "", 0));
  if (p.tools > 0) {
    event(gemini_response(p, gemini_calls(p), gemini_finish(p),
                          p.completion_tokens));
    return ev;
  }
  auto parts = pieces(p.text, p.chunks);
  int64_t content = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (p.error_after >= 0 && content >= p.error_after) {
      event(
        R"({"error":{"code":500,"message":"fake stream failure","status":"INTERNAL"}})");
      return ev;
    }
    bool last = i + 1 == parts.size() && p.error_after < 0;
    event(gemini_response(p, R"({"text":)" + q(parts[i]) + "}",
                          last ? gemini_finish(p) : "",
                          last ? p.completion_tokens : int64_t(i + 1)));
    ++content;
  }
  if (p.error_after >= 0)
    event(
      R"({"error":{"code":500,"message":"fake stream failure","status":"INTERNAL"}})");
  return ev;
}

// -- OpenAI Responses (ChatGPT Codex backend) ---------------------------------

int64_t reasoning_tokens(const plan& p) {
  return p.thinking.empty() ? 0 : int64_t(p.thinking.size() / 4 + 1);
}

std::string responses_usage(const plan& p) {
  auto output = p.completion_tokens + reasoning_tokens(p);
  return R"({"input_tokens":)" + n(p.prompt_tokens)
         + R"(,"input_tokens_details":{"cached_tokens":)" + n(p.cached_tokens)
         + R"(},"output_tokens":)" + n(output)
         + R"(,"output_tokens_details":{"reasoning_tokens":)"
         + n(reasoning_tokens(p)) + R"(},"total_tokens":)"
         + n(p.prompt_tokens + output) + "}";
}

std::string reasoning_item(const plan& p, bool done) {
  return R"({"id":"rs_fake","type":"reasoning","summary":[)"
         + (done ? R"({"type":"summary_text","text":)" + q(p.thinking) + "}"
                 : std::string{})
         + "]}";
}

std::string message_item(const plan& p, const char* status, bool done) {
  return R"({"id":"msg_fake","type":"message","status":)" + q(status)
         + R"(,"role":"assistant","content":[)"
         + (done ? R"({"type":"output_text","annotations":[],"text":)"
                     + q(p.text) + "}"
                 : std::string{})
         + "]}";
}

std::string call_item(const plan& p, int64_t i, bool done) {
  return R"({"id":"fc_fake_)" + n(i) + R"(","type":"function_call","status":)"
         + q(done ? "completed" : "in_progress") + R"(,"arguments":)"
         + q(done ? args_for(i) : "") + R"(,"call_id":"call_fake_)" + n(i)
         + R"(","name":)" + q(p.tool_name) + "}";
}

/// The finished output items, in output order.
std::string responses_output(const plan& p) {
  std::string out;
  auto add = [&](const std::string& item) {
    out += (out.empty() ? "" : ",") + item;
  };
  if (!p.thinking.empty())
    add(reasoning_item(p, true));
  if (p.tools == 0)
    add(message_item(p, p.finish == "stop" ? "completed" : "incomplete", true));
  for (int64_t i = 0; i < p.tools; ++i)
    add(call_item(p, i, true));
  return out;
}

/// The `response` object; `tail` adds the members its status calls for.
std::string responses_object(const plan& p, std::string_view status,
                             const std::string& output,
                             const std::string& tail) {
  return R"({"id":"resp_fake","object":"response","created_at":1700000000,"status":)"
         + q(status) + R"(,"model":)" + q(p.model) + R"(,"output":[)" + output
         + "]" + tail + "}";
}

/// The last event's response: completed, or incomplete when cut short.
std::string responses_final(const plan& p, bool& incomplete) {
  incomplete = p.finish == "length" || p.finish == "content_filter";
  if (!incomplete)
    return responses_object(p, "completed", responses_output(p),
                            R"(,"usage":)" + responses_usage(p));
  auto reason = p.finish == "length" ? "max_output_tokens" : "content_filter";
  return responses_object(p, "incomplete", responses_output(p),
                          R"(,"incomplete_details":{"reason":)" + q(reason)
                            + R"(},"usage":)" + responses_usage(p));
}

std::string responses_whole(const plan& p) {
  bool incomplete = false;
  return responses_final(p, incomplete);
}

std::vector<std::string> responses_stream(const plan& p) {
  std::vector<std::string> ev;
  int64_t seq = 0;
  // `members` follows the type and sequence number inside the data object.
  auto event = [&](const std::string& type, const std::string& members) {
    ev.push_back("event: " + type + "\ndata: {\"type\":" + q(type)
                 + ",\"sequence_number\":" + n(seq++) + members + "}\n\n");
  };
  event("response.created",
        R"(,"response":)"
          + responses_object(p, "in_progress", "", R"(,"usage":null)"));
  int64_t index = 0;
  auto at = [&](const char* item_id) {
    return R"(,"item_id":)" + q(item_id) + R"(,"output_index":)" + n(index);
  };
  if (!p.thinking.empty()) {
    event("response.output_item.added", R"(,"output_index":)" + n(index)
                                          + R"(,"item":)"
                                          + reasoning_item(p, false));
    auto part = [&](const std::string& text) {
      return R"(,"summary_index":0,"part":{"type":"summary_text","text":)"
             + q(text) + "}";
    };
    event("response.reasoning_summary_part.added", at("rs_fake") + part(""));
    for (auto& piece : pieces(p.thinking, p.chunks))
      event("response.reasoning_summary_text.delta",
            at("rs_fake") + R"(,"summary_index":0,"delta":)" + q(piece));
    event("response.reasoning_summary_text.done",
          at("rs_fake") + R"(,"summary_index":0,"text":)" + q(p.thinking));
    event("response.reasoning_summary_part.done",
          at("rs_fake") + part(p.thinking));
    event("response.output_item.done", R"(,"output_index":)" + n(index)
                                         + R"(,"item":)"
                                         + reasoning_item(p, true));
    ++index;
  }
  int64_t content = 0;
  auto failed = [&] {
    if (p.error_after < 0 || content < p.error_after)
      return false;
    event(
      "response.failed",
      R"(,"response":)"
        + responses_object(
          p, "failed", "",
          R"(,"error":{"code":"server_error","message":"fake stream failure"},"usage":null)"));
    return true;
  };
  if (p.tools == 0) {
    auto part = [&](const std::string& text) {
      return R"(,"content_index":0,"part":{"type":"output_text","annotations":[],"text":)"
             + q(text) + "}";
    };
    event("response.output_item.added",
          R"(,"output_index":)" + n(index) + R"(,"item":)"
            + message_item(p, "in_progress", false));
    event("response.content_part.added", at("msg_fake") + part(""));
    for (auto& piece : pieces(p.text, p.chunks)) {
      if (failed())
        return ev;
      event("response.output_text.delta",
            at("msg_fake") + R"(,"content_index":0,"delta":)" + q(piece));
      ++content;
    }
    if (failed())
      return ev;
    event("response.output_text.done",
          at("msg_fake") + R"(,"content_index":0,"text":)" + q(p.text));
    event("response.content_part.done", at("msg_fake") + part(p.text));
    event("response.output_item.done",
          R"(,"output_index":)" + n(index) + R"(,"item":)"
            + message_item(p, p.finish == "stop" ? "completed" : "incomplete",
                           true));
  }
  for (int64_t i = 0; i < p.tools; ++i, ++index) {
    auto id = "fc_fake_" + n(i);
    event("response.output_item.added", R"(,"output_index":)" + n(index)
                                          + R"(,"item":)"
                                          + call_item(p, i, false));
    auto args = args_for(i);
    for (size_t from = 0; from < args.size(); from += 5)
      event("response.function_call_arguments.delta",
            at(id.c_str()) + R"(,"delta":)" + q(args.substr(from, 5)));
    event("response.function_call_arguments.done",
          at(id.c_str()) + R"(,"arguments":)" + q(args));
    event("response.output_item.done", R"(,"output_index":)" + n(index)
                                         + R"(,"item":)"
                                         + call_item(p, i, true));
  }
  bool incomplete = false;
  auto last = responses_final(p, incomplete);
  event(incomplete ? "response.incomplete" : "response.completed",
        R"(,"response":)" + last);
  return ev;
}

// -- Ollama -------------------------------------------------------------------

std::string ollama_calls(const plan& p) {
  std::string calls;
  for (int64_t i = 0; i < p.tools; ++i)
    calls += (i > 0 ? "," : "")
             + std::string{R"({"function":{"name":"get_weather","arguments":)"}
             + args_for(i) + "}}";
  return calls;
}

std::string ollama_done(const plan& p) {
  return R"("done_reason":)" + q(p.finish == "length" ? "length" : "stop")
         + R"(,"done":true,"total_duration":1200000,"load_duration":100000,"prompt_eval_count":)"
         + n(p.prompt_tokens)
         + R"(,"prompt_eval_duration":200000,"eval_count":)"
         + n(p.completion_tokens) + R"(,"eval_duration":900000)";
}

std::string ollama_whole(const plan& p) {
  std::string msg
    = R"({"role":"assistant","content":)" + q(p.tools > 0 ? "" : p.text);
  if (!p.thinking.empty())
    msg += R"(,"thinking":)" + q(p.thinking);
  if (p.tools > 0)
    msg += R"(,"tool_calls":[)" + ollama_calls(p) + "]";
  msg += "}";
  return R"({"model":)" + q(p.model)
         + R"(,"created_at":"2025-01-01T00:00:00Z","message":)" + msg + ","
         + ollama_done(p) + "}";
}

std::vector<std::string> ollama_stream(const plan& p) {
  std::vector<std::string> ev;
  auto line = [&](const std::string& message, bool done) {
    ev.push_back(
      R"({"model":)" + q(p.model)
      + R"(,"created_at":"2025-01-01T00:00:00Z","message":)" + message + ","
      + (done ? ollama_done(p) : std::string{R"("done":false)"}) + "}\n");
  };
  if (!p.thinking.empty())
    for (auto& piece : pieces(p.thinking, p.chunks))
      line(R"({"role":"assistant","content":"","thinking":)" + q(piece) + "}",
           false);
  if (p.tools > 0) {
    line(R"({"role":"assistant","content":"","tool_calls":[)" + ollama_calls(p)
           + "]}",
         false);
  } else {
    int64_t content = 0;
    for (auto& piece : pieces(p.text, p.chunks)) {
      if (p.error_after >= 0 && content >= p.error_after) {
        ev.push_back("{\"error\":\"fake stream failure\"}\n");
        return ev;
      }
      line(R"({"role":"assistant","content":)" + q(piece) + "}", false);
      ++content;
    }
    if (p.error_after >= 0) {
      ev.push_back("{\"error\":\"fake stream failure\"}\n");
      return ev;
    }
  }
  line(R"({"role":"assistant","content":""})", true);
  return ev;
}

} // namespace

int64_t num(const script& s, const char* key, int64_t fallback) {
  auto it = s.find(key);
  if (it == s.end())
    return fallback;
  try {
    return std::stoll(it->second);
  } catch (...) {
    return fallback;
  }
}

std::string str(const script& s, const char* key, std::string fallback) {
  auto it = s.find(key);
  return it == s.end() ? fallback : it->second;
}

void parse_pairs(std::string_view inner, script& s) {
  size_t pos = 0;
  while (pos < inner.size()) {
    while (pos < inner.size() && inner[pos] == ' ')
      ++pos;
    auto end = inner.find(' ', pos);
    auto item = inner.substr(pos, end - pos);
    auto eq = item.find('=');
    if (eq != std::string_view::npos) {
      // A directive inside a JSON string has its quotes escaped; the value
      // means the text without the escapes (text={\"ok\":true}).
      std::string value{item.substr(eq + 1)};
      for (size_t q = value.find("\\\""); q != std::string::npos;
           q = value.find("\\\"", q + 1))
        value.erase(q, 1);
      s[std::string{item.substr(0, eq)}] = value;
    }
    if (end == std::string_view::npos)
      break;
    pos = end + 1;
  }
}

void read_directives(std::string_view body, script& s) {
  size_t at = 0;
  while ((at = body.find("[[fake", at)) != std::string_view::npos) {
    auto close = body.find("]]", at);
    if (close == std::string_view::npos)
      return;
    parse_pairs(body.substr(at + 6, close - at - 6), s);
    at = close;
  }
}

plan make_plan(vendor wire, std::string_view raw, const script& s,
               std::string_view model_from_path, bool stream_from_path) {
  document body;
  body.Parse(raw.data(), raw.size());
  plan p;
  p.wire = wire;
  if (wire == vendor::gemini)
    p.model = std::string{model_from_path};
  else if (body.IsObject() && body.HasMember("model")
           && body["model"].IsString())
    p.model = body["model"].GetString();
  if (p.model.empty())
    p.model = "fake-model";
  bool has_stream
    = body.IsObject() && body.HasMember("stream") && body["stream"].IsBool();
  switch (wire) {
    case vendor::gemini:
    case vendor::code_assist:
      p.stream = stream_from_path;
      break;
    case vendor::ollama: // Ollama streams unless told not to
      p.stream = !has_stream || body["stream"].GetBool();
      break;
    default:
      p.stream = has_stream && body["stream"].GetBool();
  }
  if (wire == vendor::openai && p.stream && body.HasMember("stream_options")
      && body["stream_options"].IsObject()
      && body["stream_options"].HasMember("include_usage")
      && body["stream_options"]["include_usage"].IsBool())
    p.include_usage = body["stream_options"]["include_usage"].GetBool();
  p.text = str(s, "text", "Hello from fake upstream");
  p.thinking = str(s, "thinking", "");
  p.chunks = num(s, "chunks", 3);
  p.tools = num(s, "tools", 0);
  // Codex calls the request's own first tool (Responses tools are flat).
  if (wire == vendor::codex && body.IsObject() && body.HasMember("tools")
      && body["tools"].IsArray() && !body["tools"].Empty()
      && body["tools"][0].IsObject()) {
    if (auto name = oh::json::get_string(body["tools"][0], "name"))
      p.tool_name = *name;
  }
  // Code Assist wraps the Gemini request as `request`.
  const value* request = &body;
  if (wire == vendor::code_assist && body.IsObject()
      && body.HasMember("request"))
    request = &body["request"];
  if (request->IsObject())
    if (auto result = trailing_tool_result(wire, *request)) {
      p.tools = 0;
      p.text = "The tool said " + *result;
    }
  p.finish = str(s, "finish", p.tools > 0 ? "tool_calls" : "stop");
  p.prompt_tokens = static_cast<int64_t>(raw.size() / 4);
  p.completion_tokens = static_cast<int64_t>(p.text.size() / 4 + 1);
  p.cached_tokens = std::min(num(s, "cached", 0), p.prompt_tokens);
  p.error_after = num(s, "error_after", -1);
  return p;
}

error_reply error_for(vendor wire, unsigned status, std::string message,
                      int64_t retry_after_s) {
  error_reply r{status, {}, {}};
  if (retry_after_s >= 0) {
    r.headers.emplace_back("retry-after", n(retry_after_s));
    r.headers.emplace_back("x-ratelimit-reset-requests",
                           n(retry_after_s) + "s");
  }
  switch (wire) {
    case vendor::openai:
      r.body = R"({"error":{"message":)" + q(message)
               + R"(,"type":"server_error","code":null}})";
      break;
    case vendor::claude: {
      const char* type = status == 400   ? "invalid_request_error"
                         : status == 401 ? "authentication_error"
                         : status == 403 ? "permission_error"
                         : status == 404 ? "not_found_error"
                         : status == 429 ? "rate_limit_error"
                         : status == 529 ? "overloaded_error"
                                         : "api_error";
      r.body = R"({"type":"error","error":{"type":)" + q(type)
               + R"(,"message":)" + q(message) + "}}";
      break;
    }
    case vendor::codex:
      // The ChatGPT backend answers refusals FastAPI style.
      r.body = R"({"detail":)" + q(message) + "}";
      break;
    case vendor::gemini:
    case vendor::code_assist: {
      // UNAUTHENTICATED only for Code Assist: the API-key wire keeps the
      // answers it always gave.
      const char* code = status == 400 ? "INVALID_ARGUMENT"
                         : status == 401 && wire == vendor::code_assist
                           ? "UNAUTHENTICATED"
                         : status == 403 ? "PERMISSION_DENIED"
                         : status == 404 ? "NOT_FOUND"
                         : status == 429 ? "RESOURCE_EXHAUSTED"
                         : status == 503 ? "UNAVAILABLE"
                                         : "INTERNAL";
      r.body = R"({"error":{"code":)" + n(status) + R"(,"message":)"
               + q(message) + R"(,"status":)" + q(code) + "}}";
      break;
    }
    case vendor::ollama:
      r.body = R"({"error":)" + q(message) + "}";
      break;
  }
  return r;
}

std::optional<error_reply> scripted_failure(vendor wire, const script& s,
                                            const std::string& credentials) {
  auto status = num(s, "status", 200);
  if (status == 200)
    return std::nullopt;
  std::string message = "fake failure " + n(status);
  if (num(s, "echo_auth", 0) == 1)
    message += " (request carried " + credentials + ")";
  return error_for(wire, static_cast<unsigned>(status), std::move(message),
                   num(s, "retry_after", -1));
}

std::string whole_answer(const plan& p) {
  switch (p.wire) {
    case vendor::claude:
      return claude_whole(p);
    case vendor::gemini:
    case vendor::code_assist:
      return gemini_whole(p);
    case vendor::ollama:
      return ollama_whole(p);
    case vendor::codex:
      return responses_whole(p);
    case vendor::openai:
      break;
  }
  return openai_whole(p);
}

std::vector<std::string> stream_events(const plan& p,
                                       std::string& content_type) {
  content_type = "text/event-stream";
  switch (p.wire) {
    case vendor::claude:
      return claude_stream(p);
    case vendor::gemini:
    case vendor::code_assist:
      return gemini_stream(p);
    case vendor::codex:
      return responses_stream(p);
    case vendor::ollama:
      content_type = "application/x-ndjson";
      return ollama_stream(p);
    case vendor::openai:
      break;
  }
  return openai_stream(p);
}

std::string models_listing(vendor wire) {
  switch (wire) {
    case vendor::claude:
      return R"({"data":[{"type":"model","id":"claude-sonnet-4-6","display_name":"Claude Sonnet 4.6","created_at":"2025-09-29T00:00:00Z"},{"type":"model","id":"claude-haiku-4-5-20251001","display_name":"Claude Haiku 4.5","created_at":"2025-10-01T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-6","last_id":"claude-haiku-4-5-20251001"})";
    case vendor::gemini:
    case vendor::code_assist:
      return R"({"models":[{"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens"]},{"name":"models/gemini-2.5-pro","version":"2.5","displayName":"Gemini 2.5 Pro","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens"]},{"name":"models/text-embedding-004","version":"004","displayName":"Text Embedding 004","supportedGenerationMethods":["embedContent"]}]})";
    case vendor::codex:
      break;
    case vendor::ollama:
      return R"({"models":[{"name":"qwen3:8b","model":"qwen3:8b","modified_at":"2025-01-01T00:00:00Z","size":5200000000,"digest":"fakedigest","details":{"format":"gguf","family":"qwen3","parameter_size":"8.2B","quantization_level":"Q4_K_M"}},{"name":"gpt-oss:20b","model":"gpt-oss:20b","modified_at":"2025-01-01T00:00:00Z","size":13000000000,"digest":"fakedigest2","details":{"format":"gguf","family":"gptoss","parameter_size":"20.9B","quantization_level":"MXFP4"}}]})";
    case vendor::openai:
      break;
  }
  return R"({"object":"list","data":[{"id":"gpt-4o","object":"model","created":1700000000,"owned_by":"system"},{"id":"gpt-4o-mini","object":"model","created":1700000000,"owned_by":"system"},{"id":"gpt-4.1","object":"model","created":1700000000,"owned_by":"system"},{"id":"fake-model","object":"model","created":1700000000,"owned_by":"fake"}]})";
}

bool authorised(vendor wire, const std::map<std::string, std::string>& h,
                const std::string& key, error_reply& refusal) {
  auto get = [&](const char* name) -> std::string {
    auto it = h.find(name);
    return it == h.end() ? std::string{} : it->second;
  };
  switch (wire) {
    case vendor::claude:
      if (get("anthropic-version").empty()) {
        refusal = error_for(wire, 400, "anthropic-version: header is required");
        return false;
      }
      if (key.empty() || get("x-api-key") == key)
        return true;
      // A subscription token: a bearer token, accepted only with the OAuth
      // beta flag, as Anthropic does.
      if (get("authorization") == "Bearer " + key) {
        if (get("anthropic-beta").find("oauth-2025-04-20")
            == std::string::npos) {
          refusal = error_for(
            wire, 401, "OAuth authentication is currently not supported.");
          return false;
        }
        return true;
      }
      refusal = error_for(wire, 401, "invalid x-api-key");
      return false;
    case vendor::gemini:
      if (key.empty())
        return true;
      if (get("x-goog-api-key").empty()) {
        refusal
          = error_for(wire, 403, "Method doesn't allow unregistered callers");
        return false;
      }
      if (get("x-goog-api-key") != key) {
        refusal = error_for(wire, 400,
                            "API key not valid. Please pass a valid API key.");
        return false;
      }
      return true;
    case vendor::ollama:
      return true; // Ollama has no authentication
    case vendor::codex:
    case vendor::code_assist:
      return true; // bearer tokens: checked against the oauth issuer
    case vendor::openai:
      if (!key.empty() && get("authorization") != "Bearer " + key) {
        refusal = error_for(wire, 401, "Incorrect API key provided");
        return false;
      }
      return true;
  }
  return true;
}

} // namespace fake
