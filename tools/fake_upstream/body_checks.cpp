#include "body_checks.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fake {

namespace {

using oh::json::value;
using sv = std::string_view;

/// A refusal before it takes its vendor's shape; `param` and `code` are
/// OpenAI's (null when empty), the others carry the message alone.
struct problem {
  std::string message;
  std::string param;
  std::string code;
};
using verdict = std::optional<problem>;

verdict refuse(std::string message, std::string param = {},
               std::string code = {}) {
  return problem{std::move(message), std::move(param), std::move(code)};
}

std::string q(sv text) {
  std::string out;
  oh::json::append_quoted(out, text);
  return out;
}

std::string n(size_t i) {
  return std::to_string(i);
}

sv text_of(const value& v) {
  return {v.GetString(), v.GetStringLength()};
}

/// A member even when it is null (oh::json::find hides nulls, and a null is
/// often exactly what a vendor refuses).
const value* member(const value& o, const char* name) {
  auto it = o.FindMember(name);
  return it == o.MemberEnd() ? nullptr : &it->value;
}

/// A string member's text, or "" when it is absent or not a string.
sv string_member(const value& o, const char* name) {
  auto* v = member(o, name);
  return v != nullptr && v->IsString() ? text_of(*v) : sv{};
}

bool listed(sv name, std::span<const sv> list) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

bool blank(sv s) {
  return s.find_first_not_of(" \t\r\n") == sv::npos;
}

bool ends_blank(sv s) {
  return !s.empty()
         && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'
             || s.back() == '\r');
}

/// Whether `s` is 1..max characters from [A-Za-z0-9_-] (plus `extra`).
bool name_like(sv s, size_t max, sv extra = {}) {
  if (s.empty() || s.size() > max)
    return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '_' || c == '-'
           || extra.find(c) != sv::npos;
  });
}

std::string number_text(const value& v) {
  if (v.IsInt64())
    return std::to_string(v.GetInt64());
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v.GetDouble());
  return buf;
}

// -- Anthropic Messages -------------------------------------------------------
// Anthropic validates with pydantic: "<dotted path>: <what>", extra fields
// refused, plus a few rules about the conversation in its own words.

constexpr sv claude_fields[] = {"model",
                                "messages",
                                "max_tokens",
                                "system",
                                "metadata",
                                "stop_sequences",
                                "stream",
                                "temperature",
                                "top_p",
                                "top_k",
                                "tools",
                                "tool_choice",
                                "thinking",
                                "service_tier",
                                "container",
                                "mcp_servers",
                                "context_management",
                                "output_config",
                                "output_format",
                                "inference_geo"};

/// count_tokens takes what shapes the prompt, nothing that shapes a reply.
constexpr sv count_tokens_fields[]
  = {"model",         "messages",     "system",      "tools",
     "tool_choice",   "thinking",     "mcp_servers", "context_management",
     "output_config", "output_format"};

constexpr sv claude_custom_tool_fields[]
  = {"name",   "description",    "input_schema",  "cache_control",  "type",
     "strict", "input_examples", "defer_loading", "allowed_callers"};

/// Blocks the API returns from its own server tools; a client replays them.
constexpr sv claude_server_blocks[] = {"web_search_tool_result",
                                       "web_fetch_tool_result",
                                       "code_execution_tool_result",
                                       "bash_code_execution_tool_result",
                                       "text_editor_code_execution_tool_result",
                                       "mcp_tool_use",
                                       "mcp_tool_result",
                                       "container_upload",
                                       "search_result"};

verdict claude_string(const value& o, const char* name, const std::string& at) {
  auto* v = member(o, name);
  if (v == nullptr)
    return refuse(at + "." + name + ": Field required");
  if (!v->IsString())
    return refuse(at + "." + name + ": Input should be a valid string");
  return std::nullopt;
}

/// A text block; `where` is how Anthropic names the list in its message.
verdict claude_text(const value& b, const std::string& at, sv where) {
  if (auto err = claude_string(b, "text", at))
    return err;
  auto t = text_of(b["text"]);
  if (t.empty())
    return refuse(std::string{where}
                  + ": text content blocks must be non-empty");
  if (blank(t))
    return refuse(std::string{where}
                  + ": text content blocks must contain non-whitespace text");
  return std::nullopt;
}

verdict claude_source(const value& b, const std::string& at, bool image) {
  auto* s = member(b, "source");
  if (s == nullptr)
    return refuse(at + ".source: Field required");
  if (!s->IsObject())
    return refuse(at + ".source: Input should be a valid dictionary");
  auto* type = member(*s, "type");
  auto t = type != nullptr && type->IsString() ? text_of(*type) : sv{};
  auto src = at + ".source";
  if (t == "base64") {
    if (auto err = claude_string(*s, "media_type", src + ".base64"))
      return err;
    auto media = text_of((*s)["media_type"]);
    if (image && media != "image/jpeg" && media != "image/png"
        && media != "image/gif" && media != "image/webp")
      return refuse(src
                    + ".base64.media_type: Input should be 'image/jpeg', "
                      "'image/png', 'image/gif' or 'image/webp'");
    if (auto err = claude_string(*s, "data", src + ".base64"))
      return err;
    if ((*s)["data"].GetStringLength() == 0)
      return refuse(src
                    + ".base64.data: String should have at least 1 "
                      "character");
    return std::nullopt;
  }
  if (t == "url")
    return claude_string(*s, "url", src + ".url");
  if (t == "file")
    return claude_string(*s, "file_id", src + ".file");
  if (!image && (t == "text" || t == "content"))
    return std::nullopt;
  return refuse(src + ".type: Input tag '" + std::string{t}
                + "' found using 'type' does not match any of the expected "
                  "tags: 'base64', 'url', 'file'");
}

/// One content block of a message from `role`; tool_use ids and tool_result
/// ids are collected for the pairing rules.
verdict claude_block(const value& b, const std::string& at, sv role,
                     std::vector<std::string>& uses,
                     std::vector<std::pair<std::string, size_t>>& results,
                     size_t index) {
  if (!b.IsObject())
    return refuse(at + ": Input should be a valid dictionary");
  auto* type = member(b, "type");
  if (type == nullptr)
    return refuse(at + ".type: Field required");
  if (!type->IsString())
    return refuse(at + ".type: Input should be a valid string");
  auto t = text_of(*type);
  auto only_in = [&](sv who) -> verdict {
    if (role == who)
      return std::nullopt;
    return refuse(at + ": `" + std::string{t} + "` blocks can only be in `"
                  + std::string{who} + "` messages");
  };
  if (t == "text")
    return claude_text(b, at, "messages");
  if (t == "image" || t == "document")
    return claude_source(b, at, t == "image");
  if (t == "tool_use" || t == "server_tool_use") {
    if (auto err = only_in("assistant"))
      return err;
    if (auto err = claude_string(b, "id", at))
      return err;
    if (auto err = claude_string(b, "name", at))
      return err;
    auto* input = member(b, "input");
    if (input == nullptr)
      return refuse(at + ".input: Field required");
    if (!input->IsObject())
      return refuse(at + ".input: Input should be a valid dictionary");
    if (t == "tool_use")
      uses.emplace_back(text_of(b["id"]));
    return std::nullopt;
  }
  if (t == "tool_result") {
    if (auto err = only_in("user"))
      return err;
    if (auto err = claude_string(b, "tool_use_id", at))
      return err;
    if (auto* e = member(b, "is_error"); e != nullptr && !e->IsBool())
      return refuse(at + ".is_error: Input should be a valid boolean");
    if (auto* c = member(b, "content"); c != nullptr && !c->IsString()) {
      if (!c->IsArray())
        return refuse(at + ".content: Input should be a valid list");
      for (rapidjson::SizeType i = 0; i < c->Size(); ++i) {
        auto& inner = (*c)[i];
        auto in_at = at + ".content." + n(i);
        auto it = inner.IsObject() ? string_member(inner, "type") : sv{};
        if (it == "text") {
          if (auto err = claude_text(inner, in_at, "messages"))
            return err;
        } else if (it == "image" || it == "document") {
          if (auto err = claude_source(inner, in_at, it == "image"))
            return err;
        } else if (it != "search_result" && it != "tool_reference") {
          return refuse(in_at + ".type: Input tag '" + std::string{it}
                        + "' found using 'type' does not match any of the "
                          "expected tags: 'text', 'image', 'document', "
                          "'search_result'");
        }
      }
    }
    results.emplace_back(std::string{text_of(b["tool_use_id"])}, index);
    return std::nullopt;
  }
  if (t == "thinking") {
    if (auto err = only_in("assistant"))
      return err;
    if (auto err = claude_string(b, "thinking", at))
      return err;
    return claude_string(b, "signature", at);
  }
  if (t == "redacted_thinking") {
    if (auto err = only_in("assistant"))
      return err;
    return claude_string(b, "data", at);
  }
  if (listed(t, claude_server_blocks))
    return std::nullopt;
  return refuse(at + ".type: Input tag '" + std::string{t}
                + "' found using 'type' does not match any of the expected "
                  "tags: 'text', 'image', 'document', 'search_result', "
                  "'thinking', 'redacted_thinking', 'tool_use', "
                  "'tool_result', 'server_tool_use', 'web_search_tool_result'");
}

