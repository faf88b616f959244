#include "providers/canonical.hpp"

#include <algorithm>

namespace oh::providers {

std::optional<int64_t> budget_for_effort(std::string_view effort) {
  if (effort == "minimal" || effort == "low")
    return 1024;
  if (effort == "medium")
    return 4096;
  if (effort == "high")
    return 16384;
  return std::nullopt;
}

std::string effort_for_budget(int64_t budget) {
  if (budget < 4096)
    return "low";
  if (budget < 16384)
    return "medium";
  return "high";
}

std::string schema_instruction(std::string_view schema) {
  return "Respond only with a valid JSON object that matches this JSON "
         "Schema:\n"
         + (schema.empty() ? std::string{"{}"} : std::string{schema});
}

void apply_soul_schema(canonical_request& r, const soul_edits* soul) {
  if (soul == nullptr || soul->response_schema.empty()
      || r.format.what != response_format::kind::none)
    return;
  r.format.what = response_format::kind::json_schema;
  r.format.name = "response";
  r.format.schema = soul->response_schema;
}

std::string joined_system(const canonical_request& r) {
  std::string out;
  for (auto& s : r.system) {
    if (s.empty())
      continue;
    if (!out.empty())
      out += "\n\n";
    out += s;
  }
  return out;
}

std::optional<image_ref> parse_data_url(std::string_view url) {
  if (!url.starts_with("data:"))
    return std::nullopt;
  auto comma = url.find(',');
  if (comma == std::string_view::npos)
    return std::nullopt;
  auto meta = url.substr(5, comma - 5);
  if (!meta.ends_with(";base64"))
    return std::nullopt;
  image_ref img;
  img.media_type = std::string{meta.substr(0, meta.size() - 7)};
  img.data = std::string{url.substr(comma + 1)};
  if (img.media_type.empty() || img.data.empty())
    return std::nullopt;
  return img;
}

std::string tool_name_for(const canonical_request& r, size_t before,
                          std::string_view call_id) {
  for (size_t i = std::min(before, r.turns.size()); i-- > 0;)
    for (auto& p : r.turns[i].parts)
      if (p.what == content_part::kind::tool_call && p.id == call_id)
        return p.name;
  return {};
}

void note_dropped(std::vector<std::string>& dropped, std::string name) {
  if (std::find(dropped.begin(), dropped.end(), name) == dropped.end())
    dropped.push_back(std::move(name));
}

canonical_event text_event(std::string text) {
  canonical_event e;
  e.what = canonical_event::kind::text;
  e.text = std::move(text);
  return e;
}

canonical_event finish_event(std::string reason, std::string stop_sequence) {
  canonical_event e;
  e.what = canonical_event::kind::finish;
  e.reason = std::move(reason);
  e.stop_sequence = std::move(stop_sequence);
  return e;
}

canonical_event usage_event(const token_usage& u) {
  canonical_event e;
  e.what = canonical_event::kind::usage;
  e.usage = u;
  return e;
}

int64_t token_count(const json::value& object, const char* name) {
  return std::clamp<int64_t>(json::get_int64(object, name), 0, max_token_count);
}

canonical_event error_event(std::string message) {
  canonical_event e;
  e.what = canonical_event::kind::error;
  e.text = std::move(message);
  return e;
}

void push_whole_tool_call(event_list& out, int index, std::string id,
                          std::string name, std::string arguments) {
  canonical_event e;
  e.what = canonical_event::kind::tool_start;
  e.index = index;
  e.id = std::move(id);
  e.name = std::move(name);
  out.push_back(e);
  e.what = canonical_event::kind::tool_args;
  e.text = arguments.empty() ? std::string{"{}"} : std::move(arguments);
  out.push_back(e);
  e.what = canonical_event::kind::tool_end;
  e.text.clear();
  out.push_back(std::move(e));
}

bool is_content(const canonical_event& e) {
  using k = canonical_event::kind;
  switch (e.what) {
    case k::text:
    case k::reasoning:
      return !e.text.empty();
    case k::tool_start:
    case k::tool_args:
      return true;
    default:
      return false;
  }
}

bool answer::has_tool_calls() const {
  return std::any_of(blocks.begin(), blocks.end(), [](const block& b) {
    return b.what == block::kind::tool_call;
  });
}

answer accumulate(const event_list& events) {
  using k = canonical_event::kind;
  using bk = answer::block::kind;
  answer a;
  // Tool indexes of the upstream → block positions.
  std::vector<std::pair<int, size_t>> tool_blocks;
  for (auto& e : events) {
    switch (e.what) {
      case k::start:
        a.upstream_id = e.text;
        if (!e.model.empty())
          a.model = e.model;
        break;
      case k::text:
        if (e.text.empty())
          break;
        if (a.blocks.empty() || a.blocks.back().what != bk::text)
          a.blocks.push_back({bk::text, {}, {}, {}, {}});
        a.blocks.back().text += e.text;
        break;
      case k::reasoning:
        if (a.blocks.empty() || a.blocks.back().what != bk::reasoning)
          a.blocks.push_back({bk::reasoning, {}, {}, {}, {}});
        a.blocks.back().text += e.text;
        a.blocks.back().signature += e.signature;
        break;
      case k::tool_start:
        a.blocks.push_back({bk::tool_call, {}, {}, e.id, e.name});
        tool_blocks.emplace_back(e.index, a.blocks.size() - 1);
        break;
      case k::tool_args:
        for (auto& [index, pos] : tool_blocks)
          if (index == e.index)
            a.blocks[pos].text += e.text;
        break;
      case k::tool_end:
        break;
      case k::usage:
        a.usage = e.usage;
        break;
      case k::finish:
        a.finish_reason = e.reason;
        a.stop_sequence = e.stop_sequence;
        break;
      case k::error:
        a.error = e.text;
        break;
    }
  }
  return a;
}

} // namespace oh::providers
