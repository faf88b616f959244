#include "providers/sse.hpp"

namespace oh::providers {

void sse_parser::overflow() {
  overflowed_ = true;
  // The held bytes are released at once, not when the exchange ends.
  std::string{}.swap(line_);
  current_ = sse_event{};
}

void sse_parser::feed(std::string_view bytes, const handler& on_event) {
  for (size_t i = 0; i < bytes.size() && !overflowed_; ++i) {
    char c = bytes[i];
    if (skip_lf_) {
      skip_lf_ = false;
      if (c == '\n')
        continue;
    }
    if (c == '\r' || c == '\n') {
      skip_lf_ = c == '\r';
      std::string text;
      text.swap(line_);
      line(text, on_event);
      continue;
    }
    // Fast path: copy the rest of the line in one go.
    size_t end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos)
      end = bytes.size();
    if (line_.size() + current_.data.size() + (end - i) > limit_) {
      overflow();
      return;
    }
    line_.append(bytes.substr(i, end - i));
    i = end - 1;
  }
}

void sse_parser::line(std::string_view text, const handler& on_event) {
  if (text.empty()) {
    dispatch(on_event);
    return;
  }
  if (!started_ && text.starts_with("\xEF\xBB\xBF"))
    text.remove_prefix(3); // a byte-order mark before the first field
  started_ = true;
  if (text.front() == ':')
    return; // comment (keep-alive)
  auto colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }
  if (field == "data") {
    if (current_.data.size() + value.size() + 1 > limit_) {
      overflow();
      return;
    }
    if (has_data_)
      current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    current_.id.assign(value);
  }
  // `retry` and unknown fields are ignored.
}

void sse_parser::dispatch(const handler& on_event) {
  if (has_data_ && !overflowed_)
    on_event(current_);
  current_ = sse_event{};
  has_data_ = false;
}

void sse_parser::finish(const handler& on_event) {
  if (overflowed_)
    return;
  if (!line_.empty()) {
    std::string text;
    text.swap(line_);
    line(text, on_event);
  }
  dispatch(on_event);
}

void ndjson_reader::feed(std::string_view bytes, const handler& on_line) {
  while (!bytes.empty() && !overflowed_) {
    auto nl = bytes.find('\n');
    size_t take = nl == std::string_view::npos ? bytes.size() : nl;
    if (current_.data.size() + take > limit_) {
      overflowed_ = true;
      std::string{}.swap(current_.data);
      return;
    }
    if (nl == std::string_view::npos) {
      current_.data.append(bytes);
      return;
    }
    current_.data.append(bytes.substr(0, nl));
    bytes.remove_prefix(nl + 1);
    if (!current_.data.empty() && current_.data.back() == '\r')
      current_.data.pop_back();
    if (!current_.data.empty())
      on_line(current_);
    current_.data.clear();
  }
}

void ndjson_reader::finish(const handler& on_line) {
  if (!current_.data.empty() && !overflowed_)
    on_line(current_);
  current_.data.clear();
}

} // namespace oh::providers
