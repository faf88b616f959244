#include "http/handlers/admin_logs.hpp"

#include <charconv>

#include "core/clock.hpp"
#include "core/error_render.hpp"
#include "http/handlers/admin.hpp"

namespace oh::http::handlers {

namespace {

failure bad(const char* name, const std::string& why) {
  return failure{errc::invalid_value, std::string{name} + ": " + why, name};
}

expected<std::optional<int64_t>> integer_param(std::string_view query,
                                               const char* name, int64_t min,
                                               int64_t max) {
  auto v = query_param(query, name);
  if (!v || v->empty())
    return std::optional<int64_t>{};
  int64_t n = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), n);
  if (r.ec != std::errc{} || r.ptr != v->data() + v->size() || n < min
      || n > max)
    return bad(name, "must be an integer from " + std::to_string(min) + " to "
                       + std::to_string(max));
  return std::optional<int64_t>{n};
}

/// A time bound in the stored format; a date alone as `to` means the end
/// of that day (the whole day is included).
expected<std::optional<std::string>> time_param(std::string_view query,
                                                const char* name, bool upper) {
  auto v = query_param(query, name);
  if (!v || v->empty())
    return std::optional<std::string>{};
  auto ms = clock::parse_timestamp(*v);
  if (!ms)
    return bad(name, "must be ISO-8601 or YYYY-MM-DD HH:MM:SS (UTC)");
  if (upper && v->size() == 10)
    *ms += 86'400'000;
  return std::optional<std::string>{clock::format_iso(*ms)};
}

bool one_of(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s)
      return true;
  return false;
}

} // namespace

