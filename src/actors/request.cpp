#include "actors/request.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <ctime>

#include <caf/send.hpp>

#include "actors/introspection.hpp"
#include "core/clock.hpp"
#include "core/error_render.hpp"
#include "core/http_head.hpp"
#include "core/logging.hpp"
#include "core/redact.hpp"
#include "providers/anthropic/ingress.hpp"
#include "providers/openai/translate.hpp"
#include "providers/retry_after.hpp"
#include "providers/translation.hpp"

namespace oh::actors {

namespace {

using self_ptr = request_actor::stateful_pointer<request_state>;
namespace oa = providers::openai;

/// Asks to the key, soul and selector carry no timeout: those actors answer
/// every ask at once (no response promises), and one that is gone makes CAF
/// answer with an error. A CAF request timeout would cost a wake-up of
/// CAF's clock thread per ask for a deadline that never fires.
const auto ask_timeout = caf::infinite;

/// Added to `timeout_ms` for the total deadline of a non-streamed attempt.
constexpr int64_t total_grace_ms = 250;

/// Headers browser apps may read (SPEC §3).
constexpr const char* cors_exposed
  = "x-request-id, x-ratelimit-limit-requests, "
    "x-ratelimit-remaining-requests, x-ratelimit-reset-requests, "
    "x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, "
    "x-ratelimit-reset-tokens, x-ratelimit-limit, x-ratelimit-remaining, "
    "x-ratelimit-reset, x-ratelimit-reset-at, retry-after";

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
    .count();
}

int64_t ceil_seconds(int64_t ms) {
  return (ms + 999) / 1000;
}

/// Tells the request actor what the exchange does; runs on I/O threads.
class exchange_events final : public providers::exchange_observer {
public:
  explicit exchange_events(request_actor self) : self_(std::move(self)) {}
  void on_commit() override {
    caf::anon_send(self_, commit_atom::value);
  }
  void on_finished(providers::exchange_outcome outcome) override {
    caf::anon_send(self_, finished_atom::value, std::move(outcome));
  }

private:
  request_actor self_;
};

void append_int(std::string& out, int64_t v) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
  out.append(digits, end);
}

/// The gateway's headers on every answer of an admitted or refused request
/// (request id, version, CORS, the key's rate limits, dropped parameters),
/// rendered as header lines in one buffer (http_response::head_lines).
std::string response_head_lines(const request_state& st) {
  std::string out;
  out.reserve(640);
  http_head::append_line(out, "x-request-id", st.in.request_id);
  out.append("x-openhinge-version: " OH_VERSION "\r\n"
             "access-control-allow-origin: *\r\n"
             "access-control-expose-headers: ");
  out.append(cors_exposed).append("\r\n");
  if (st.admission)
    append_rate_limit_lines(out, st.admission->rate, clock::now_ms());
  if (!st.dropped.empty()) {
    std::string list;
    for (auto& d : st.dropped)
      list.append(list.empty() ? "" : ", ").append(d);
    http_head::append_line(out, "x-openhinge-dropped-params", list);
  }
  return out;
}

/// Sends an error answer: as the response, or in-band when heartbeats
/// already sent a 200 head (SPEC §5.5). Returns the status the client saw.
unsigned send_error(request_state& st, http_response res, const failure& f) {
  if (st.head_sent && !st.committed) {
    st.sink->write(render_stream_error(st.in.client_dialect, f));
    st.sink->end_stream();
    return 200;
  }
  auto status = res.status;
  st.sink->respond(std::move(res));
  return status;
}

/// An error answer in the client's dialect with the request's headers.
http_response error_reply(const request_state& st, const failure& f) {
  auto res = error_response(st.in.client_dialect, f, st.in.request_id);
  res.head_lines = response_head_lines(st);
  return res;
}

const char* log_status_for(errc code) {
  switch (code) {
    case errc::rate_limited:
      return "rate_limited";
    case errc::budget_exceeded:
      return "budget_exceeded";
    case errc::soul_denied:
    case errc::forbidden:
      return "denied";
    default:
      return "error";
  }
}

/// The attempts as JSON: with each upstream's (redacted) words for the log
/// row, without them for the client's `_openhinge.attempts`.
std::string attempts_json(const std::vector<attempt_record>& attempts,
                          bool with_detail) {
  // Built for every logged request: one buffer, no temporaries.
  std::string out;
  out.reserve(2 + attempts.size() * 128);
  out += '[';
  for (size_t i = 0; i < attempts.size(); ++i) {
    auto& a = attempts[i];
    if (i > 0)
      out += ',';
    out += "{\"provider_id\":";
    json::append_quoted(out, a.account_id);
    out += ",\"provider\":";
    json::append_quoted(out, a.account_name);
    out += ",\"status\":";
    append_int(out, a.status);
    out += ",\"error\":";
    if (a.error.empty())
      out += "null";
    else
      json::append_quoted(out, a.error);
    if (with_detail && !a.detail.empty()) {
      out += ",\"detail\":";
      json::append_quoted(out, a.detail);
    }
    out += ",\"latency_ms\":";
    append_int(out, a.latency_ms);
    out += '}';
  }
  out += ']';
  return out;
}