verdict claude_messages(const value& body) {
  auto* ms = member(body, "messages");
  if (ms == nullptr)
    return refuse("messages: Field required");
  if (!ms->IsArray())
    return refuse("messages: Input should be a valid list");
  if (ms->Empty())
    return refuse("messages: at least one message is required");
  auto count = ms->Size();
  std::vector<std::vector<std::string>> uses(count);
  std::vector<std::vector<std::pair<std::string, size_t>>> results(count);
  std::vector<sv> roles(count);
  for (rapidjson::SizeType i = 0; i < count; ++i) {
    auto& m = (*ms)[i];
    auto at = "messages." + n(i);
    if (!m.IsObject())
      return refuse(at + ": Input should be a valid dictionary");
    for (auto& f : m.GetObject())
      if (sv name = text_of(f.name); name != "role" && name != "content")
        return refuse(at + "." + std::string{name}
                      + ": Extra inputs are not permitted");
    auto* role = member(m, "role");
    if (role == nullptr)
      return refuse(at + ".role: Field required");
    auto r = role->IsString() ? text_of(*role) : sv{};
    if (r == "system")
      return refuse(at
                    + ".role: Unexpected role \"system\". The Messages API "
                      "accepts a top-level `system` parameter, not \"system\" "
                      "as an input message role.");
    if (r != "user" && r != "assistant")
      return refuse(at + ".role: Input should be 'user' or 'assistant'");
    roles[i] = r;
    if (i == 0 && r != "user")
      return refuse("messages: first message must use the \"user\" role");
    // An assistant turn last is a prefill: it may be empty, but it must
    // not end in whitespace.
    bool prefill = i + 1 == count && r == "assistant";
    auto empty = [&] {
      return refuse(at
                    + ": all messages must have non-empty content except for "
                      "the optional final assistant message");
    };
    auto trailing = [] {
      return refuse(
        "messages: final assistant content cannot end with trailing "
        "whitespace");
    };
    auto* content = member(m, "content");
    if (content == nullptr)
      return refuse(at + ".content: Field required");
    if (content->IsString()) {
      if (content->GetStringLength() == 0 && !prefill)
        return empty();
      if (prefill && ends_blank(text_of(*content)))
        return trailing();
      continue;
    }
    if (!content->IsArray())
      return refuse(at + ".content: Input should be a valid list");
    if (content->Empty() && !prefill)
      return empty();
    for (rapidjson::SizeType j = 0; j < content->Size(); ++j)
      if (auto err = claude_block((*content)[j], at + ".content." + n(j), r,
                                  uses[i], results[i], j))
        return err;
    if (prefill && !content->Empty()) {
      auto& last = (*content)[content->Size() - 1];
      if (auto* t = member(last, "text");
          t != nullptr && t->IsString() && ends_blank(text_of(*t)))
        return trailing();
    }
  }
  // Each tool_use is answered by a tool_result in the very next message,
  // and each tool_result answers a tool_use of the message before it.
  for (size_t i = 0; i < count; ++i) {
    for (auto& [id, j] : results[i]) {
      bool known = i > 0
                   && std::find(uses[i - 1].begin(), uses[i - 1].end(), id)
                        != uses[i - 1].end();
      if (!known)
        return refuse("messages." + n(i) + ".content." + n(j)
                      + ": unexpected `tool_use_id` found in `tool_result` "
                        "blocks: "
                      + id
                      + ". Each `tool_result` block must have a "
                        "corresponding `tool_use` block in the previous "
                        "message.");
    }
    if (uses[i].empty() || i + 1 == count)
      continue;
    std::string missing;
    for (auto& id : uses[i]) {
      bool answered = std::any_of(results[i + 1].begin(), results[i + 1].end(),
                                  [&](auto& r) {
                                    return r.first == id;
                                  });
      if (!answered)
        missing += (missing.empty() ? "" : ", ") + id;
    }
    if (!missing.empty())
      return refuse("messages." + n(i + 1)
                    + ": `tool_use` ids were found without `tool_result` "
                      "blocks immediately after: "
                    + missing
                    + ". Each `tool_use` block must have a corresponding "
                      "`tool_result` block in the next message.");
  }
  return std::nullopt;
}

verdict claude_system(const value& body) {
  auto* s = member(body, "system");
  if (s == nullptr || s->IsString())
    return std::nullopt;
  if (!s->IsArray())
    return refuse("system: Input should be a valid string");
  for (rapidjson::SizeType i = 0; i < s->Size(); ++i) {
    auto& b = (*s)[i];
    auto at = "system." + n(i);
    if (!b.IsObject())
      return refuse(at + ": Input should be a valid dictionary");
    auto* type = member(b, "type");
    if (type == nullptr || !type->IsString() || text_of(*type) != "text")
      return refuse(at + ".type: Input should be 'text'");
    for (auto& f : b.GetObject())
      if (sv name = text_of(f.name); name != "type" && name != "text"
                                     && name != "cache_control"
                                     && name != "citations")
        return refuse(at + "." + std::string{name}
                      + ": Extra inputs are not permitted");
    if (auto err = claude_text(b, at, "system"))
      return err;
  }
  return std::nullopt;
}

