#include "actors/api_key.hpp"

#include <chrono>

#include "actors/introspection.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"

namespace oh::actors {

namespace {

constexpr int64_t window_ms = 60'000;
constexpr int64_t micros_per_cent = 10'000;

int64_t actor_now_ms(api_key_actor::stateful_pointer<api_key_state> self) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           self->clock().now().time_since_epoch())
    .count();
}

int64_t wall_now_ms(const api_key_state& st) {
  return st.wall_ms ? st.wall_ms() : clock::now_ms();
}

/// Starts a new day or month of spend when the UTC date moved on.
void roll_spend(api_key_state& st, int64_t wall_ms) {
  auto today = clock::format_iso(wall_ms).substr(0, 10);
  if (st.day != today) {
    if (!st.day.empty())
      st.spent_today_micros = 0;
    st.day = today;
  }
  auto month = today.substr(0, 7);
  if (st.month != month) {
    if (!st.month.empty())
      st.spent_month_micros = 0;
    st.month = month;
  }
}

void expire_tokens(api_key_state& st, int64_t now_ms) {
  while (!st.tpm.empty() && st.tpm.front().at_ms + window_ms <= now_ms)
    st.tpm.pop_front();
}

int64_t tokens_used(const api_key_state& st) {
  int64_t sum = 0;
  for (auto& e : st.tpm)
    sum += e.tokens;
  return sum;
}

rate_info describe(api_key_state& st, int64_t now_ms) {
  rate_info r;
  auto w = st.rpm.peek(now_ms);
  r.limit = st.record.rate_limit_rpm;
  r.remaining = w.remaining;
  r.reset_ms = w.reset_ms;
  if (st.record.rate_limit_tpm) {
    expire_tokens(st, now_ms);
    r.tpm_limit = *st.record.rate_limit_tpm;
    r.tpm_remaining = std::max<int64_t>(0, r.tpm_limit - tokens_used(st));
    r.tpm_reset_ms
      = st.tpm.empty() ? 0 : st.tpm.back().at_ms + window_ms - now_ms;
  }
  return r;
}

admit_result refuse(api_key_state& st, int64_t now_ms, errc code,
                    std::string reason, std::string message,
                    int64_t retry_after_ms) {
  admit_result r;
  r.ok = false;
  r.code = code;
  r.reason = std::move(reason);
  r.message = std::move(message);
  r.retry_after_ms = retry_after_ms;
  r.rate = describe(st, now_ms);
  return r;
}

std::string dollars(int64_t micros) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "$%.2f", static_cast<double>(micros) / 1e6);
  return buf;
}

} // namespace

admit_result admit(api_key_state& st, const admit_request& req, int64_t now_ms,
                   int64_t wall_ms) {
  st.rpm.set_limit(st.record.rate_limit_rpm);
  roll_spend(st, wall_ms);
  if (req.dry_run) {
    admit_result r;
    r.ok = true;
    r.rate = describe(st, now_ms);
    return r;
  }
  auto& rec = st.record;
  if (rec.max_concurrency && *rec.max_concurrency > 0
      && st.open_requests >= *rec.max_concurrency)
    return refuse(st, now_ms, errc::rate_limited, "concurrency",
                  "too many concurrent requests for this key (limit "
                    + std::to_string(*rec.max_concurrency) + ")",
                  1000);
  auto window = st.rpm.peek(now_ms);
  if (rec.rate_limit_rpm > 0 && window.remaining <= 0)
    return refuse(st, now_ms, errc::rate_limited, "rpm",
                  "rate limit exceeded: " + std::to_string(rec.rate_limit_rpm)
                    + " requests per minute",
                  window.retry_after_ms);
  if (rec.rate_limit_tpm && *rec.rate_limit_tpm > 0) {
    expire_tokens(st, now_ms);
    int64_t used = tokens_used(st);
    if (used + req.reserve_tokens > *rec.rate_limit_tpm) {
      // The earliest time enough tokens leave the window.
      int64_t need = used + req.reserve_tokens - *rec.rate_limit_tpm;
      int64_t retry = window_ms;
      for (auto& e : st.tpm) {
        need -= e.tokens;
        if (need <= 0) {
          retry = e.at_ms + window_ms - now_ms;
          break;
        }
      }
      return refuse(st, now_ms, errc::rate_limited, "tpm",
                    "token rate limit exceeded: "
                      + std::to_string(*rec.rate_limit_tpm)
                      + " tokens per minute",
                    retry);
    }
  }
  auto over_budget
    = [&](const std::optional<int64_t>& budget_cents, int64_t spent,
          const char* which) -> std::optional<admit_result> {
    if (!budget_cents || *budget_cents <= 0)
      return std::nullopt;
    int64_t committed = spent + st.reserved_micros;
    if (committed < *budget_cents * micros_per_cent)
      return std::nullopt;
    std::string message = std::string{which}
                          + " budget exceeded: " + dollars(spent) + " / "
                          + dollars(*budget_cents * micros_per_cent);
    if (st.reserved_micros > 0)
      message += " (with " + dollars(st.reserved_micros)
                 + " held for requests still open)";
    return refuse(st, now_ms, errc::budget_exceeded, which, message, 0);
  };
  if (auto no
      = over_budget(rec.daily_budget_cents, st.spent_today_micros, "daily"))
    return *no;
  if (auto no
      = over_budget(rec.monthly_budget_cents, st.spent_month_micros, "monthly"))
    return *no;
  // Admitted: take the slots.
  st.rpm.admit(now_ms);
  admit_result r;
  r.ok = true;
  r.ticket = st.next_ticket++;
  st.open_requests += 1;
  if (req.reserve_cost_micros > 0) {
    st.cost_reservations[r.ticket] = req.reserve_cost_micros;
    st.reserved_micros += req.reserve_cost_micros;
  }
  if (rec.rate_limit_tpm && *rec.rate_limit_tpm > 0) {
    st.tpm.push_back({now_ms, r.ticket, req.reserve_tokens});
    st.reservations[r.ticket] = req.reserve_tokens;
  }
  r.rate = describe(st, now_ms);
  return r;
}