/// One log row for the request, whatever happened (SPEC §8).
void log_row(self_ptr self, const std::string& status, int http_status,
             const std::optional<failure>& error,
             const providers::exchange_outcome* outcome, int64_t cost_micros) {
  auto& st = self->state;
  store::usage_row row;
  row.request_id = st.in.request_id;
  row.client_request_id = st.in.client_request_id;
  row.created_at = clock::format_iso(st.in.received_ms);
  row.api_key_id = st.in.key.id;
  row.key_name = st.in.key.name;
  if (st.plan && st.plan->soul.has_soul) {
    row.soul_id = st.plan->soul.soul_id;
    row.soul_version = st.plan->soul.version;
    row.soul_name = st.plan->soul.slug;
  } else if (st.soul) {
    row.soul_id = st.soul->id;
  }
  if (st.plan && st.plan->ok) {
    row.provider_id = st.plan->account_id;
    row.provider_type = st.plan->account_type;
    row.provider_name = st.plan->account_name;
  }
  row.endpoint = st.in.endpoint;
  row.stream = st.stream;
  row.model_requested = st.model_requested;
  if (outcome != nullptr && !outcome->model.empty())
    row.model = outcome->model;
  else if (st.plan && st.plan->ok)
    row.model = st.plan->model;
  row.status = status;
  row.http_status = http_status;
  if (error) {
    row.error_code = std::string{to_string(error->code)};
    row.error_message = error->message;
  }
  if (outcome != nullptr) {
    row.tokens = outcome->usage;
    if (outcome->ttft_ms >= 0)
      row.ttft_ms = outcome->ttft_ms;
  }
  row.cost_micros = cost_micros;
  row.latency_ms = steady_ms() - st.started_steady_ms;
  row.attempts_json = attempts_json(st.attempts, true);
  row.client_ip = st.in.http.peer_ip;
  if (auto ua = st.in.http.header("user-agent"))
    row.user_agent = std::string{*ua};
  row.admitted = st.admission && st.admission->ok;
  OH_DEBUG("request {} {} key {} account {} model {}: {} {} in {} ms{}{}",
           row.request_id, row.endpoint, row.key_name,
           row.provider_name.empty() ? "-" : row.provider_name,
           row.model.value_or("-"), row.status, row.http_status, row.latency_ms,
           row.error_message ? ": " : "", row.error_message.value_or(""));
  st.services->log->push(std::move(row));
}

/// Tells an account how a leased request went (frees its slot, feeds its
/// circuit breaker and rate-limit state).
void report_account(self_ptr self, const std::string& account_id,
                    outcome_report report) {
  auto snap = self->state.services->snapshot->load();
  if (auto it = snap->accounts_by_id.find(account_id);
      it != snap->accounts_by_id.end())
    self->send(it->second, outcome_atom::value, std::move(report));
}

outcome_report neutral() {
  return outcome_report{outcome_report::verdict::neutral, 0, {}};
}

/// The account's verdict on one attempt (SPEC §6.3).
outcome_report verdict_of(const providers::exchange_outcome& o,
                          const std::string& error) {
  using v = outcome_report::verdict;
  if (o.failure) {
    if (*o.failure == providers::upstream_failure::cancelled)
      return {v::neutral, 0, {}};
    return {v::failure, 0, error};
  }
  auto s = o.upstream_status;
  if (s == 429)
    return {v::limited,
            providers::retry_after_ms(o.upstream_headers, clock::now_ms())
              .value_or(0),
            error};
  if (s >= 500 || s == 401 || s == 403)
    return {v::failure, 0, error};
  return {v::success, 0, {}};
}

const char* failure_kind(const providers::exchange_outcome& o) {
  if (o.failure)
    return providers::to_string(*o.failure);
  if (o.upstream_status == 429)
    return "rate_limited";
  if (o.upstream_status >= 500)
    return "server_error";
  return "client_error";
}

void record_metrics(self_ptr self, int http_status,
                    const providers::exchange_outcome* o, int64_t cost_micros,
                    const std::string& model) {
  auto& st = self->state;
  auto& m = *st.services->metrics;
  std::string_view provider = "none";
  if (st.plan && st.plan->ok)
    provider = st.plan->account_name;
  std::string_view soul = "none";
  if (st.plan && st.plan->soul.has_soul)
    soul = st.plan->soul.slug;
  char status_text[12];
  auto status_end
    = std::to_chars(status_text, status_text + sizeof status_text, http_status)
        .ptr;
  m.requests.add(
    {{"endpoint", st.in.endpoint},
     {"status", std::string_view(
                  status_text, static_cast<size_t>(status_end - status_text))},
     {"provider", provider},
     {"soul", soul}});
  auto elapsed_ms = steady_ms() - st.started_steady_ms;
  m.duration.observe({{"endpoint", st.in.endpoint}, {"provider", provider}},
                     static_cast<double>(elapsed_ms) / 1000.0);
  // A client that went away (499) is not a gateway error.
  live_stats::finished_request recent{.latency_ms = elapsed_ms,
                                      .error = http_status >= 400
                                               && http_status != 499};
  if (o != nullptr) {
    recent.ttft_ms = o->ttft_ms;
    recent.input_tokens = o->usage.input;
    recent.output_tokens = o->usage.output;
    recent.cost_micros = cost_micros;
  }
  m.recent.record(clock::now_ms(), recent);
  if (o != nullptr) {
    if (o->ttft_ms >= 0)
      m.ttft.observe({{"endpoint", st.in.endpoint}, {"provider", provider}},
                     static_cast<double>(o->ttft_ms) / 1000.0);
    // Model labels are bounded: only models the price table knows.
    bool known = st.services->prices->find(model).has_value();
    auto label = metrics::bounded(model, known);
    if (o->usage.input > 0)
      m.tokens.add(
        {{"direction", "input"}, {"provider", provider}, {"model", label}},
        static_cast<double>(o->usage.input));
    if (o->usage.output > 0)
      m.tokens.add(
        {{"direction", "output"}, {"provider", provider}, {"model", label}},
        static_cast<double>(o->usage.output));
    if (cost_micros > 0)
      m.cost.add({{"provider", provider}},
                 static_cast<double>(cost_micros) / 1e6);
  }
  if (st.stream_counted) {
    m.open_streams.add({}, -1);
    st.stream_counted = false;
  }
}