/// A server tool's type names it and its version date: web_search_20250305.
bool server_tool_type(sv t) {
  if (t.size() < 10 || t[t.size() - 9] != '_')
    return false;
  return std::all_of(t.end() - 8, t.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

verdict claude_tools(const value& body) {
  auto* tools = member(body, "tools");
  if (tools == nullptr)
    return std::nullopt;
  if (!tools->IsArray())
    return refuse("tools: Input should be a valid list");
  for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
    auto& t = (*tools)[i];
    auto at = "tools." + n(i);
    if (!t.IsObject())
      return refuse(at + ": Input should be a valid dictionary");
    auto* type = member(t, "type");
    if (type != nullptr && type->IsString() && text_of(*type) != "custom") {
      if (server_tool_type(text_of(*type)))
        continue;
      return refuse(at + ".type: Input tag '" + std::string{text_of(*type)}
                    + "' found using 'type' does not match any of the "
                      "expected tags: 'custom', 'bash_20250124', "
                      "'code_execution_20250825', 'text_editor_20250728', "
                      "'web_search_20250305', 'web_fetch_20250910'");
    }
    at += ".custom";
    for (auto& f : t.GetObject())
      if (!listed(text_of(f.name), claude_custom_tool_fields))
        return refuse(at + "." + std::string{text_of(f.name)}
                      + ": Extra inputs are not permitted");
    if (auto err = claude_string(t, "name", at))
      return err;
    if (!name_like(text_of(t["name"]), 128))
      return refuse(at
                    + ".name: String should match pattern "
                      "'^[a-zA-Z0-9_-]{1,128}$'");
    if (auto* d = member(t, "description"); d != nullptr && !d->IsString())
      return refuse(at + ".description: Input should be a valid string");
    auto* schema = member(t, "input_schema");
    if (schema == nullptr)
      return refuse(at + ".input_schema: Field required");
    if (!schema->IsObject())
      return refuse(at + ".input_schema: Input should be a valid dictionary");
    auto* st = member(*schema, "type");
    if (st == nullptr)
      return refuse(at + ".input_schema.type: Field required");
    if (!st->IsString() || text_of(*st) != "object")
      return refuse(at + ".input_schema.type: Input should be 'object'");
  }
  return std::nullopt;
}

verdict claude_tool_choice(const value& body) {
  auto* tc = member(body, "tool_choice");
  if (tc == nullptr)
    return std::nullopt;
  if (!tc->IsObject())
    return refuse("tool_choice: Input should be a valid dictionary or object "
                  "to extract fields from");
  auto* type = member(*tc, "type");
  if (type == nullptr)
    return refuse("tool_choice.type: Field required");
  auto t = type->IsString() ? text_of(*type) : sv{};
  if (t != "auto" && t != "any" && t != "tool" && t != "none")
    return refuse("tool_choice: Input tag '" + std::string{t}
                  + "' found using 'type' does not match any of the expected "
                    "tags: 'auto', 'any', 'tool', 'none'");
  if (t == "tool")
    if (auto err = claude_string(*tc, "name", "tool_choice.tool"))
      return err;
  if (auto* d = member(*tc, "disable_parallel_tool_use");
      d != nullptr && !d->IsBool())
    return refuse("tool_choice." + std::string{t}
                  + ".disable_parallel_tool_use: Input should be a valid "
                    "boolean");
  return std::nullopt;
}

verdict claude_thinking(const value& body, bool count_tokens) {
  auto* th = member(body, "thinking");
  if (th == nullptr)
    return std::nullopt;
  if (!th->IsObject())
    return refuse("thinking: Input should be a valid dictionary or object to "
                  "extract fields from");
  auto* type = member(*th, "type");
  auto t = type != nullptr && type->IsString() ? text_of(*type) : sv{};
  if (t != "enabled" && t != "disabled" && t != "adaptive")
    return refuse("thinking: Input tag '" + std::string{t}
                  + "' found using 'type' does not match any of the expected "
                    "tags: 'enabled', 'disabled', 'adaptive'");
  if (t != "enabled")
    return std::nullopt;
  auto* budget = member(*th, "budget_tokens");
  if (budget == nullptr)
    return refuse("thinking.enabled.budget_tokens: Field required");
  if (!budget->IsInt64())
    return refuse("thinking.enabled.budget_tokens: Input should be a valid "
                  "integer");
  if (budget->GetInt64() < 1024)
    return refuse("thinking.enabled.budget_tokens: Input should be greater "
                  "than or equal to 1024");
  auto* max = member(body, "max_tokens");
  if (!count_tokens && max != nullptr && max->IsInt64()
      && max->GetInt64() <= budget->GetInt64())
    return refuse("`max_tokens` must be greater than "
                  "`thinking.budget_tokens`. Please consult our documentation "
                  "at https://docs.claude.com/en/docs/build-with-claude/"
                  "extended-thinking#max-tokens-and-context-window-size");
  if (auto* temp = member(body, "temperature");
      temp != nullptr && temp->IsNumber() && temp->GetDouble() != 1.0)
    return refuse("`temperature` may only be set to 1 when thinking is "
                  "enabled. Please consult our documentation at "
                  "https://docs.claude.com/en/docs/build-with-claude/"
                  "extended-thinking#feature-compatibility");
  if (auto* top_p = member(body, "top_p");
      top_p != nullptr && top_p->IsNumber() && top_p->GetDouble() < 0.95)
    return refuse("`top_p` must be greater than or equal to 0.95 or unset "
                  "when thinking is enabled. Please consult our "
                  "documentation at https://docs.claude.com/en/docs/"
                  "build-with-claude/extended-thinking#feature-compatibility");
  if (auto* tc = member(body, "tool_choice"); tc != nullptr && tc->IsObject()) {
    auto type = string_member(*tc, "type");
    if (type == "any" || type == "tool")
      return refuse("Thinking may not be enabled when tool_choice forces "
                    "tool use.");
  }
  return std::nullopt;
}

/// A number member within [lo, hi] (pydantic's words).
verdict claude_range(const value& body, const char* name, double lo,
                     double hi) {
  auto* v = member(body, name);
  if (v == nullptr)
    return std::nullopt;
  std::string at = name;
  if (!v->IsNumber())
    return refuse(at + ": Input should be a valid number");
  if (v->GetDouble() < lo)
    return refuse(at + ": Input should be greater than or equal to "
                  + number_text(value(lo)));
  if (v->GetDouble() > hi)
    return refuse(at + ": Input should be less than or equal to "
                  + number_text(value(hi)));
  return std::nullopt;
}

verdict claude_request(const value& body, bool count_tokens) {
  std::span<const sv> fields = claude_fields;
  if (count_tokens)
    fields = count_tokens_fields;
  for (auto& f : body.GetObject())
    if (!listed(text_of(f.name), fields))
      return refuse(std::string{text_of(f.name)}
                    + ": Extra inputs are not permitted");
  auto* model = member(body, "model");
  if (model == nullptr)
    return refuse("model: Field required");
  if (!model->IsString())
    return refuse("model: Input should be a valid string");
  if (!count_tokens) {
    auto* max = member(body, "max_tokens");
    if (max == nullptr)
      return refuse("max_tokens: Field required");
    if (!max->IsInt64())
      return refuse("max_tokens: Input should be a valid integer");
    if (max->GetInt64() < 1)
      return refuse("max_tokens: Input should be greater than or equal to 1");
  }
  if (auto err = claude_messages(body))
    return err;
  if (auto err = claude_system(body))
    return err;
  if (auto* s = member(body, "stream"); s != nullptr && !s->IsBool())
    return refuse("stream: Input should be a valid boolean");
  if (auto err = claude_range(body, "temperature", 0, 1))
    return err;
  if (auto err = claude_range(body, "top_p", 0, 1))
    return err;
  if (auto* k = member(body, "top_k"); k != nullptr) {
    if (!k->IsInt64())
      return refuse("top_k: Input should be a valid integer");
    if (k->GetInt64() < 0)
      return refuse("top_k: Input should be greater than or equal to 0");
  }
  if (auto* stop = member(body, "stop_sequences"); stop != nullptr) {
    if (!stop->IsArray())
      return refuse("stop_sequences: Input should be a valid list");
    for (rapidjson::SizeType i = 0; i < stop->Size(); ++i)
      if (!(*stop)[i].IsString())
        return refuse("stop_sequences." + n(i)
                      + ": Input should be a valid string");
  }
  if (auto* md = member(body, "metadata"); md != nullptr) {
    if (!md->IsObject())
      return refuse("metadata: Input should be a valid dictionary");
    for (auto& f : md->GetObject()) {
      if (text_of(f.name) != "user_id")
        return refuse("metadata." + std::string{text_of(f.name)}
                      + ": Extra inputs are not permitted");
      if (!f.value.IsString() && !f.value.IsNull())
        return refuse("metadata.user_id: Input should be a valid string");
    }
  }
  if (auto err = claude_tools(body))
    return err;
  if (auto err = claude_tool_choice(body))
    return err;
  return claude_thinking(body, count_tokens);
}

// -- OpenAI Chat Completions --------------------------------------------------
// OpenAI's messages name the parameter ('messages[1].content') and a code.

constexpr sv openai_fields[] = {"model",
                                "messages",
                                "audio",
                                "frequency_penalty",
                                "function_call",
                                "functions",
                                "logit_bias",
                                "logprobs",
                                "max_completion_tokens",
                                "max_tokens",
                                "metadata",
                                "modalities",
                                "n",
                                "parallel_tool_calls",
                                "prediction",
                                "presence_penalty",
                                "prompt_cache_key",
                                "prompt_cache_retention",
                                "reasoning_effort",
                                "response_format",
                                "safety_identifier",
                                "seed",
                                "service_tier",
                                "stop",
                                "store",
                                "stream",
                                "stream_options",
                                "temperature",
                                "tool_choice",
                                "tools",
                                "top_logprobs",
                                "top_p",
                                "user",
                                "verbosity",
                                "web_search_options"};

verdict missing(const std::string& param) {
  return refuse("Missing required parameter: '" + param + "'.", param,
                "missing_required_parameter");
}

verdict invalid_type(const std::string& param, const char* expected,
                     const value& got) {
  return refuse("Invalid type for '" + param + "': expected " + expected
                  + ", but got " + oh::json::type_name(got) + " instead.",
                param, "invalid_type");
}

verdict invalid_value(const std::string& param, sv got, sv supported) {
  return refuse("Invalid value: '" + std::string{got}
                  + "'. Supported values are: " + std::string{supported} + ".",
                param, "invalid_value");
}

/// A required string member (OpenAI's words).
verdict openai_string(const value& o, const char* name, const std::string& at) {
  auto param = at.empty() ? std::string{name} : at + "." + name;
  auto* v = member(o, name);
  if (v == nullptr)
    return missing(param);
  if (!v->IsString())
    return invalid_type(param, "a string", *v);
  return std::nullopt;
}

verdict openai_parts(const value& content, const std::string& at, sv role) {
  for (rapidjson::SizeType j = 0; j < content.Size(); ++j) {
    auto& part = content[j];
    auto p = at + "[" + n(j) + "]";
    if (!part.IsObject())
      return invalid_type(p, "an object", part);
    if (auto err = openai_string(part, "type", p))
      return err;
    auto type = text_of(part["type"]);
    bool allowed = type == "text";
    sv supported = "'text'";
    if (role == "user") {
      allowed = allowed || type == "image_url" || type == "input_audio"
                || type == "file";
      supported = "'text', 'image_url', 'input_audio', and 'file'";
    } else if (role == "assistant") {
      allowed = allowed || type == "refusal";
      supported = "'text' and 'refusal'";
    }
    if (!allowed)
      return invalid_value(p + ".type", type, supported);
    if (type == "text") {
      if (auto err = openai_string(part, "text", p))
        return err;
    } else if (type == "refusal") {
      if (auto err = openai_string(part, "refusal", p))
        return err;
    } else if (type == "image_url") {
      auto* url = member(part, "image_url");
      if (url == nullptr)
        return missing(p + ".image_url");
      if (!url->IsObject())
        return invalid_type(p + ".image_url", "an object", *url);
      if (auto err = openai_string(*url, "url", p + ".image_url"))
        return err;
    } else if (type == "input_audio") {
      auto* audio = member(part, "input_audio");
      if (audio == nullptr)
        return missing(p + ".input_audio");
      if (!audio->IsObject())
        return invalid_type(p + ".input_audio", "an object", *audio);
      for (auto* name : {"data", "format"})
        if (auto err = openai_string(*audio, name, p + ".input_audio"))
          return err;
    }
  }
  return std::nullopt;
}

/// The tool calls of an assistant message; their ids in `ids`.
verdict openai_calls(const value& calls, const std::string& at,
                     std::vector<std::string>& ids) {
  if (!calls.IsArray())
    return invalid_type(at, "an array", calls);
  if (calls.Empty())
    return refuse("Invalid '" + at
                    + "': empty array. Expected an array with minimum length "
                      "1, but got an empty array instead.",
                  at, "empty_array");
  for (rapidjson::SizeType k = 0; k < calls.Size(); ++k) {
    auto& c = calls[k];
    auto p = at + "[" + n(k) + "]";
    if (!c.IsObject())
      return invalid_type(p, "an object", c);
    if (auto err = openai_string(c, "id", p))
      return err;
    if (auto err = openai_string(c, "type", p))
      return err;
    if (text_of(c["type"]) != "function")
      return invalid_value(p + ".type", text_of(c["type"]), "'function'");
    auto* f = member(c, "function");
    if (f == nullptr)
      return missing(p + ".function");
    if (!f->IsObject())
      return invalid_type(p + ".function", "an object", *f);
    if (auto err = openai_string(*f, "name", p + ".function"))
      return err;
    if (auto err = openai_string(*f, "arguments", p + ".function"))
      return err;
    ids.emplace_back(text_of(c["id"]));
  }
  return std::nullopt;
}

verdict openai_messages(const value& body) {
  auto* ms = member(body, "messages");
  if (ms == nullptr)
    return missing("messages");
  if (!ms->IsArray())
    return invalid_type("messages", "an array", *ms);
  if (ms->Empty())
    return refuse("Invalid 'messages': empty array. Expected an array with "
                  "minimum length 1, but got an empty array instead.",
                  "messages", "empty_array");
  // The calls of the latest assistant message with tool_calls, and those
  // still waiting for their tool message.
  std::vector<std::string> calls;
  std::vector<std::string> waiting;
  size_t calls_at = 0;
  bool answering = false; // tool messages may follow now
  auto unanswered = [&] {
    std::string ids;
    for (auto& id : waiting)
      ids += (ids.empty() ? "" : ", ") + id;
    return refuse("An assistant message with 'tool_calls' must be followed by "
                  "tool messages responding to each 'tool_call_id'. The "
                  "following tool_call_ids did not have response messages: "
                    + ids,
                  "messages.[" + n(calls_at) + "].role");
  };
  for (rapidjson::SizeType i = 0; i < ms->Size(); ++i) {
    auto& m = (*ms)[i];
    auto at = "messages[" + n(i) + "]";
    if (!m.IsObject())
      return invalid_type(at, "an object", m);
    if (auto err = openai_string(m, "role", at))
      return err;
    auto role = text_of(m["role"]);
    if (role != "system" && role != "developer" && role != "user"
        && role != "assistant" && role != "tool" && role != "function")
      return invalid_value(at + ".role", role,
                           "'system', 'assistant', 'user', 'function', "
                           "'tool', and 'developer'");
    if (role != "tool") {
      if (!waiting.empty())
        return unanswered();
      answering = false;
    }
    auto* content = member(m, "content");
    bool has_calls = member(m, "tool_calls") != nullptr
                     || member(m, "function_call") != nullptr;
    if (content == nullptr && role != "assistant")
      return missing(at + ".content");
    if ((content == nullptr || content->IsNull()) && role == "assistant"
        && !has_calls && member(m, "refusal") == nullptr)
      return refuse("Invalid value for 'content': expected a string, got "
                    "null.",
                    "messages.[" + n(i) + "].content");
    if (content != nullptr && content->IsNull() && role != "assistant")
      return refuse("Invalid value for 'content': expected a string, got "
                    "null.",
                    "messages.[" + n(i) + "].content");
    if (content != nullptr && !content->IsNull()) {
      if (content->IsArray()) {
        if (auto err = openai_parts(*content, at + ".content", role))
          return err;
      } else if (!content->IsString()) {
        return invalid_type(at + ".content",
                            "one of a string or array of objects", *content);
      }
    }
    if (role == "assistant")
      if (auto* tc = member(m, "tool_calls"); tc != nullptr && !tc->IsNull()) {
        calls.clear();
        if (auto err = openai_calls(*tc, at + ".tool_calls", calls))
          return err;
        waiting = calls;
        calls_at = i;
        answering = true;
      }
    if (role == "tool") {
      if (auto err = openai_string(m, "tool_call_id", at))
        return err;
      if (!answering)
        return refuse("Invalid parameter: messages with role 'tool' must be "
                      "a response to a preceeding message with 'tool_calls'.",
                      "messages.[" + n(i) + "].role");
      std::string id{text_of(m["tool_call_id"])};
      if (std::find(calls.begin(), calls.end(), id) == calls.end())
        return refuse("Invalid parameter: 'tool_call_id' of '" + id
                        + "' not found in 'tool_calls' of previous message.",
                      "messages.[" + n(i) + "].tool_call_id");
      std::erase(waiting, id);
    }
  }
  if (!waiting.empty())
    return unanswered();
  return std::nullopt;
}

verdict openai_tools(const value& body) {
  auto* tools = member(body, "tools");
  bool any = tools != nullptr && tools->IsArray() && !tools->Empty();
  if (tools != nullptr && !tools->IsArray())
    return invalid_type("tools", "an array", *tools);
  if (any)
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      auto& t = (*tools)[i];
      auto at = "tools[" + n(i) + "]";
      if (!t.IsObject())
        return invalid_type(at, "an object", t);
      if (auto err = openai_string(t, "type", at))
        return err;
      auto type = text_of(t["type"]);
      if (type == "custom")
        continue;
      if (type != "function")
        return invalid_value(at + ".type", type, "'function' and 'custom'");
      auto* f = member(t, "function");
      if (f == nullptr)
        return missing(at + ".function");
      if (!f->IsObject())
        return invalid_type(at + ".function", "an object", *f);
      if (auto err = openai_string(*f, "name", at + ".function"))
        return err;
      if (!name_like(text_of((*f)["name"]), 64))
        return refuse("Invalid '" + at
                        + ".function.name': string does not match pattern. "
                          "Expected a string that matches the pattern "
                          "'^[a-zA-Z0-9_-]+$'.",
                      at + ".function.name", "invalid_value");
      if (auto* p = member(*f, "parameters"); p != nullptr && !p->IsObject())
        return invalid_type(at + ".function.parameters", "an object", *p);
    }
  for (auto* name : {"tool_choice", "parallel_tool_calls"})
    if (member(body, name) != nullptr && !any)
      return refuse("Invalid value for '" + std::string{name} + "': '" + name
                      + "' is only allowed when 'tools' are specified.",
                    name);
  if (auto* tc = member(body, "tool_choice"); tc != nullptr) {
    if (tc->IsString()) {
      auto c = text_of(*tc);
      if (c != "none" && c != "auto" && c != "required")
        return invalid_value("tool_choice", c,
                             "'none', 'auto', and 'required'");
    } else if (tc->IsObject()) {
      if (auto err = openai_string(*tc, "type", "tool_choice"))
        return err;
      if (text_of((*tc)["type"]) == "function") {
        auto* f = member(*tc, "function");
        if (f == nullptr)
          return missing("tool_choice.function");
        if (!f->IsObject())
          return invalid_type("tool_choice.function", "an object", *f);
        if (auto err = openai_string(*f, "name", "tool_choice.function"))
          return err;
      }
    } else {
      return invalid_type("tool_choice", "one of a string or object", *tc);
    }
  }
  return std::nullopt;
}