void settle(api_key_state& st, const settle_info& info, int64_t wall_ms) {
  roll_spend(st, wall_ms);
  if (st.open_requests > 0)
    st.open_requests -= 1;
  if (st.reservations.erase(info.ticket) > 0)
    for (auto& e : st.tpm)
      if (e.ticket == info.ticket)
        e.tokens = info.tokens; // the reservation becomes the real usage
  if (auto it = st.cost_reservations.find(info.ticket);
      it != st.cost_reservations.end()) {
    st.reserved_micros -= it->second; // replaced by the real cost below
    st.cost_reservations.erase(it);
  }
  st.spent_today_micros += info.cost_micros;
  st.spent_month_micros += info.cost_micros;
}

api_key_actor::behavior_type
api_key(api_key_actor::stateful_pointer<api_key_state> self,
        store::api_key_record record, int64_t spent_today_micros,
        int64_t spent_month_micros, std::function<int64_t()> wall_ms) {
  auto& st = self->state;
  st.record = std::move(record);
  st.wall_ms = std::move(wall_ms);
  st.rpm.set_limit(st.record.rate_limit_rpm);
  st.spent_today_micros = spent_today_micros;
  st.spent_month_micros = spent_month_micros;
  roll_spend(st, wall_now_ms(st));
  return {
    [=](update_atom, store::api_key_record& next) {
      ++self->state.handled;
      self->state.record = std::move(next);
      self->state.rpm.set_limit(self->state.record.rate_limit_rpm);
    },
    [=](admit_atom, const admit_request& req) -> admit_result {
      ++self->state.handled;
      return admit(self->state, req, actor_now_ms(self),
                   wall_now_ms(self->state));
    },
    [=](settle_atom, const settle_info& info) {
      ++self->state.handled;
      settle(self->state, info, wall_now_ms(self->state));
    },
    [=](status_atom) -> std::string {
      auto& st = self->state;
      auto now = actor_now_ms(self);
      roll_spend(st, wall_now_ms(st)); // yesterday's spend is not today's
      auto& r = st.record;
      std::string out = "{" + mailbox_fields(self, st.handled) + ",\"id\":";
      json::append_quoted(out, r.id);
      out += ",\"name\":";
      json::append_quoted(out, r.name);
      out += ",\"enabled\":";
      out += r.is_enabled ? "true" : "false";
      out += ",\"window_used\":" + std::to_string(st.rpm.used(now));
      out += ",\"window_limit\":" + std::to_string(r.rate_limit_rpm);
      expire_tokens(st, now);
      out += ",\"tokens_used\":" + std::to_string(tokens_used(st));
      out += ",\"concurrency\":" + std::to_string(st.open_requests);
      char spent[64];
      std::snprintf(spent, sizeof(spent),
                    ",\"spent_today_cents\":%.4f,\"spent_month_cents\":%.4f",
                    static_cast<double>(st.spent_today_micros) / 1e4,
                    static_cast<double>(st.spent_month_micros) / 1e4);
      out += spent;
      out += "}";
      return out;
    },
  };
}

} // namespace oh::actors