/// Ends the request: settles the key, reports the account, quits.
void finish(self_ptr self, outcome_report account_verdict, int64_t tokens,
            int64_t cost_micros) {
  auto& st = self->state;
  if (st.done)
    return;
  st.done = true;
  if (st.admission && st.admission->ok)
    self->send(st.in.key.actor, settle_atom::value,
               settle_info{st.admission->ticket, tokens, cost_micros});
  if (st.plan && st.plan->ok)
    report_account(self, st.plan->account_id, std::move(account_verdict));
  if (st.stream_counted) {
    st.services->metrics->open_streams.add({}, -1);
    st.stream_counted = false;
  }
  st.services->live->remove(self);
  st.exchange.reset();
  self->quit();
}

/// Answers with an error before anything was streamed, logs and ends.
void fail_request(self_ptr self, failure f) {
  auto& st = self->state;
  if (st.done)
    return;
  auto res = error_reply(st, f);
  if (f.code == errc::rate_limited || f.code == errc::no_providers) {
    int64_t retry = st.admission && !st.admission->ok
                      ? st.admission->retry_after_ms
                      : (st.plan ? st.plan->retry_after_ms : 0);
    res.headers.emplace_back(
      "Retry-After", std::to_string(std::max<int64_t>(1, ceil_seconds(retry))));
  }
  auto status = static_cast<int>(res.status);
  if (!st.cancelled)
    status = static_cast<int>(send_error(st, std::move(res), f));
  log_row(self, log_status_for(f.code), status, f, nullptr, 0);
  if (f.code == errc::rate_limited || f.code == errc::budget_exceeded)
    st.services->metrics->rate_limited.add(
      {{"reason",
        st.admission && !st.admission->ok ? st.admission->reason : "other"}});
  record_metrics(self, status, nullptr, 0, "");
  finish(self, neutral(), 0, 0);
}

/// A failure before admission: attach the key's current limits first.
void fail_before_admission(self_ptr self, failure f) {
  auto& st = self->state;
  st.stage = "rejected";
  self
    ->request(st.in.key.actor, ask_timeout, admit_atom::value,
              admit_request{.reserve_tokens = 0, .dry_run = true})
    .then(
      [self, f](admit_result& r) mutable {
        // The dry run reports limits; it is not an admission.
        r.ok = false;
        r.ticket = 0;
        self->state.admission = r;
        fail_request(self, f);
      },
      [self, f](caf::error&) {
        fail_request(self, f);
      });
}

int64_t cost_of(self_ptr self, const route& r, const std::string& model,
                const token_usage& usage) {
  if (!r.metered)
    return 0;
  auto price = self->state.services->prices->find(model);
  if (!price) {
    OH_DEBUG("no price for model {}; the request costs 0", model);
    self->state.services->metrics->unpriced.add({{"model", "other"}});
    return 0;
  }
  return cost_micros(*price, usage);
}

void start_attempt(self_ptr self);
providers::call_input call_input_of(request_state& st);
void replan(self_ptr self);
void ask_plan(self_ptr self);
void reauth(self_ptr self);

/// Whether a failure before the commit point may go to the next account
/// (SPEC §6.2): connect/TLS, first-byte timeout, 429, 5xx, 401/403, 404.
bool retryable(const providers::exchange_outcome& o) {
  if (o.committed)
    return false;
  if (o.failure) {
    using providers::upstream_failure;
    return *o.failure != upstream_failure::cancelled;
  }
  auto s = o.upstream_status;
  return s == 429 || s >= 500 || s == 401 || s == 403 || s == 404;
}

/// Upstream text made safe to keep (core/redact.hpp): the account's
/// credentials and key-shaped tokens removed.
std::string redacted_upstream_text(const request_state& st,
                                   std::string_view text) {
  static const std::vector<std::string> none;
  const auto& secrets = st.plan && st.plan->secrets ? *st.plan->secrets : none;
  return redact_secrets(text, secrets);
}

/// What went wrong with an attempt, in the upstream's words (redacted).
std::string attempt_detail(const request_state& st,
                           const providers::exchange_outcome& o) {
  if (o.failure)
    return redacted_upstream_text(st, o.error_message);
  return redacted_upstream_text(
    st, oa::upstream_error_message(o.body, o.upstream_status));
}

/// Our own one-line summary of a failed attempt.
std::string attempt_summary(const providers::exchange_outcome& o) {
  if (o.failure)
    return providers::to_string(*o.failure);
  return "HTTP " + std::to_string(o.upstream_status);
}

/// The client's error for a failed attempt. Clients get our own words: an
/// upstream's text may quote the account's credential or name it (SPEC §3,
/// §4). The one exception is the upstream's complaint about the request
/// itself (400/413/422), which the client needs to fix it: passed on,
/// redacted.
failure failure_of(const request_state& st,
                   const providers::exchange_outcome& o) {
  using providers::upstream_failure;
  if (o.failure) {
    switch (*o.failure) {
      case upstream_failure::timeout_connect:
      case upstream_failure::timeout_first_byte:
      case upstream_failure::timeout_idle:
      case upstream_failure::timeout_total:
        return failure{errc::upstream_timeout,
                       "the upstream provider did not answer in time", ""};
      case upstream_failure::connect:
        return failure{errc::upstream_failed,
                       "the upstream provider could not be reached", ""};
      case upstream_failure::tls:
        return failure{errc::upstream_failed,
                       "the upstream provider could not be reached (TLS "
                       "handshake or certificate failed)",
                       ""};
      case upstream_failure::too_large:
        return failure{errc::upstream_failed,
                       "the upstream provider's answer exceeded the "
                       "gateway's size limit",
                       ""};
      default:
        return failure{errc::upstream_failed,
                       "the upstream provider's answer broke off", ""};
    }
  }
  auto s = o.upstream_status;
  if (s == 400 || s == 413 || s == 422) {
    // The upstream says the request itself is wrong: pass it through.
    failure f{errc::invalid_value,
              redacted_upstream_text(
                st, oa::upstream_error_message(o.body, o.upstream_status)),
              ""};
    f.status = s;
    return f;
  }
  return failure{errc::upstream_failed,
                 "the upstream provider answered HTTP " + std::to_string(s),
                 ""};
}