/// A number member within [lo, hi] (OpenAI's words).
verdict openai_range(const value& body, const char* name, double lo,
                     double hi) {
  auto* v = member(body, name);
  if (v == nullptr || v->IsNull())
    return std::nullopt;
  std::string p = name;
  if (!v->IsNumber())
    return invalid_type(p, "a number", *v);
  if (v->GetDouble() > hi)
    return refuse(
      "Invalid '" + p + "': decimal above maximum value. Expected a value <= "
        + number_text(value(hi)) + ", but got " + number_text(*v) + " instead.",
      p, "decimal_above_max_value");
  if (v->GetDouble() < lo)
    return refuse(
      "Invalid '" + p + "': decimal below minimum value. Expected a value >= "
        + number_text(value(lo)) + ", but got " + number_text(*v) + " instead.",
      p, "decimal_below_min_value");
  return std::nullopt;
}

verdict openai_request(const value& body) {
  for (auto& f : body.GetObject())
    if (!listed(text_of(f.name), openai_fields))
      return refuse("Unrecognized request argument supplied: "
                    + std::string{text_of(f.name)});
  auto* model = member(body, "model");
  if (model == nullptr)
    return refuse("you must provide a model parameter");
  if (!model->IsString())
    return invalid_type("model", "a string", *model);
  if (auto err = openai_messages(body))
    return err;
  if (auto err = openai_tools(body))
    return err;
  auto* stream = member(body, "stream");
  if (stream != nullptr && !stream->IsBool() && !stream->IsNull())
    return invalid_type("stream", "a boolean", *stream);
  bool streaming = stream != nullptr && stream->IsBool() && stream->GetBool();
  if (auto* so = member(body, "stream_options");
      so != nullptr && !so->IsNull() && !streaming)
    return refuse("The 'stream_options' parameter is only allowed when "
                  "'stream' is enabled.",
                  "stream_options");
  if (auto err = openai_range(body, "temperature", 0, 2))
    return err;
  if (auto err = openai_range(body, "top_p", 0, 1))
    return err;
  for (auto* name : {"max_tokens", "max_completion_tokens", "n"}) {
    auto* v = member(body, name);
    if (v == nullptr || v->IsNull())
      continue;
    if (!v->IsInt64())
      return invalid_type(name, "an integer", *v);
    if (v->GetInt64() < 1)
      return refuse("Invalid '" + std::string{name}
                      + "': integer below minimum value. Expected a value >= "
                        "1, but got "
                      + number_text(*v) + " instead.",
                    name, "integer_below_min_value");
  }
  if (auto* stop = member(body, "stop");
      stop != nullptr && !stop->IsNull() && !stop->IsString()) {
    if (!stop->IsArray())
      return invalid_type("stop", "one of a string or array of strings", *stop);
    for (rapidjson::SizeType i = 0; i < stop->Size(); ++i)
      if (!(*stop)[i].IsString())
        return invalid_type("stop[" + n(i) + "]", "a string", (*stop)[i]);
  }
  if (auto* rf = member(body, "response_format"); rf != nullptr) {
    if (!rf->IsObject())
      return invalid_type("response_format", "an object", *rf);
    if (auto err = openai_string(*rf, "type", "response_format"))
      return err;
    auto type = text_of((*rf)["type"]);
    if (type != "text" && type != "json_object" && type != "json_schema")
      return invalid_value("response_format.type", type,
                           "'text', 'json_object', and 'json_schema'");
    if (type == "json_schema") {
      auto* js = member(*rf, "json_schema");
      if (js == nullptr)
        return missing("response_format.json_schema");
      if (!js->IsObject())
        return invalid_type("response_format.json_schema", "an object", *js);
      if (auto err = openai_string(*js, "name", "response_format.json_schema"))
        return err;
    }
  }
  return std::nullopt;
}