expected<store::log_query> read_log_query(std::string_view query) {
  store::log_query q;
  auto text = [&](const char* name, std::optional<std::string>& into,
                  size_t max_len) -> std::optional<failure> {
    auto v = query_param(query, name);
    if (!v || v->empty())
      return std::nullopt;
    if (v->size() > max_len)
      return bad(name,
                 "is longer than " + std::to_string(max_len) + " characters");
    into = *v;
    return std::nullopt;
  };
  for (auto [name, into] : {std::pair{"soul_id", &q.soul_id},
                            {"provider_id", &q.provider_id},
                            {"api_key_id", &q.api_key_id},
                            {"model", &q.model}})
    if (auto err = text(name, *into, 200))
      return *err;
  if (auto err = text("search", q.search, 500))
    return *err;
  if (auto err = text("status", q.status, 40))
    return *err;
  if (q.status
      && !one_of(*q.status, {"success", "error", "cancelled", "rate_limited",
                             "budget_exceeded", "denied"}))
    return bad("status", "must be success, error, cancelled, rate_limited, "
                         "budget_exceeded or denied");
  if (auto err = text("endpoint", q.endpoint, 40))
    return *err;
  if (q.endpoint
      && !one_of(*q.endpoint, {"chat", "messages", "models", "count_tokens"}))
    return bad("endpoint", "must be chat, messages, models or count_tokens");
  if (auto v = query_param(query, "stream"); v && !v->empty()) {
    if (one_of(*v, {"true", "1"}))
      q.stream = true;
    else if (one_of(*v, {"false", "0"}))
      q.stream = false;
    else
      return bad("stream", "must be true or false");
  }
  auto latency = integer_param(query, "min_latency_ms", 0, 86'400'000'000);
  if (!latency)
    return latency.error();
  q.min_latency_ms = *latency;
  auto since = integer_param(query, "since_id", 0, INT64_MAX);
  if (!since)
    return since.error();
  q.since_id = *since;
  auto per_page = integer_param(query, "per_page", 1, 200);
  if (!per_page)
    return per_page.error();
  if (auto limit = integer_param(query, "limit", 1, 200); !limit)
    return limit.error();
  else if (!*per_page && *limit)
    *per_page = *limit;
  q.per_page = per_page->value_or(50);
  auto page = integer_param(query, "page", 1, 1'000'000);
  if (!page)
    return page.error();
  q.page = page->value_or(1);
  auto from = time_param(query, "from", false);
  if (!from)
    return from.error();
  auto to = time_param(query, "to", true);
  if (!to)
    return to.error();
  q.from = *from;
  q.to = *to;
  if (q.from && q.to && *q.from >= *q.to)
    return bad("to", "must be later than from");
  if (auto v = query_param(query, "sort"); v && !v->empty()) {
    auto sort = store::parse_log_sort(*v);
    if (!sort)
      return bad("sort", "must be created_at, latency_ms, cost or tokens");
    q.sort = *sort;
  }
  if (auto v = query_param(query, "order"); v && !v->empty()) {
    if (one_of(*v, {"desc", "DESC"}))
      q.descending = true;
    else if (one_of(*v, {"asc", "ASC"}))
      q.descending = false;
    else
      return bad("order", "must be asc or desc");
  }
  if (q.since_id)
    q.descending = false; // a tail reads forward (see log_query::since_id)
  if (auto v = query_param(query, "after"); v && !v->empty()) {
    auto c = store::decode_cursor(*v, q.sort, q.descending);
    if (!c)
      return c.error();
    q.after = *c;
  }
  return q;
}

expected<store::day_range> read_day_range(std::string_view query,
                                          int64_t now_ms) {
  auto day_of = [](int64_t ms) {
    return clock::format_iso(ms).substr(0, 10);
  };
  auto from_v = query_param(query, "from");
  auto to_v = query_param(query, "to");
  if ((from_v && !from_v->empty()) || (to_v && !to_v->empty())) {
    store::day_range r;
    auto read = [&](const std::optional<std::string>& v, const char* name,
                    std::string& into) -> std::optional<failure> {
      if (!v || v->empty()) {
        into = day_of(now_ms);
        return std::nullopt;
      }
      auto ms = clock::parse_timestamp(*v);
      if (!ms)
        return bad(name, "must be a date (YYYY-MM-DD) or ISO-8601");
      into = day_of(*ms);
      return std::nullopt;
    };
    if (auto err = read(from_v, "from", r.from))
      return *err;
    if (auto err = read(to_v, "to", r.to))
      return *err;
    if (r.from > r.to)
      return bad("to", "must not be before from");
    return r;
  }
  auto days = integer_param(query, "days", 1, 3650);
  if (!days)
    return days.error();
  int64_t n = days->value_or(30);
  return store::day_range{day_of(now_ms - (n - 1) * 86'400'000),
                          day_of(now_ms)};
}

void handle_logs(const std::shared_ptr<app_context>& ctx,
                 const route_result& route, const http_request& req,
                 responder respond) {
  actors::store_job job;
  switch (route.id) {
    case route_id::admin_logs_query: {
      auto q = read_log_query(req.query);
      if (!q) {
        respond(error_response(dialect::admin, q.error()));
        return;
      }
      job = [q = *q](actors::store_context& sc) {
        auto page = store::search_logs(sc.db, q);
        std::string body = "{\"data\":[";
        for (size_t i = 0; i < page.rows.size(); ++i)
          body += (i > 0 ? "," : "") + page.rows[i];
        int64_t pages = (page.total + q.per_page - 1) / q.per_page;
        body += "],\"total\":" + std::to_string(page.total)
                + ",\"total_is_estimate\":"
                + (page.total_is_estimate ? "true" : "false")
                + ",\"page\":" + std::to_string(q.after ? 0 : q.page)
                + ",\"per_page\":" + std::to_string(q.per_page)
                + ",\"pages\":" + std::to_string(pages) + ",\"next\":";
        if (page.next)
          json::append_quoted(body, *page.next);
        else
          body += "null";
        actors::admin_reply r;
        r.body = body + "}";
        return r;
      };
      break;
    }
    case route_id::admin_logs_newest: {
      auto limit = integer_param(req.query, "limit", 1, 1000);
      if (!limit) {
        respond(error_response(dialect::admin, limit.error()));
        return;
      }
      job = [n = limit->value_or(50)](actors::store_context& sc) {
        auto rows = store::newest_logs(sc.db, n);
        std::string body = "{\"data\":[";
        for (size_t i = 0; i < rows.size(); ++i)
          body += (i > 0 ? "," : "") + rows[i];
        actors::admin_reply r;
        r.body = body + "]}";
        return r;
      };
      break;
    }
    case route_id::admin_log_detail:
      job = [id = route.param](actors::store_context& sc) {
        actors::admin_reply r;
        auto row = store::log_detail(sc.db, id);
        if (!row)
          r.error
            = fail(errc::not_found, "no request with id " + clip_echo(id));
        else
          r.body = "{\"data\":" + *row + "}";
        return r;
      };
      break;
    default: {
      auto days = read_day_range(req.query, clock::now_ms());
      if (!days) {
        respond(error_response(dialect::admin, days.error()));
        return;
      }
      auto id = route.id;
      job = [id, days = *days](actors::store_context& sc) {
        actors::admin_reply r;
        using store::cost_group;
        if (id == route_id::admin_cost_report)
          r.body = store::cost_by_day(sc.db, days);
        else if (id == route_id::admin_cost_by_soul)
          r.body = store::cost_by_soul(sc.db, days);
        else if (id == route_id::admin_cost_by_key)
          r.body = store::cost_by(sc.db, cost_group::key, days);
        else if (id == route_id::admin_cost_by_provider)
          r.body = store::cost_by(sc.db, cost_group::provider, days);
        else
          r.body = store::cost_by(sc.db, cost_group::model, days);
        // Which days the report covers, beside the original's `data`.
        r.body.pop_back();
        r.body += ",\"from\":\"" + days.from + "\",\"to\":\"" + days.to + "\"}";
        return r;
      };
      break;
    }
  }
  run_store_job(ctx, std::move(job),
                [respond = std::move(respond)](http_response res) {
                  res.headers.emplace_back("Cache-Control", "no-store");
                  respond(std::move(res));
                });
}

} // namespace oh::http::handlers