void on_finished(self_ptr self, providers::exchange_outcome& o) {
  auto& st = self->state;
  if (st.done)
    return;
  auto& r = *st.plan;
  st.head_sent = st.head_sent || o.head_sent;
  // Some vendors say "bad credential" with a 400 (Gemini): an account
  // failure to fail over from, not the client's mistake.
  o.upstream_status
    = providers::effective_status(r.account_type, o.upstream_status, o.body);
  attempt_record a;
  a.account_id = r.account_id;
  a.account_name = r.account_name;
  a.status = static_cast<int>(o.upstream_status);
  a.latency_ms = steady_ms() - st.attempt_started_ms;
  bool ok_answer
    = o.completed && o.upstream_status >= 200 && o.upstream_status < 300;
  if (!ok_answer) {
    a.error = attempt_summary(o);
    a.detail = attempt_detail(st, o);
  }
  st.attempts.push_back(a);
  st.exchange.reset();
  auto& m = *st.services->metrics;
  auto tokens = o.usage.input + o.usage.output;

  if (st.cancelled || st.shutting_down) {
    // Client gone, total deadline or drain deadline: log what was seen.
    std::string model = o.model.empty() ? r.model : o.model;
    auto cost = cost_of(self, r, model, o.usage);
    std::optional<failure> f;
    int status = 499;
    const char* log_status = "cancelled";
    if (st.cancelled) {
      f = failure{errc::internal, "the client closed the connection", ""};
    } else {
      f = failure{errc::shutting_down, "the gateway is shutting down", ""};
      status = static_cast<int>(status_for(f->code));
      log_status = "error";
      if (!st.committed)
        status = static_cast<int>(send_error(st, error_reply(st, *f), *f));
    }
    log_row(self, log_status, status, f, &o, cost);
    record_metrics(self, status, &o, cost, model);
    finish(self, neutral(), tokens, cost);
    return;
  }

  if (!ok_answer) {
    m.upstream_errors.add(
      {{"provider", r.account_name}, {"kind", failure_kind(o)}});
  }

  if (!ok_answer && !o.committed && !o.failure && o.upstream_status == 401
      && r.subscription && !st.reauthed) {
    // A subscription's token was refused: its account refreshes it once
    // (single-flight) and this account is tried once more (SPEC §6.2, §7).
    st.reauthed = true;
    st.last_failure = failure_of(st, o);
    st.last_outcome_detail = a.detail;
    reauth(self);
    return;
  }

  if (!ok_answer && retryable(o)
      && st.attempts.size() < st.services->max_attempts) {
    // Before the commit point: try the next able account (SPEC §6.2).
    report_account(self, r.account_id, verdict_of(o, a.detail));
    st.tried.push_back(r.account_id);
    st.last_failure = failure_of(st, o);
    replan(self);
    return;
  }

  if (!ok_answer) {
    auto f = failure_of(st, o);
    int status = 200;
    if (st.committed) {
      // The exchange already ended the stream with an in-band error.
      log_row(self, "error", 200, f, &o, 0);
    } else {
      status = static_cast<int>(send_error(st, error_reply(st, f), f));
      log_row(self, "error", status, f, &o, 0);
    }
    record_metrics(self, status, &o, 0, o.model.empty() ? r.model : o.model);
    finish(self, verdict_of(o, a.detail), tokens, 0);
    return;
  }

  if (st.stream) {
    auto model = o.model.empty() ? r.model : o.model;
    auto cost = cost_of(self, r, model, o.usage);
    log_row(self, "success", 200, std::nullopt, &o, cost);
    record_metrics(self, 200, &o, cost, model);
    finish(self, verdict_of(o, {}), tokens, cost);
    return;
  }

  if (st.in.endpoint == "count_tokens") {
    // Claude's own count, read and written again: an upstream's bytes never
    // reach the client unchecked (depth, UTF-8, size; SPEC §3).
    auto count = json::parse(o.body);
    const json::value* tokens_v = count && count->IsObject()
                                    ? json::find(*count, "input_tokens")
                                    : nullptr;
    if (tokens_v == nullptr || !tokens_v->IsInt64()) {
      failure f{errc::upstream_failed,
                "the upstream provider sent a token count the gateway cannot "
                "read",
                ""};
      st.sink->respond(error_reply(st, f));
      log_row(self, "error", 502, f, &o, 0);
      record_metrics(self, 502, &o, 0, r.model);
      finish(self,
             outcome_report{outcome_report::verdict::failure, 0, f.message}, 0,
             0);
      return;
    }
    http_response res;
    res.body
      = "{\"input_tokens\":" + std::to_string(tokens_v->GetInt64()) + "}";
    res.head_lines = response_head_lines(st);
    st.sink->respond(std::move(res));
    log_row(self, "success", 200, std::nullopt, &o, 0);
    record_metrics(self, 200, &o, 0, r.model);
    finish(self, verdict_of(o, {}), 0, 0);
    return;
  }

  // Non-streaming: the answer in the client's dialect with `_openhinge`.
  const auto& in = st.call;
  auto parsed = providers::read_answer(in, o.body);
  if (!parsed) {
    // The parser's message names what was wrong with the answer (its
    // depth, an offset), never the account: fine for the client.
    failure f{errc::upstream_failed,
              "the upstream provider sent an answer the gateway cannot read: "
                + parsed.error().message,
              ""};
    auto res = error_reply(st, f);
    st.sink->respond(std::move(res));
    log_row(self, "error", 502, f, &o, 0);
    record_metrics(self, 502, &o, 0, r.model);
    finish(self, outcome_report{outcome_report::verdict::failure, 0, f.message},
           0, 0);
    return;
  }
  o.model = parsed->model.empty() ? r.model : parsed->model;
  o.usage = parsed->usage;
  o.finish_reason = parsed->finish_reason;
  auto cost = cost_of(self, r, o.model, o.usage);
  providers::gateway_facts facts;
  facts.request_id = st.in.request_id;
  if (r.soul.has_soul)
    facts.soul = r.soul.slug;
  facts.provider = r.account_name;
  facts.provider_type = r.account_type;
  facts.cost_cents = static_cast<double>(cost) / 10'000.0;
  facts.dropped_params = st.dropped;
  if (st.attempts.size() > 1) {
    facts.attempts_json = attempts_json(st.attempts, false);
    std::string fallback = "[";
    for (size_t i = 0; i + 1 < st.attempts.size(); ++i) {
      auto& at = st.attempts[i];
      if (i > 0)
        fallback += ",";
      fallback += "{\"provider_id\":";
      json::append_quoted(fallback, at.account_id);
      fallback += ",\"provider_name\":";
      json::append_quoted(fallback, at.account_name);
      fallback += ",\"error\":";
      json::append_quoted(fallback, at.error);
      fallback += ",\"latency_ms\":" + std::to_string(at.latency_ms) + "}";
    }
    facts.fallback_attempts_json = fallback + "]";
  }
  auto body = providers::render_answer(in, o.body, *parsed, facts);
  http_response res;
  res.body = body ? std::move(*body) : std::string{};
  res.head_lines = response_head_lines(st);
  st.sink->respond(std::move(res));
  log_row(self, "success", 200, std::nullopt, &o, cost);
  record_metrics(self, 200, &o, cost, o.model);
  finish(self, verdict_of(o, {}), o.usage.input + o.usage.output, cost);
}