// -- OpenAI Responses (ChatGPT Codex backend) ---------------------------------

verdict codex_request(const value& body) {
  auto* input = member(body, "input");
  if (input == nullptr)
    return missing("input");
  if (!input->IsArray())
    return invalid_type("input", "an array", *input);
  std::set<std::string> calls;
  for (rapidjson::SizeType i = 0; i < input->Size(); ++i) {
    auto& item = (*input)[i];
    auto at = "input[" + n(i) + "]";
    if (!item.IsObject())
      return invalid_type(at, "an object", item);
    auto* type_v = member(item, "type");
    if (type_v != nullptr && !type_v->IsString())
      return invalid_type(at + ".type", "a string", *type_v);
    // An item without a type is an "easy" input message.
    sv type = type_v != nullptr ? text_of(*type_v) : sv{"message"};
    if (type == "message") {
      if (auto err = openai_string(item, "role", at))
        return err;
      auto role = text_of(item["role"]);
      if (role != "user" && role != "assistant" && role != "system"
          && role != "developer")
        return invalid_value(at + ".role", role,
                             "'assistant', 'system', 'developer', and 'user'");
      auto* content = member(item, "content");
      if (content == nullptr)
        return missing(at + ".content");
      if (content->IsString())
        continue;
      if (!content->IsArray())
        return invalid_type(at + ".content",
                            "one of a string or array of objects", *content);
      for (rapidjson::SizeType j = 0; j < content->Size(); ++j) {
        auto& part = (*content)[j];
        auto p = at + ".content[" + n(j) + "]";
        if (!part.IsObject())
          return invalid_type(p, "an object", part);
        if (auto err = openai_string(part, "type", p))
          return err;
        auto pt = text_of(part["type"]);
        if (role == "assistant" && pt != "output_text" && pt != "refusal")
          return invalid_value(p, pt, "'output_text' and 'refusal'");
        if (role != "assistant" && pt != "input_text" && pt != "input_image"
            && pt != "input_file")
          return invalid_value(p, pt,
                               "'input_text', 'input_image', and "
                               "'input_file'");
        if (pt == "input_text" || pt == "output_text")
          if (auto err = openai_string(part, "text", p))
            return err;
      }
    } else if (type == "function_call") {
      for (auto* name : {"call_id", "name", "arguments"})
        if (auto err = openai_string(item, name, at))
          return err;
      calls.emplace(text_of(item["call_id"]));
    } else if (type == "function_call_output") {
      if (auto err = openai_string(item, "call_id", at))
        return err;
      auto* out = member(item, "output");
      if (out == nullptr)
        return missing(at + ".output");
      if (!out->IsString() && !out->IsArray())
        return invalid_type(at + ".output", "one of a string or array", *out);
      std::string id{text_of(item["call_id"])};
      if (!calls.contains(id))
        return refuse("No tool call found for function call output with "
                      "call_id "
                        + id + ".",
                      "input");
    } else if (type == "reasoning") {
      auto* summary = member(item, "summary");
      if (summary == nullptr)
        return missing(at + ".summary");
      if (!summary->IsArray())
        return invalid_type(at + ".summary", "an array", *summary);
    } else if (type != "item_reference" && type != "custom_tool_call"
               && type != "custom_tool_call_output"
               && type != "local_shell_call"
               && type != "local_shell_call_output"
               && type != "web_search_call") {
      return invalid_value(at + ".type", type,
                           "'message', 'function_call', "
                           "'function_call_output', 'reasoning', "
                           "'item_reference', 'custom_tool_call', "
                           "'custom_tool_call_output', 'local_shell_call', "
                           "'local_shell_call_output', and 'web_search_call'");
    }
  }
  if (auto* tools = member(body, "tools"); tools != nullptr) {
    if (!tools->IsArray())
      return invalid_type("tools", "an array", *tools);
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      auto& t = (*tools)[i];
      auto at = "tools[" + n(i) + "]";
      if (!t.IsObject())
        return invalid_type(at, "an object", t);
      if (auto err = openai_string(t, "type", at))
        return err;
      if (text_of(t["type"]) != "function")
        continue;
      // Responses tools are flat: Chat Completions' nested `function` is
      // not read, so its name is missing.
      if (auto err = openai_string(t, "name", at))
        return err;
      if (auto* p = member(t, "parameters");
          p != nullptr && !p->IsObject() && !p->IsNull())
        return invalid_type(at + ".parameters", "an object", *p);
    }
  }
  if (auto* tc = member(body, "tool_choice"); tc != nullptr) {
    if (tc->IsString()) {
      auto c = text_of(*tc);
      if (c != "none" && c != "auto" && c != "required")
        return invalid_value("tool_choice", c,
                             "'none', 'auto', and 'required'");
    } else if (tc->IsObject()) {
      if (auto err = openai_string(*tc, "type", "tool_choice"))
        return err;
      if (text_of((*tc)["type"]) == "function")
        if (auto err = openai_string(*tc, "name", "tool_choice"))
          return err;
    } else {
      return invalid_type("tool_choice", "one of a string or object", *tc);
    }
  }
  return std::nullopt;
}

