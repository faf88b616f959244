#include "core/redact.hpp"

#include <array>
#include <cctype>

#include "core/json.hpp"

namespace oh {

namespace {

bool token_char(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
         || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'
         || c == '~' || c == '+' || c == '/' || c == '=';
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    auto a = static_cast<unsigned char>(text[i]);
    auto b = static_cast<unsigned char>(prefix[i]);
    if (std::tolower(a) != std::tolower(b))
      return false;
  }
  return true;
}

/// Prefixes of the credentials the gateway handles and of common others.
constexpr std::array<std::string_view, 16> key_prefixes{
  "sk-",  "sk_",  "ohk_", "oha_",        "AIza", "ya29.", "eyJ", "gsk_",
  "xai-", "ghp_", "gho_", "github_pat_", "hf_",  "r8_",   "pk-", "rk-"};

/// Replaces every occurrence of `secret` in `text`.
void replace_all(std::string& text, std::string_view secret) {
  size_t at = 0;
  while ((at = text.find(secret, at)) != std::string::npos) {
    text.replace(at, secret.size(), redaction_mark);
    at += redaction_mark.size();
  }
}

} // namespace

bool looks_like_secret(std::string_view token) noexcept {
  for (auto prefix : key_prefixes)
    if (token.size() >= prefix.size() + 8 && token.starts_with(prefix))
      return true;
  if (token.size() < 32)
    return false;
  bool letter = false;
  bool digit = false;
  for (unsigned char c : token) {
    letter = letter || std::isalpha(c);
    digit = digit || std::isdigit(c);
  }
  return letter && digit;
}

std::string redact_secrets(std::string_view text,
                           const std::vector<std::string>& secrets,
                           size_t max_bytes) {
  // Invalid bytes first, so what follows works on text that is UTF-8.
  std::string work = json::sanitize_utf8(text);
  for (auto& s : secrets)
    if (s.size() >= 8)
      replace_all(work, s);
  // Then token by token: "Bearer <anything>", "Basic <anything>" and
  // whatever has a key's shape.
  std::string out;
  out.reserve(work.size());
  bool after_scheme = false;
  size_t i = 0;
  while (i < work.size()) {
    auto c = static_cast<unsigned char>(work[i]);
    if (!token_char(c)) {
      out.push_back(work[i++]);
      continue;
    }
    size_t end = i;
    while (end < work.size()
           && token_char(static_cast<unsigned char>(work[end])))
      ++end;
    std::string_view token{work.data() + i, end - i};
    bool is_mark = token == "redacted" && i > 0 && work[i - 1] == '[';
    if (!is_mark && (after_scheme || looks_like_secret(token)))
      out += redaction_mark;
    else
      out += token;
    after_scheme = (token.size() == 6 && starts_with_nocase(token, "bearer"))
                   || (token.size() == 5 && starts_with_nocase(token, "basic"));
    i = end;
  }
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    // Back up to the start of a UTF-8 character.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
      --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

} // namespace oh