/// What the translation needs to know about the current attempt.
providers::call_input call_input_of(request_state& st) {
  auto& r = *st.plan;
  providers::call_input in;
  in.client = st.in.client_dialect;
  in.body = st.body.get();
  in.http = &st.in.http;
  in.account_type = r.account_type;
  in.base_url = r.base_url;
  in.api_key = r.api_key;
  in.subscription = r.subscription;
  in.access_token = r.access_token;
  in.chatgpt_account_id = r.chatgpt_account_id;
  in.project_id = r.project_id;
  in.system_user_merge = r.system_user_merge;
  in.model = r.model;
  if (r.soul.has_soul) {
    st.edits.system_prompt = r.soul.system_prompt;
    st.edits.temperature = r.soul.temperature;
    st.edits.max_tokens = r.soul.max_tokens;
    st.edits.response_schema = r.soul.response_schema.value_or("");
    in.soul = &st.edits;
  }
  in.stream = st.stream;
  in.include_usage = st.include_usage;
  in.request_id = st.in.request_id;
  in.created = st.created;
  return in;
}

/// POST /v1/messages/count_tokens: Claude counts, others are estimated
/// (SPEC §5.6); no generation, so no cost.
void start_count_tokens(self_ptr self, const providers::call_input& in) {
  auto& st = self->state;
  auto& r = *st.plan;
  auto call = providers::prepare_count_tokens(in);
  if (!call) {
    http_response res;
    res.body
      = "{\"input_tokens\":"
        + std::to_string(providers::estimate_input_tokens(*st.body, in.soul))
        + ",\"estimated\":true}";
    res.head_lines = response_head_lines(st);
    st.sink->respond(std::move(res));
    log_row(self, "success", 200, std::nullopt, nullptr, 0);
    record_metrics(self, 200, nullptr, 0, r.model);
    finish(self, neutral(), 0, 0);
    return;
  }
  providers::chat_exchange_spec spec;
  spec.request = std::move(call->request);
  spec.request.connect_timeout
    = std::chrono::milliseconds(r.connect_timeout_ms);
  spec.request.first_byte_timeout = std::chrono::milliseconds(r.timeout_ms);
  spec.request.idle_timeout = std::chrono::milliseconds(r.idle_timeout_ms);
  spec.request.total_timeout
    = std::chrono::milliseconds(int64_t{r.timeout_ms} + total_grace_ms);
  spec.client_dialect = st.in.client_dialect;
  spec.max_answer_bytes = st.services->max_upstream_body_bytes;
  spec.max_event_bytes = st.services->max_upstream_event_bytes;
  st.exchange = providers::start_chat_exchange(
    *st.services->upstream, std::move(spec), st.sink,
    std::make_shared<exchange_events>(self));
}