// -- Gemini generateContent ---------------------------------------------------
// Protocol-buffer JSON: a field goes by its lowerCamelCase or its proto
// snake_case name, anything else is an unknown name. Paths in messages use
// the snake_case names, as Google's do.

std::string camel(sv name) {
  std::string out;
  bool up = false;
  for (char c : name) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    up = false;
  }
  return out;
}

std::string snake(sv name) {
  std::string out;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

/// The member by either of its names (`name` in lowerCamelCase).
const value* field(const value& o, const char* name) {
  if (auto* v = member(o, name))
    return v;
  return member(o, snake(name).c_str());
}

verdict unknown_names(const value& o, std::span<const sv> known,
                      const std::string& at) {
  for (auto& f : o.GetObject())
    if (!listed(camel(text_of(f.name)), known))
      return refuse("Invalid JSON payload received. Unknown name \""
                    + std::string{text_of(f.name)} + "\""
                    + (at.empty() ? std::string{} : " at '" + at + "'")
                    + ": Cannot find field.");
  return std::nullopt;
}

verdict invalid_at(const std::string& at, sv type, const value& got) {
  return refuse("Invalid value at '" + at + "' (" + std::string{type} + "), "
                + oh::json::to_string(got));
}

constexpr const char* gemini_pkg = "type.googleapis.com/google.ai."
                                   "generativelanguage.v1beta.";

constexpr sv gemini_api_fields[] = {"contents",          "tools",
                                    "toolConfig",        "safetySettings",
                                    "systemInstruction", "generationConfig",
                                    "cachedContent",     "model"};
/// Code Assist's inner request (Vertex's shape).
constexpr sv code_assist_fields[] = {
  "contents", "systemInstruction", "cachedContent",    "tools",    "toolConfig",
  "labels",   "safetySettings",    "generationConfig", "sessionId"};
constexpr sv code_assist_wrapper[]
  = {"model", "project", "userPromptId", "request"};

constexpr sv part_data[] = {"text",
                            "inlineData",
                            "fileData",
                            "functionCall",
                            "functionResponse",
                            "executableCode",
                            "codeExecutionResult"};
constexpr sv part_fields[] = {"text",
                              "inlineData",
                              "fileData",
                              "functionCall",
                              "functionResponse",
                              "executableCode",
                              "codeExecutionResult",
                              "thought",
                              "thoughtSignature",
                              "videoMetadata",
                              "partMetadata",
                              "mediaResolution"};
constexpr sv schema_fields[]
  = {"type",        "format",        "title",
     "description", "nullable",      "enum",
     "maxItems",    "minItems",      "properties",
     "required",    "minProperties", "maxProperties",
     "minLength",   "maxLength",     "pattern",
     "example",     "anyOf",         "propertyOrdering",
     "default",     "items",         "minimum",
     "maximum"};
constexpr sv generation_fields[] = {"stopSequences",
                                    "responseMimeType",
                                    "responseSchema",
                                    "responseJsonSchema",
                                    "responseModalities",
                                    "candidateCount",
                                    "maxOutputTokens",
                                    "temperature",
                                    "topP",
                                    "topK",
                                    "seed",
                                    "presencePenalty",
                                    "frequencyPenalty",
                                    "responseLogprobs",
                                    "logprobs",
                                    "enableEnhancedCivicAnswers",
                                    "speechConfig",
                                    "thinkingConfig",
                                    "mediaResolution",
                                    "imageConfig"};
constexpr sv tool_fields[] = {"functionDeclarations", "googleSearchRetrieval",
                              "codeExecution",        "googleSearch",
                              "urlContext",           "computerUse",
                              "fileSearch",           "googleMaps"};
constexpr sv declaration_fields[]
  = {"name",     "description",        "parameters", "parametersJsonSchema",
     "response", "responseJsonSchema", "behavior"};

verdict gemini_schema(const value& s, const std::string& at, int depth) {
  if (!s.IsObject())
    return invalid_at(at, std::string{gemini_pkg} + "Schema", s);
  if (depth > 64)
    return refuse("* GenerateContentRequest." + at
                  + ": schema is nested too deeply\n");
  if (auto err = unknown_names(s, schema_fields, at))
    return err;
  if (auto* t = field(s, "type")) {
    std::string up;
    if (t->IsString())
      for (char c : text_of(*t))
        up += c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    static constexpr sv types[]
      = {"TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER",
         "BOOLEAN",          "ARRAY",  "OBJECT", "NULL"};
    if (!listed(up, types))
      return invalid_at(at + ".type", std::string{gemini_pkg} + "Type", *t);
  }
  if (auto* props = field(s, "properties")) {
    if (!props->IsObject())
      return invalid_at(at + ".properties", "map", *props);
    for (auto& p : props->GetObject())
      if (auto err = gemini_schema(p.value,
                                   at + ".properties["
                                     + std::string{text_of(p.name)} + "].value",
                                   depth + 1))
        return err;
  }
  if (auto* items = field(s, "items"))
    if (auto err = gemini_schema(*items, at + ".items", depth + 1))
      return err;
  if (auto* any = field(s, "anyOf")) {
    if (!any->IsArray())
      return invalid_at(at + ".any_of", "list", *any);
    for (rapidjson::SizeType i = 0; i < any->Size(); ++i)
      if (auto err
          = gemini_schema((*any)[i], at + ".any_of[" + n(i) + "]", depth + 1))
        return err;
  }
  for (auto* name : {"required", "enum", "propertyOrdering"})
    if (auto* list = field(s, name)) {
      auto p = at + "." + snake(name);
      if (!list->IsArray())
        return invalid_at(p, "list", *list);
      for (rapidjson::SizeType i = 0; i < list->Size(); ++i)
        if (!(*list)[i].IsString())
          return invalid_at(p + "[" + n(i) + "]", "TYPE_STRING", (*list)[i]);
    }
  return std::nullopt;
}

/// One part of contents[i] (or of the system instruction, `at` names it);
/// counts its function calls and responses.
verdict gemini_part(const value& p, const std::string& at, int& calls,
                    int& responses) {
  if (!p.IsObject())
    return invalid_at(at, std::string{gemini_pkg} + "Part", p);
  if (auto err = unknown_names(p, part_fields, at))
    return err;
  const char* set = nullptr;
  for (auto name : part_data) {
    auto* v = field(p, std::string{name}.c_str());
    // An empty text is no data at all to the API.
    if (v == nullptr
        || (name == "text" && v->IsString() && v->GetStringLength() == 0))
      continue;
    if (set != nullptr)
      return refuse("Invalid JSON payload received. Oneof field 'data' is "
                    "already set. Cannot set '"
                    + std::string{name} + "'");
    set = name.data();
  }
  if (set == nullptr)
    return refuse("* GenerateContentRequest." + at
                  + ".data: required oneof field 'data' must have one "
                    "initialized field\n");
  sv data = set;
  if (data == "text" && !field(p, "text")->IsString())
    return invalid_at(at + ".text", "TYPE_STRING", *field(p, "text"));
  if (data == "inlineData") {
    auto& d = *field(p, "inlineData");
    if (!d.IsObject())
      return invalid_at(at + ".inline_data", std::string{gemini_pkg} + "Blob",
                        d);
    for (auto* name : {"mimeType", "data"}) {
      auto* v = field(d, name);
      if (v == nullptr || !v->IsString() || v->GetStringLength() == 0)
        return refuse("* GenerateContentRequest." + at + ".inline_data."
                      + snake(name) + ": " + snake(name)
                      + " must not be empty\n");
    }
  }
  if (data == "functionCall" || data == "functionResponse") {
    bool call = data == "functionCall";
    auto& f = *field(p, set);
    auto path = at + (call ? ".function_call" : ".function_response");
    if (!f.IsObject())
      return invalid_at(path,
                        std::string{gemini_pkg}
                          + (call ? "FunctionCall" : "FunctionResponse"),
                        f);
    auto* name = field(f, "name");
    if (name == nullptr || !name->IsString() || name->GetStringLength() == 0)
      return refuse("* GenerateContentRequest." + path
                    + ".name: Name cannot be empty.\n");
    const char* body = call ? "args" : "response";
    auto* v = field(f, body);
    if (v != nullptr && !v->IsObject())
      return invalid_at(path + "." + body,
                        "type.googleapis.com/google.protobuf.Struct", *v);
    if (!call && v == nullptr)
      return refuse("* GenerateContentRequest." + path
                    + ".response: response must be set\n");
    (call ? calls : responses) += 1;
  }
  if (auto* t = field(p, "thought"); t != nullptr && !t->IsBool())
    return invalid_at(at + ".thought", "TYPE_BOOL", *t);
  return std::nullopt;
}

verdict gemini_contents(const value& body) {
  auto* contents = field(body, "contents");
  if (contents == nullptr || (contents->IsArray() && contents->Empty()))
    return refuse("* GenerateContentRequest.contents: contents is not "
                  "specified\n");
  if (!contents->IsArray())
    return invalid_at("contents", std::string{gemini_pkg} + "Content",
                      *contents);
  struct turn {
    bool model = false;
    int calls = 0;
    int responses = 0;
  };
  std::vector<turn> turns;
  for (rapidjson::SizeType i = 0; i < contents->Size(); ++i) {
    auto& c = (*contents)[i];
    auto at = "contents[" + n(i) + "]";
    if (!c.IsObject())
      return invalid_at(at, std::string{gemini_pkg} + "Content", c);
    static constexpr sv content_fields[] = {"role", "parts"};
    if (auto err = unknown_names(c, content_fields, at))
      return err;
    turn t;
    if (auto* role = field(c, "role")) {
      auto r = role->IsString() ? text_of(*role) : sv{"?"};
      if (r != "user" && r != "model" && !r.empty())
        return refuse("Please use a valid role: user, model.");
      t.model = r == "model";
    }
    auto* parts = field(c, "parts");
    if (parts == nullptr || (parts->IsArray() && parts->Empty()))
      return refuse("* GenerateContentRequest." + at
                    + ".parts: contents.parts must not be empty.\n");
    if (!parts->IsArray())
      return invalid_at(at + ".parts", std::string{gemini_pkg} + "Part",
                        *parts);
    for (rapidjson::SizeType j = 0; j < parts->Size(); ++j)
      if (auto err = gemini_part((*parts)[j], at + ".parts[" + n(j) + "]",
                                 t.calls, t.responses))
        return err;
    turns.push_back(t);
  }
  // Function calling is a strict dialogue: a call turn answers a user turn
  // (or a response turn), a response turn answers the call turn before it,
  // one response per call.
  for (size_t i = 0; i < turns.size(); ++i) {
    auto& t = turns[i];
    if (t.model && t.calls > 0 && (i == 0 || turns[i - 1].model))
      return refuse("Please ensure that function call turn comes immediately "
                    "after a user turn or after a function response turn.");
    if (t.responses > 0) {
      if (i == 0 || !turns[i - 1].model || turns[i - 1].calls == 0)
        return refuse("Please ensure that function response turn comes "
                      "immediately after a function call turn.");
      if (t.responses != turns[i - 1].calls)
        return refuse("Please ensure that the number of function response "
                      "parts is equal to the number of function call parts "
                      "of the function call turn.");
    }
  }
  return std::nullopt;
}

verdict gemini_generation(const value& body) {
  auto* gc = field(body, "generationConfig");
  if (gc == nullptr)
    return std::nullopt;
  if (!gc->IsObject())
    return invalid_at("generation_config",
                      std::string{gemini_pkg} + "GenerationConfig", *gc);
  if (auto err = unknown_names(*gc, generation_fields, "generation_config"))
    return err;
  for (auto* name : {"maxOutputTokens", "candidateCount", "topK", "seed"})
    if (auto* v = field(*gc, name); v != nullptr && !v->IsInt64())
      return invalid_at("generation_config." + snake(name), "TYPE_INT32", *v);
  for (auto* name :
       {"temperature", "topP", "presencePenalty", "frequencyPenalty"})
    if (auto* v = field(*gc, name); v != nullptr && !v->IsNumber())
      return invalid_at("generation_config." + snake(name), "TYPE_FLOAT", *v);
  if (auto* stop = field(*gc, "stopSequences")) {
    if (!stop->IsArray())
      return invalid_at("generation_config.stop_sequences", "list", *stop);
    for (rapidjson::SizeType i = 0; i < stop->Size(); ++i)
      if (!(*stop)[i].IsString())
        return invalid_at("generation_config.stop_sequences[" + n(i) + "]",
                          "TYPE_STRING", (*stop)[i]);
    if (stop->Size() > 5)
      return refuse("* GenerateContentRequest.generation_config.stop_"
                    "sequences: at most 5 stop sequences are allowed\n");
  }
  if (auto* mime = field(*gc, "responseMimeType");
      mime != nullptr && !mime->IsString())
    return invalid_at("generation_config.response_mime_type", "TYPE_STRING",
                      *mime);
  if (auto* schema = field(*gc, "responseSchema"))
    if (auto err
        = gemini_schema(*schema, "generation_config.response_schema", 0))
      return err;
  if (auto* th = field(*gc, "thinkingConfig")) {
    if (!th->IsObject())
      return invalid_at("generation_config.thinking_config",
                        std::string{gemini_pkg} + "ThinkingConfig", *th);
    static constexpr sv thinking_fields[]
      = {"includeThoughts", "thinkingBudget", "thinkingLevel"};
    if (auto err = unknown_names(*th, thinking_fields,
                                 "generation_config.thinking_config"))
      return err;
    if (auto* b = field(*th, "thinkingBudget"); b != nullptr && !b->IsInt64())
      return invalid_at("generation_config.thinking_config.thinking_budget",
                        "TYPE_INT32", *b);
  }
  return std::nullopt;
}

verdict gemini_tools(const value& body) {
  auto* tools = field(body, "tools");
  if (tools != nullptr) {
    if (!tools->IsArray())
      return invalid_at("tools", std::string{gemini_pkg} + "Tool", *tools);
    for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
      auto& t = (*tools)[i];
      auto at = "tools[" + n(i) + "]";
      if (!t.IsObject())
        return invalid_at(at, std::string{gemini_pkg} + "Tool", t);
      if (auto err = unknown_names(t, tool_fields, at))
        return err;
      auto* decls = field(t, "functionDeclarations");
      if (decls == nullptr)
        continue;
      if (!decls->IsArray())
        return invalid_at(at + ".function_declarations", "list", *decls);
      for (rapidjson::SizeType j = 0; j < decls->Size(); ++j) {
        auto& d = (*decls)[j];
        auto dat = at + ".function_declarations[" + n(j) + "]";
        if (!d.IsObject())
          return invalid_at(dat,
                            std::string{gemini_pkg} + "FunctionDeclaration", d);
        if (auto err = unknown_names(d, declaration_fields, dat))
          return err;
        auto* name = field(d, "name");
        auto nm = name != nullptr && name->IsString() ? text_of(*name) : sv{};
        bool starts = !nm.empty()
                      && ((nm[0] >= 'a' && nm[0] <= 'z')
                          || (nm[0] >= 'A' && nm[0] <= 'Z') || nm[0] == '_');
        if (!starts || !name_like(nm, 64, ".:"))
          return refuse("* GenerateContentRequest." + dat
                        + ".name: Invalid function name. Must start with a "
                          "letter or an underscore. Must be alphameric (a-z, "
                          "A-Z, 0-9), underscores (_), dots (.), colons (:), "
                          "or dashes (-), with a maximum length of 64.\n");
        if (auto* params = field(d, "parameters"))
          if (auto err = gemini_schema(*params, dat + ".parameters", 0))
            return err;
      }
    }
  }
  if (auto* tc = field(body, "toolConfig")) {
    if (!tc->IsObject())
      return invalid_at("tool_config", std::string{gemini_pkg} + "ToolConfig",
                        *tc);
    static constexpr sv tool_config_fields[]
      = {"functionCallingConfig", "retrievalConfig"};
    if (auto err = unknown_names(*tc, tool_config_fields, "tool_config"))
      return err;
    if (auto* fc = field(*tc, "functionCallingConfig")) {
      static constexpr sv fc_fields[] = {"mode", "allowedFunctionNames"};
      if (!fc->IsObject())
        return invalid_at("tool_config.function_calling_config",
                          std::string{gemini_pkg} + "FunctionCallingConfig",
                          *fc);
      if (auto err = unknown_names(*fc, fc_fields,
                                   "tool_config.function_calling_config"))
        return err;
      static constexpr sv modes[]
        = {"MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"};
      if (auto* mode = field(*fc, "mode");
          mode != nullptr
          && (!mode->IsString() || !listed(text_of(*mode), modes)))
        return invalid_at(
          "tool_config.function_calling_config.mode",
          std::string{gemini_pkg} + "FunctionCallingConfig.Mode", *mode);
    }
  }
  return std::nullopt;
}

