// status, logs, cost and actors (SPEC §13.2): the read side of the usage
// log and the live actors, over /admin/cost/*, /admin/logs and
// /admin/actors.

#include <algorithm>
#include <chrono>
#include <iterator>
#include <thread>

#include "cli/command_support.hpp"
#include "cli/commands.hpp"
#include "cli/flag_values.hpp"

namespace oh::cli::commands {

namespace {

/// The log search's query string from the filter flags.
std::string log_filters(const invocation& in) {
  struct map_entry {
    const char* flag;
    const char* param;
  };
  static constexpr map_entry entries[] = {
    {"--search", "search"},
    {"--status", "status"},
    {"--key", "api_key_id"},
    {"--soul", "soul_id"},
    {"--provider", "provider_id"},
    {"--model", "model"},
    {"--endpoint", "endpoint"},
    {"--stream", "stream"},
    {"--from", "from"},
    {"--to", "to"},
  };
  std::string q;
  for (auto& e : entries)
    if (in.has(e.flag))
      q += std::string{"&"} + e.param + "=" + url_encode(in.get(e.flag));
  return q;
}

std::string tokens_of(const json::value& r) {
  return std::to_string(json::get_int64(r, "input_tokens")) + "/"
         + std::to_string(json::get_int64(r, "output_tokens"));
}

std::vector<std::string> log_cells(const json::value& r) {
  auto latency = cell(r, "latency_ms");
  auto who = [&](const char* name, const char* id) {
    auto n = cell(r, name);
    return n == "-" ? cell(r, id) : n;
  };
  return {cell(r, "request_id"),
          when(cell(r, "created_at")),
          cell(r, "status"),
          cell(r, "http_status"),
          cell(r, "endpoint") + (cell(r, "stream") == "yes" ? "+sse" : ""),
          who("key_name", "api_key_id"),
          who("soul_slug", "soul_id"),
          who("provider_name", "provider_id"),
          cell(r, "model") == "-" ? cell(r, "model_requested")
                                  : cell(r, "model"),
          tokens_of(r),
          dollars_from_micros(json::get_int64(r, "cost_micros")),
          latency == "-" ? latency : latency + " ms"};
}

const std::vector<std::string> log_headers{
  "REQUEST", "TIME",     "STATUS", "HTTP",       "ENDPOINT", "KEY",
  "SOUL",    "PROVIDER", "MODEL",  "TOKENS I/O", "COST",     "LATENCY"};

std::string log_table(const json::value& rows) {
  table t{log_headers};
  t.flexible({5, 6, 7, 8}).toned(2);
  if (rows.IsArray())
    for (auto& r : rows.GetArray())
      t.add(log_cells(r));
  return t.render("No log rows match.");
}

/// The columns a followed row shows, fixed in advance so rows line up
/// without knowing the rows to come, and fitted to the terminal once:
/// the least useful columns go first when it is narrow.
struct follow_layout {
  std::vector<size_t> columns; // indexes into log_cells / log_headers
  std::vector<size_t> widths;

  static const follow_layout& get() {
    static const follow_layout layout = [] {
      // REQUEST TIME STATUS HTTP ENDPOINT KEY SOUL PROVIDER MODEL TOKENS
      // COST LATENCY; the time without its date (the rows are live).
      const size_t widths[] = {16, 8, 15, 4, 9, 12, 10, 12, 18, 10, 9, 8};
      const size_t drop_order[] = {3, 9, 6, 4, 10, 0};
      follow_layout l;
      for (size_t i = 0; i < std::size(widths); ++i) {
        l.columns.push_back(i);
        l.widths.push_back(widths[i]);
      }
      auto limit = static_cast<size_t>(terminal::out().width);
      auto total = [&] {
        size_t sum = 0;
        for (auto w : l.widths)
          sum += w + 1;
        return sum - 1;
      };
      for (auto drop : drop_order) {
        if (limit == 0 || total() <= limit)
          break;
        auto at = std::find(l.columns.begin(), l.columns.end(), drop)
                  - l.columns.begin();
        l.columns.erase(l.columns.begin() + at);
        l.widths.erase(l.widths.begin() + at);
      }
      return l;
    }();
    return layout;
  }