void start_attempt(self_ptr self) {
  auto& st = self->state;
  auto& r = *st.plan;
  st.stage = "upstream";
  st.attempt_started_ms = steady_ms();
  st.call = call_input_of(st);
  const auto& in = st.call;
  if (st.in.endpoint == "count_tokens") {
    start_count_tokens(self, in);
    return;
  }
  auto call = providers::prepare_call(in);
  if (!call) {
    auto f = call.error();
    if (f.code != errc::upstream_failed) {
      // The request asks for something this target cannot do (SPEC §10):
      // a client error, not a reason to try another account.
      report_account(self, r.account_id, neutral());
      st.plan->ok = false;
      fail_request(self, std::move(f));
      return;
    }
    // The account's own settings are wrong (its base URL): the operator's
    // problem, named in the log; the client learns no account details.
    OH_WARN("account {} cannot be called: {}", r.account_name,
            redacted_upstream_text(st, f.message));
    f.message = "the upstream provider is misconfigured";
    fail_request(self, std::move(f));
    return;
  }
  st.dropped = std::move(call->dropped);
  // Host and path only: a query may carry a credential (Gemini's ?key=).
  OH_DEBUG("request {}: attempt {} on {} ({}), {} {}{}", st.in.request_id,
           st.attempts.size() + 1, r.account_name, r.model,
           call->request.method, call->request.url.host,
           std::string_view{call->request.url.target}.substr(
             0, call->request.url.target.find('?')));
  providers::chat_exchange_spec spec;
  spec.request = std::move(call->request);
  spec.frame = call->frame;
  spec.request.connect_timeout
    = std::chrono::milliseconds(r.connect_timeout_ms);
  spec.request.first_byte_timeout
    = std::chrono::milliseconds(st.stream ? r.stream_timeout_ms : r.timeout_ms);
  spec.request.idle_timeout = std::chrono::milliseconds(r.idle_timeout_ms);
  // Each attempt's total deadline (SPEC §6.4), a timer on the exchange
  // (cancelled when it ends, so no pending message keeps this actor's
  // memory alive): a little longer than the first-byte timeout of a
  // non-streamed answer, so a silent upstream fails over through that one.
  spec.request.total_timeout = std::chrono::milliseconds(
    st.stream ? int64_t{r.max_stream_ms}
              : int64_t{r.timeout_ms} + total_grace_ms);
  spec.stream = st.stream;
  if (st.stream) {
    spec.translator = providers::make_stream_translator(in);
    spec.request.heartbeat
      = std::chrono::milliseconds(st.services->stream_heartbeat_ms);
    spec.head_already_sent = st.head_sent;
  }
  spec.client_dialect = st.in.client_dialect;
  spec.max_answer_bytes = st.services->max_upstream_body_bytes;
  spec.max_event_bytes = st.services->max_upstream_event_bytes;
  if (st.stream) {
    // Only a stream's head is written by the exchange; a complete answer's
    // head is made when it is rendered.
    spec.stream_head.status = 200;
    spec.stream_head.content_type = "text/event-stream; charset=utf-8";
    spec.stream_head.head_lines = response_head_lines(st);
    spec.stream_head.head_lines.append(
      "cache-control: no-cache\r\nx-accel-buffering: no\r\n");
  }
  st.exchange = providers::start_chat_exchange(
    *st.services->upstream, std::move(spec), st.sink,
    std::make_shared<exchange_events>(self));
}

/// Both admission and plan have answered.
void proceed(self_ptr self) {
  auto& st = self->state;
  if (!st.admission || !st.plan || st.done)
    return;
  auto& adm = *st.admission;
  auto& r = *st.plan;
  if (!adm.ok) {
    if (r.ok) {
      // Release what the plan reserved (SPEC §5.2).
      report_account(self, r.account_id, neutral());
      st.plan->ok = false;
    }
    fail_request(self, failure{adm.code, adm.message, ""});
    return;
  }
  if (!r.ok) {
    fail_request(self, r.error.value_or(failure{errc::no_providers,
                                                "no provider account", ""}));
    return;
  }
  if (st.cancelled) {
    log_row(self, "cancelled", 499,
            failure{errc::internal, "the client closed the connection", ""},
            nullptr, 0);
    record_metrics(self, 499, nullptr, 0, "");
    finish(self, neutral(), 0, 0);
    return;
  }
  start_attempt(self);
}

void ask_plan(self_ptr self) {
  auto& st = self->state;
  plan_request req;
  req.request_id = st.in.request_id;
  req.tried = st.tried;
  if (!st.model_was_soul_alias)
    req.model = st.model_requested;
  auto on_route = [self](route& r) {
    if (!r.ok && r.skip && !r.account_id.empty()) {
      // The account refused the lease (circuit open, rate-limited): plan
      // again without it.
      self->state.tried.push_back(r.account_id);
      if (r.retry_after_ms > 0)
        self->state.skip_retry_ms = r.retry_after_ms;
      ask_plan(self);
      return;
    }
    if (!r.ok && self->state.skip_retry_ms > 0 && r.retry_after_ms == 0)
      r.retry_after_ms = self->state.skip_retry_ms;
    self->state.plan = std::move(r);
    proceed(self);
  };
  auto on_error = [self](caf::error& err) {
    route r;
    r.error = failure{errc::internal,
                      "planning failed: " + self->system().render(err), ""};
    self->state.plan = std::move(r);
    proceed(self);
  };
  if (st.soul) {
    self->request(st.soul->actor, ask_timeout, plan_atom::value, std::move(req))
      .then(on_route, on_error);
  } else {
    auto selector = st.services->snapshot->load()->selector;
    self
      ->request(selector, ask_timeout, pick_atom::value, std::move(req),
                soul_plan{})
      .then(on_route, on_error);
  }
}