verdict gemini_system(const value& body) {
  auto* si = field(body, "systemInstruction");
  if (si == nullptr)
    return std::nullopt;
  if (!si->IsObject())
    return invalid_at("system_instruction", std::string{gemini_pkg} + "Content",
                      *si);
  static constexpr sv content_fields[] = {"role", "parts"};
  if (auto err = unknown_names(*si, content_fields, "system_instruction"))
    return err;
  auto* parts = field(*si, "parts");
  if (parts == nullptr || !parts->IsArray() || parts->Empty())
    return refuse("* GenerateContentRequest.system_instruction.parts: "
                  "contents.parts must not be empty.\n");
  int calls = 0;
  int responses = 0;
  for (rapidjson::SizeType j = 0; j < parts->Size(); ++j)
    if (auto err
        = gemini_part((*parts)[j], "system_instruction.parts[" + n(j) + "]",
                      calls, responses))
      return err;
  return std::nullopt;
}

verdict gemini_request(const value& body, std::span<const sv> fields) {
  if (auto err = unknown_names(body, fields, ""))
    return err;
  if (auto err = gemini_contents(body))
    return err;
  if (auto err = gemini_system(body))
    return err;
  if (auto err = gemini_generation(body))
    return err;
  if (auto err = gemini_tools(body))
    return err;
  if (auto* ss = field(body, "safetySettings")) {
    if (!ss->IsArray())
      return invalid_at("safety_settings", "list", *ss);
    static constexpr sv safety_fields[] = {"category", "threshold", "method"};
    for (rapidjson::SizeType i = 0; i < ss->Size(); ++i) {
      auto at = "safety_settings[" + n(i) + "]";
      if (!(*ss)[i].IsObject())
        return invalid_at(at, std::string{gemini_pkg} + "SafetySetting",
                          (*ss)[i]);
      if (auto err = unknown_names((*ss)[i], safety_fields, at))
        return err;
    }
  }
  return std::nullopt;
}