  std::string line(const std::vector<std::string>& cells, bool header) const {
    std::string out;
    for (size_t k = 0; k < columns.size(); ++k) {
      auto i = columns[k];
      auto text = cells[i];
      if (i == 1 && !header && text.size() >= 19)
        text = text.substr(11, 8); // "2026-12-03 09:39:01" → "09:39:01"
      if (display_width(text) > widths[k])
        text = text.substr(0, widths[k] - 1) + "…";
      auto padded
        = text
          + std::string(widths[k] - std::min(widths[k], display_width(text)),
                        ' ');
      out += (header     ? paint(padded, tone::bold)
              : (i == 2) ? paint(padded, tone_of(cells[i]))
                         : padded)
             + " ";
    }
    while (!out.empty() && out.back() == ' ')
      out.pop_back();
    return out + "\n";
  }
};

std::string follow_line(const json::value& r) {
  return follow_layout::get().line(log_cells(r), false);
}

std::string follow_header() {
  return follow_layout::get().line(log_headers, true);
}

std::string attempts_table(const json::value& attempts) {
  table t{{"#", "PROVIDER", "HTTP", "LATENCY", "ERROR"}};
  t.flexible({1, 4});
  int n = 0;
  if (attempts.IsArray())
    for (auto& a : attempts.GetArray()) {
      auto provider = cell(a, "provider");
      if (provider == "-")
        provider = cell(a, "provider_id");
      auto latency = cell(a, "latency_ms");
      t.add({std::to_string(++n), provider, cell(a, "status"),
             latency == "-" ? latency : latency + " ms", cell(a, "error")});
    }
  return t.render("No upstream attempts (refused before routing).");
}

int log_detail(session& s, const std::string& id) {
  auto answer = s.get("/admin/logs/" + segment(id));
  emit(s, answer, [](const json::value& row) {
    json::document rest;
    rest.CopyFrom(row, rest.GetAllocator());
    rest.RemoveMember("attempts");
    std::string out = describe_object(rest);
    if (auto* a = json::find(row, "attempts")) {
      out += "\n" + paint("Attempts", tone::bold) + "\n";
      out += attempts_table(*a);
    }
    return out;
  });
  return exit_status::ok;
}

int log_export(session& s, const invocation& in) {
  s.stream("/admin/cost/logs/export?format=" + in.get("--export")
             + log_filters(in),
           [](std::string_view bytes) {
             print(bytes);
           });
  return exit_status::ok;
}

/// Prints rows written after `last_id`, oldest first, 200 at a time;
/// returns the highest id printed.
int64_t print_new_rows(session& s, const std::string& filters,
                       int64_t last_id) {
  constexpr size_t page = 200;
  for (;;) {
    auto answer
      = s.get("/admin/cost/logs/query?per_page=" + std::to_string(page)
              + "&since_id=" + std::to_string(last_id) + filters);
    auto& rows = data_of(answer);
    if (!rows.IsArray())
      return last_id;
    for (auto& r : rows.GetArray()) {
      last_id = std::max(last_id, json::get_int64(r, "id"));
      print(s.json_output() ? json::to_string(r) + "\n" : follow_line(r));
    }
    if (rows.Size() < page)
      return last_id;
  }
}

int log_follow(session& s, const invocation& in) {
  auto filters = log_filters(in);
  auto limit = integer_flag(in, "--limit", 0, 200).value_or(10);
  // The newest rows first (shown oldest first), then what comes.
  int64_t last_id = 0;
  auto answer = s.get("/admin/cost/logs/query?per_page="
                      + std::to_string(std::max<int64_t>(limit, 1)) + filters);
  auto& rows = data_of(answer);
  if (!s.json_output())
    print(follow_header());
  if (rows.IsArray()) {
    for (auto& r : rows.GetArray())
      last_id = std::max(last_id, json::get_int64(r, "id"));
    if (limit > 0)
      for (auto i = rows.Size(); i-- > 0;)
        print(s.json_output() ? json::to_string(rows[i]) + "\n"
                              : follow_line(rows[i]));
  }
  // Asked once a second: rows reach the database in batches anyway, and
  // the gateway should not serve a tail faster than it writes.
  for (;;) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    last_id = print_new_rows(s, filters, last_id);
  }
}

std::string status_text(const json::value& st) {
  std::vector<std::pair<std::string, std::string>> lines;
  auto status = cell(st, "status");
  lines.emplace_back("Status", paint(status, tone_of(status)));
  lines.emplace_back("Version", cell(st, "version"));
  if (auto* up = json::find(st, "uptime"); up && up->IsNumber()) {
    auto s = static_cast<int64_t>(up->GetDouble());
    char buf[64];
    std::snprintf(
      buf, sizeof buf, "%lldd %02lldh %02lldm %02llds",
      static_cast<long long>(s / 86400), static_cast<long long>(s / 3600 % 24),
      static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    lines.emplace_back("Uptime", buf);
  }
  lines.emplace_back("Providers", cell(st, "providers"));
  lines.emplace_back("Souls", cell(st, "souls"));
  lines.emplace_back("API keys", cell(st, "api_keys"));
  lines.emplace_back("Requests today", cell(st, "today_requests"));
  lines.emplace_back("Requests total", cell(st, "total_requests"));
  lines.emplace_back("In flight", cell(st, "in_flight"));
  lines.emplace_back("Open streams", cell(st, "open_streams"));
  if (auto* m = json::find(st, "memory"); m && m->IsObject())
    lines.emplace_back("Memory (RSS)", cell(*m, "rss") + " MiB");
  return key_values(lines);
}

} // namespace

/// The dashboard overview's live figures: the last five minutes and today.
std::string overview_text(const json::value& overview) {
  std::vector<std::pair<std::string, std::string>> lines;
  auto& data = data_of(overview);
  if (auto* live = json::find(data, "live"); live && live->IsObject()) {
    auto ms = [&](const char* name) {
      auto v = cell(*live, name);
      return v == "-" ? v : v + " ms";
    };
    lines.emplace_back("Requests/min", cell(*live, "requests_per_min"));
    lines.emplace_back("Error rate", cell(*live, "error_rate"));
    lines.emplace_back("Latency p50/p95",
                       ms("latency_p50_ms") + " / " + ms("latency_p95_ms"));
    lines.emplace_back("First token p50/p95",
                       ms("ttft_p50_ms") + " / " + ms("ttft_p95_ms"));
  }
  if (auto* today = json::find(data, "today"); today && today->IsObject())
    lines.emplace_back(
      "Today", cell(*today, "requests") + " requests, "
                 + cell(*today, "input_tokens") + " in / "
                 + cell(*today, "output_tokens") + " out tokens, "
                 + dollars_from_micros(json::get_int64(*today, "cost_micros")));
  if (auto* p = json::find(data, "providers"); p && p->IsObject())
    lines.emplace_back("Accounts", cell(*p, "healthy") + " healthy, "
                                     + cell(*p, "degraded") + " degraded, "
                                     + cell(*p, "down") + " down of "
                                     + cell(*p, "total"));
  return key_values(lines);
}

int status(const invocation& in) {
  session s{in};
  auto answer = s.get("/admin/system/status");
  if (s.json_output()) {
    print(pretty(answer));
    return exit_status::ok;
  }
  auto overview = s.get("/admin/overview");
  print("Gateway " + s.url() + "\n" + status_text(answer)
        + paint("Traffic (live: the last 5 minutes)", tone::bold) + "\n"
        + overview_text(overview));
  return exit_status::ok;
}

int logs(const invocation& in) {
  session s{in};
  if (!in.operands.empty()) {
    if (in.has("--follow") || in.has("--export"))
      usage_failure("a row id shows one row; --follow and --export search");
    return log_detail(s, in.operands[0]);
  }
  if (in.has("--follow") && in.has("--export"))
    usage_failure("--follow and --export do not go together");
  if (in.has("--export"))
    return log_export(s, in);
  if (in.has("--follow"))
    return log_follow(s, in);
  auto limit = integer_flag(in, "--limit", 1, 200).value_or(20);
  auto answer = s.get(
    "/admin/cost/logs/query?per_page=" + std::to_string(limit) + log_filters(in)
    + (in.has("--after") ? "&after=" + url_encode(in.get("--after")) : ""));
  if (s.json_output()) {
    print(pretty(answer)); // the page: rows, total and the next cursor
    return exit_status::ok;
  }
  auto& rows = data_of(answer);
  std::string out = log_table(rows);
  if (rows.IsArray() && !rows.Empty()) {
    auto total = cell(answer, "total");
    bool estimate = cell(answer, "total_is_estimate") == "yes";
    out += paint(std::to_string(rows.Size()) + " of " + (estimate ? "~" : "")
                   + total + " matching rows, newest first.",
                 tone::dim)
           + "\n";
    if (auto next = json::get_string(answer, "next"); next && !next->empty())
      out += paint("Older rows: add --after " + *next, tone::dim) + "\n";
  }
  print(out);
  return exit_status::ok;
}

int cost(const invocation& in) {
  auto by = in.get("--by", "day");
  auto days = integer_flag(in, "--days", 1, 3650).value_or(30);
  session s{in};
  auto path
    = by == "day" ? std::string{"/admin/cost/report"} : "/admin/cost/by-" + by;
  auto answer = s.get(path + "?days=" + std::to_string(days));
  if (s.json_output()) {
    print(pretty(answer));
    return exit_status::ok;
  }
  auto& rows = data_of(answer);
  std::string first = by == "day"        ? "DATE"
                      : by == "key"      ? "KEY"
                      : by == "soul"     ? "SOUL"
                      : by == "provider" ? "PROVIDER"
                                         : "MODEL";
  table t{{first, "REQUESTS", "ERRORS", "INPUT", "OUTPUT", "COST"}};
  t.flexible({0});
  int64_t requests = 0, errors = 0, input = 0, output = 0, micros = 0;
  if (rows.IsArray())
    for (auto& r : rows.GetArray()) {
      // Each grouping names its rows its own way; a deleted key or
      // account has no name any more and shows its id.
      std::string name;
      if (by == "day")
        name = cell(r, "date");
      else if (by == "soul")
        name = cell(r, "soul_name");
      else
        name = cell(r, "name");
      if (name == "-" || name.empty()) {
        for (auto* id : {"api_key_id", "provider_id", "soul_id", "model"})
          if (auto v = cell(r, id); v != "-" && !v.empty()) {
            name = v;
            break;
          }
      }
      if (name == "-" || name.empty())
        name = by == "model" ? "(no model)" : "-";
      requests += json::get_int64(r, "requests");
      errors += json::get_int64(r, "errors");
      input += json::get_int64(r, "input_tokens");
      output += json::get_int64(r, "output_tokens");
      micros += json::get_int64(r, "cost_micros");
      t.add({name, cell(r, "requests"), cell(r, "errors"),
             cell(r, "input_tokens"), cell(r, "output_tokens"),
             dollars_from_micros(json::get_int64(r, "cost_micros"))});
    }
  std::string range = cell(answer, "from") + " to " + cell(answer, "to");
  std::string out = t.render("No requests from " + range + ".");
  if (t.size() > 0)
    out += paint("Total " + range + ": " + std::to_string(requests)
                   + (requests == 1 ? " request" : " requests")
                   + (by == "soul"
                        ? std::string{}
                        : ", " + std::to_string(input) + " input and "
                            + std::to_string(output) + " output tokens")
                   + ", " + dollars_from_micros(micros) + " (UTC days).",
                 tone::dim)
           + "\n";
  print(out);
  return exit_status::ok;
}

int actors(const invocation& in) {
  session s{in};
  std::string path
    = in.operands.empty()
        ? "/admin/actors"
            + (in.has("--kind") ? "?kind=" + url_encode(in.get("--kind"))
                                : std::string{})
        : "/admin/actors/" + segment(in.operands[0]);
  auto answer = s.get(path);
  if (s.json_output()) {
    // One actor: its object, like every `show`; the list keeps `system`.
    print(pretty(in.operands.empty() ? answer : data_of(answer)));
    return exit_status::ok;
  }
  auto& data = data_of(answer);
  if (data.IsObject()) { // one actor
    print(describe_object(data));
    return exit_status::ok;
  }
  table t{{"KIND", "ID", "NAME", "MAILBOX", "HANDLED", "STATE"}};
  t.flexible({2, 5});
  if (data.IsArray())
    for (auto& a : data.GetArray()) {
      auto* state = json::find(a, "state");
      t.add({cell(a, "kind"), cell(a, "id"), cell(a, "name"),
             cell(a, "mailbox"), cell(a, "handled"),
             state ? json::to_string(*state) : "-"});
    }
  std::string out = t.render("No actors of that kind.");
  if (auto* sys = json::find(answer, "system"); sys && sys->IsObject())
    out += paint("Scheduler threads " + cell(*sys, "scheduler_threads")
                   + ", I/O threads " + cell(*sys, "io_threads") + ", actors "
                   + cell(*sys, "actors_total") + ".",
                 tone::dim)
           + "\n";
  print(out);
  return exit_status::ok;
}

} // namespace oh::cli::commands