/// Asks the account whose token got a 401 for a newer one; a refusal goes
/// on like any failed attempt (the next account).
void reauth(self_ptr self) {
  auto& st = self->state;
  st.stage = "reauth";
  auto previous = std::move(*st.plan);
  st.plan.reset();
  auto snap = st.services->snapshot->load();
  auto it = snap->accounts_by_id.find(previous.account_id);
  auto give_up = [self](route previous) {
    auto& s = self->state;
    s.plan = std::move(previous);
    report_account(self, s.plan->account_id,
                   outcome_report{outcome_report::verdict::failure, 0,
                                  s.last_outcome_detail});
    s.tried.push_back(s.plan->account_id);
    if (s.attempts.size() < s.services->max_attempts) {
      replan(self);
      return;
    }
    s.plan->ok = false;
    fail_request(self, s.last_failure.value_or(failure{
                         errc::upstream_failed, "every account failed", ""}));
  };
  if (it == snap->accounts_by_id.end()) {
    give_up(std::move(previous));
    return;
  }
  plan_request req;
  req.request_id = st.in.request_id;
  req.tried = st.tried;
  req.model = previous.model;
  auto soul = previous.soul;
  auto generation = previous.token_generation;
  self
    ->request(it->second, ask_timeout, reauth_atom::value, std::move(req),
              std::move(soul), generation)
    .then(
      [self, previous, give_up](route& r) mutable {
        if (!r.ok) {
          OH_WARN("{}", r.error ? r.error->message : "reauth refused");
          give_up(std::move(previous));
          return;
        }
        self->state.plan = std::move(r);
        start_attempt(self);
      },
      [self, previous, give_up](caf::error& err) mutable {
        OH_WARN("reauth of {} failed: {}", previous.account_name,
                self->system().render(err));
        give_up(std::move(previous));
      });
}

void replan(self_ptr self) {
  auto& st = self->state;
  st.stage = "fallback";
  // Keep the soul's part: a fallback plan without a route keeps its facts.
  auto previous = std::move(*st.plan);
  st.plan.reset();
  plan_request req;
  auto on_route = [self, previous](route& r) mutable {
    if (!r.ok && r.skip && !r.account_id.empty()) {
      self->state.tried.push_back(r.account_id);
      self->state.plan = std::move(previous);
      replan(self);
      return;
    }
    if (!r.ok) {
      // Nobody else can take it: answer with the last failure.
      self->state.plan = std::move(previous);
      self->state.plan->ok = false;
      fail_request(self, self->state.last_failure.value_or(failure{
                           errc::upstream_failed, "every account failed", ""}));
      return;
    }
    self->state.services->metrics->fallbacks.add(
      {{"from", previous.account_name}, {"to", r.account_name}});
    self->state.plan = std::move(r);
    start_attempt(self);
  };
  req.request_id = st.in.request_id;
  req.tried = st.tried;
  if (!st.model_was_soul_alias)
    req.model = st.model_requested;
  auto on_error = [self](caf::error& err) {
    fail_request(self,
                 failure{errc::internal,
                         "planning failed: " + self->system().render(err), ""});
  };
  if (st.soul)
    self->request(st.soul->actor, ask_timeout, plan_atom::value, std::move(req))
      .then(on_route, on_error);
  else
    self
      ->request(st.services->snapshot->load()->selector, ask_timeout,
                pick_atom::value, std::move(req), soul_plan{})
      .then(on_route, on_error);
}

/// Soul resolution (SPEC §5.3); a failure ends the request.
std::optional<failure> resolve_soul(request_state& st) {
  auto snap = st.services->snapshot->load();
  std::optional<std::string> slug = st.in.path_slug;
  if (st.model_requested && st.model_requested->starts_with("soul/")) {
    auto alias = st.model_requested->substr(5);
    if (slug && *slug != alias)
      return failure{errc::invalid_value,
                     "model: names soul \"" + alias
                       + "\" but the path names soul \"" + *slug + "\"",
                     "model"};
    slug = alias;
    st.model_was_soul_alias = true;
  }
  auto& bound = st.in.key.soul_ids;
  if (slug) {
    auto it = snap->souls_by_slug.find(*slug);
    if (it == snap->souls_by_slug.end() || !it->second.enabled)
      return failure{errc::soul_not_found,
                     "soul \"" + clip_echo(*slug) + "\" not found", ""};
    st.soul = it->second;
  } else if (bound.size() == 1) {
    for (auto& [s, entry] : snap->souls_by_slug)
      if (entry.id == bound.front()) {
        if (!entry.enabled)
          return failure{errc::soul_denied,
                         "the soul bound to this key is disabled", ""};
        st.soul = entry;
      }
  } else if (auto header = st.in.http.header("x-openhinge-soul")) {
    auto it = snap->souls_by_slug.find(std::string{*header});
    if (it == snap->souls_by_slug.end() || !it->second.enabled)
      return failure{errc::soul_not_found,
                     "soul \"" + clip_echo(*header) + "\" not found", ""};
    st.soul = it->second;
  }
  if (!bound.empty()) {
    bool allowed
      = st.soul
        && std::find(bound.begin(), bound.end(), st.soul->id) != bound.end();
    if (!allowed)
      return failure{errc::soul_denied,
                     st.soul ? "this key may not use soul \""
                                 + (slug ? *slug : st.soul->id) + "\""
                             : "this key may only be used with its souls",
                     ""};
  }
  return std::nullopt;
}