verdict code_assist_request(const value& body) {
  if (auto err = unknown_names(body, code_assist_wrapper, ""))
    return err;
  // The wrapper's own fields are checked with the subscription's headers
  // (subscription.cpp): `request` is an object here.
  auto* inner = member(body, "request");
  if (inner == nullptr || !inner->IsObject())
    return refuse("request is required");
  return gemini_request(*inner, code_assist_fields);
}

// -- Ollama /api/chat ---------------------------------------------------------
// Ollama decodes with Go's encoding/json: a wrong type is Go's unmarshal
// error; unknown fields are ignored.

const char* go_type(const value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "bool";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    default:
      return "number";
  }
}

verdict go_unmarshal(const value& v, const std::string& field_path,
                     const char* go) {
  return refuse(std::string{"json: cannot unmarshal "} + go_type(v)
                + " into Go struct field " + field_path + " of type " + go);
}

/// Standard padded base64, as Go's []byte decoding wants it; the offset of
/// the first byte it cannot take, or -1.
long bad_base64_at(sv s) {
  auto ok = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '+' || c == '/';
  };
  size_t end = s.size();
  while (end > 0 && s[end - 1] == '=' && s.size() - end < 2)
    --end;
  for (size_t i = 0; i < end; ++i)
    if (!ok(s[i]))
      return static_cast<long>(i);
  if (s.size() % 4 != 0)
    return static_cast<long>(s.size() - s.size() % 4);
  return -1;
}

verdict ollama_request(const value& body) {
  auto* model = member(body, "model");
  if (model != nullptr && !model->IsString() && !model->IsNull())
    return go_unmarshal(*model, "ChatRequest.model", "string");
  if (model == nullptr || model->IsNull() || model->GetStringLength() == 0)
    return refuse("model is required");
  auto* ms = member(body, "messages");
  if (ms != nullptr && !ms->IsNull() && !ms->IsArray())
    return go_unmarshal(*ms, "ChatRequest.messages", "[]api.Message");
  if (ms != nullptr && ms->IsArray())
    for (rapidjson::SizeType i = 0; i < ms->Size(); ++i) {
      auto& m = (*ms)[i];
      if (!m.IsObject())
        return go_unmarshal(m, "ChatRequest.messages", "api.Message");
      for (auto* name : {"role", "content", "thinking", "tool_name"})
        if (auto* v = member(m, name);
            v != nullptr && !v->IsString() && !v->IsNull())
          return go_unmarshal(*v, std::string{"Message.messages."} + name,
                              "string");
      auto role = string_member(m, "role");
      if (role != "system" && role != "user" && role != "assistant"
          && role != "tool")
        return refuse("invalid role \"" + std::string{role} + "\" in messages["
                      + n(i) + "]: must be system, user, assistant or tool");
      if (auto* images = member(m, "images");
          images != nullptr && !images->IsNull()) {
        if (!images->IsArray())
          return go_unmarshal(*images, "Message.messages.images",
                              "[]api.ImageData");
        for (auto& img : images->GetArray()) {
          if (!img.IsString())
            return go_unmarshal(img, "Message.messages.images",
                                "api.ImageData");
          if (auto at = bad_base64_at(text_of(img)); at >= 0)
            return refuse("illegal base64 data at input byte "
                          + std::to_string(at));
        }
      }
      if (auto* calls = member(m, "tool_calls");
          calls != nullptr && !calls->IsNull()) {
        if (!calls->IsArray())
          return go_unmarshal(*calls, "Message.messages.tool_calls",
                              "[]api.ToolCall");
        for (auto& c : calls->GetArray()) {
          auto* f = c.IsObject() ? member(c, "function") : nullptr;
          if (f == nullptr || !f->IsObject())
            return go_unmarshal(f != nullptr ? *f : c,
                                "ToolCall.messages.tool_calls.function",
                                "api.ToolCallFunction");
          if (auto* nm = member(*f, "name"); nm != nullptr && !nm->IsString())
            return go_unmarshal(*nm,
                                "ToolCallFunction.messages.tool_calls."
                                "function.name",
                                "string");
          if (auto* args = member(*f, "arguments");
              args != nullptr && !args->IsObject() && !args->IsNull())
            return go_unmarshal(*args,
                                "ToolCallFunction.messages.tool_calls."
                                "function.arguments",
                                "api.ToolCallFunctionArguments");
        }
      }
    }
  if (auto* s = member(body, "stream");
      s != nullptr && !s->IsBool() && !s->IsNull())
    return go_unmarshal(*s, "ChatRequest.stream", "bool");
  if (auto* o = member(body, "options");
      o != nullptr && !o->IsObject() && !o->IsNull())
    return go_unmarshal(*o, "ChatRequest.options", "map[string]interface {}");
  if (auto* f = member(body, "format"); f != nullptr && !f->IsNull()) {
    bool ok
      = f->IsObject()
        || (f->IsString() && (text_of(*f) == "json" || text_of(*f).empty()));
    if (!ok)
      return refuse("invalid format: expected \"json\" or a valid JSON "
                    "schema");
  }
  if (auto* think = member(body, "think");
      think != nullptr && !think->IsNull() && !think->IsBool()) {
    auto t = think->IsString() ? text_of(*think) : sv{};
    if (t != "high" && t != "medium" && t != "low")
      return refuse("invalid think value: must be a boolean or \"high\", "
                    "\"medium\", \"low\"");
  }
  if (auto* tools = member(body, "tools");
      tools != nullptr && !tools->IsNull()) {
    if (!tools->IsArray())
      return go_unmarshal(*tools, "ChatRequest.tools", "api.Tools");
    for (auto& t : tools->GetArray()) {
      auto* f = t.IsObject() ? member(t, "function") : nullptr;
      if (f == nullptr || !f->IsObject())
        return go_unmarshal(f != nullptr ? *f : t, "Tool.tools.function",
                            "api.ToolFunction");
      if (auto* nm = member(*f, "name"); nm == nullptr || !nm->IsString())
        return refuse("tools: each function needs a name");
    }
  }
  return std::nullopt;
}

error_reply render(vendor wire, const problem& p) {
  if (wire != vendor::openai && wire != vendor::codex)
    return error_for(wire, 400, p.message);
  auto opt = [](const std::string& s) {
    return s.empty() ? std::string{"null"} : q(s);
  };
  return {400,
          R"({"error":{"message":)" + q(p.message)
            + R"(,"type":"invalid_request_error","param":)" + opt(p.param)
            + R"(,"code":)" + opt(p.code) + "}}",
          {}};
}

} // namespace

std::optional<error_reply> check_body(vendor wire, const value& body) {
  verdict v;
  switch (wire) {
    case vendor::openai:
      v = openai_request(body);
      break;
    case vendor::claude:
      v = claude_request(body, false);
      break;
    case vendor::gemini:
      v = gemini_request(body, gemini_api_fields);
      break;
    case vendor::code_assist:
      v = code_assist_request(body);
      break;
    case vendor::ollama:
      v = ollama_request(body);
      break;
    case vendor::codex:
      v = codex_request(body);
      break;
  }
  if (!v)
    return std::nullopt;
  return render(wire, *v);
}

std::optional<error_reply> check_count_tokens(const value& body) {
  if (auto v = claude_request(body, true))
    return render(vendor::claude, *v);
  return std::nullopt;
}

} // namespace fake