void begin(self_ptr self) {
  auto& st = self->state;
  st.stage = "validate";
  auto doc = json::parse(st.in.http.body);
  if (!doc) {
    fail_before_admission(self, doc.error()); // names a duplicate member
    return;
  }
  bool anthropic = st.in.client_dialect == dialect::anthropic;
  auto invalid = anthropic ? providers::anthropic::validate_request(*doc)
                           : oa::validate_request(*doc);
  if (invalid) {
    fail_before_admission(self, *invalid);
    return;
  }
  st.body = std::make_shared<json::document>(std::move(*doc));
  int64_t max_tokens = 0;
  if (anthropic) {
    auto facts = providers::anthropic::read_facts(*st.body);
    st.model_requested = facts.model;
    st.stream = facts.stream;
    max_tokens = facts.max_tokens;
  } else {
    auto facts = oa::read_facts(*st.body);
    st.model_requested = facts.model;
    st.stream = facts.stream;
    st.include_usage = facts.include_usage;
    max_tokens = facts.max_tokens;
  }
  st.created = static_cast<int64_t>(std::time(nullptr));
  if (st.in.endpoint == "count_tokens") {
    st.stream = false; // a count is never streamed
    max_tokens = 1;
  }
  st.reserve_tokens = (max_tokens > 0 ? max_tokens : 1024)
                      + static_cast<int64_t>(st.in.http.body.size() / 4);
  int64_t reserve_cost = 0;
  if (st.in.endpoint != "count_tokens" && st.services->prices
      && st.model_requested)
    if (auto price = st.services->prices->find(*st.model_requested)) {
      token_usage estimate;
      estimate.input = static_cast<int64_t>(st.in.http.body.size() / 4);
      estimate.output = max_tokens > 0 ? max_tokens : 1024;
      reserve_cost = cost_micros(*price, estimate);
    }
  if (auto err = resolve_soul(st)) {
    fail_before_admission(self, *err);
    return;
  }
  st.stage = "admit";
  self
    ->request(st.in.key.actor, ask_timeout, admit_atom::value,
              admit_request{.reserve_tokens = st.reserve_tokens,
                            .reserve_cost_micros = reserve_cost})
    .then(
      [self](admit_result& r) {
        self->state.admission = std::move(r);
        proceed(self);
      },
      [self](caf::error& err) {
        admit_result r;
        r.ok = false;
        r.code = errc::internal;
        r.message = "admission failed: " + self->system().render(err);
        self->state.admission = std::move(r);
        proceed(self);
      });
  ask_plan(self);
}

} // namespace

void append_rate_limit_lines(std::string& out, const rate_info& rate,
                             int64_t now_epoch_ms) {
  auto line = [&](std::string_view name, int64_t v, const char* unit) {
    out.append(name).append(": ");
    append_int(out, v);
    out.append(unit).append("\r\n");
  };
  // An unlimited key (rate_limit_rpm 0) still answers every header, as
  // SPEC §5.2 asks, with the largest value integer parsers read: clients
  // that throttle on "remaining" then never throttle on our account.
  int64_t limit = rate.limit > 0 ? rate.limit : unlimited_announced;
  int64_t remaining = rate.limit > 0 ? rate.remaining : unlimited_announced;
  {
    auto reset_s = rate.limit > 0 ? ceil_seconds(rate.reset_ms) : 0;
    line("x-ratelimit-limit-requests", limit, "");
    line("x-ratelimit-remaining-requests", remaining, "");
    line("x-ratelimit-reset-requests", reset_s, "s");
    line("x-ratelimit-limit", limit, "");
    line("x-ratelimit-remaining", remaining, "");
    line("x-ratelimit-reset", reset_s, "");
    line("x-ratelimit-reset-at", ceil_seconds(now_epoch_ms + reset_s * 1000),
         "");
  }
  if (rate.tpm_limit > 0) {
    line("x-ratelimit-limit-tokens", rate.tpm_limit, "");
    line("x-ratelimit-remaining-tokens", rate.tpm_remaining, "");
    line("x-ratelimit-reset-tokens", ceil_seconds(rate.tpm_reset_ms), "s");
  }
}

request_actor::behavior_type
request(request_actor::stateful_pointer<request_state> self,
        std::shared_ptr<const gateway_services> services, request_input in,
        std::shared_ptr<response_sink> sink) {
  auto& st = self->state;
  st.services = std::move(services);
  st.in = std::move(in);
  st.sink = std::move(sink);
  st.started_steady_ms = steady_ms();
  request_actor handle = self;
  st.services->live->add(handle);
  st.sink->on_cancel([handle] {
    caf::anon_send(handle, cancel_atom::value);
  });
  begin(self);
  return {
    [=](commit_atom) {
      auto& st = self->state;
      st.committed = true;
      st.stage = "streaming";
      if (!st.done && !st.stream_counted) {
        st.stream_counted = true;
        st.services->metrics->open_streams.add({}, 1);
      }
    },
    [=](finished_atom, providers::exchange_outcome& o) {
      on_finished(self, o);
    },
    [=](cancel_atom) {
      auto& st = self->state;
      if (st.done || st.cancelled)
        return;
      st.cancelled = true;
      // Without an exchange yet, the next answer (admission, plan) sees
      // `cancelled` and ends the request.
      if (st.exchange)
        st.exchange->cancel("the client closed the connection");
    },
    [=](shutdown_atom) {
      auto& st = self->state;
      if (st.done || st.shutting_down)
        return;
      st.shutting_down = true;
      if (st.exchange)
        st.exchange->cancel("the gateway is shutting down");
      else if (st.stage != "upstream")
        fail_request(self, failure{errc::shutting_down,
                                   "the gateway is shutting down", ""});
    },
    [=](status_atom) -> std::string {
      auto& st = self->state;
      std::string out = "{" + mailbox_fields(self, 0) + ",\"request_id\":";
      json::append_quoted(out, st.in.request_id);
      out += ",\"stage\":";
      json::append_quoted(out, st.stage);
      out
        += ",\"age_ms\":" + std::to_string(steady_ms() - st.started_steady_ms);
      out += ",\"key\":";
      json::append_quoted(out, st.in.key.id);
      out += ",\"soul\":";
      if (st.plan && st.plan->soul.has_soul)
        json::append_quoted(out, st.plan->soul.slug);
      else
        out += "null";
      out += ",\"account\":";
      if (st.plan && st.plan->ok)
        json::append_quoted(out, st.plan->account_name);
      else
        out += "null";
      out += ",\"attempt\":" + std::to_string(st.attempts.size() + 1) + "}";
      return out;
    },
  };
}

} // namespace oh::actors
