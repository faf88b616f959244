#include "actors/account_tokens.hpp"

#include <chrono>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include <caf/send.hpp>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "providers/oauth/oauth_client.hpp"
#include "store/providers_repo.hpp"

namespace oh::actors {

// Defined with the actor: serves the leases that waited for a refresh.
void resume_waiting(account_tokens::self_ptr self);
// Defined with the actor: republishes health after a token change.
void publish_account(account_tokens::self_ptr self);

namespace account_tokens {

namespace {

namespace oauth = providers::oauth;
using oauth::cli_source;

/// CLI files are small; anything larger is not one.
constexpr int64_t max_file_bytes = 1024 * 1024;

int64_t clock_ms(self_ptr self) {
  return wall_now(self->state);
}

bool borrowed(const provider_account_state& st) {
  return st.record.auth_mode == "borrowed";
}

/// A borrowed token the gateway must never refresh (Claude Code, Codex).
bool rotating_borrowed(const provider_account_state& st) {
  return borrowed(st) && st.credential.source
         && oauth::source_rotates(*st.credential.source);
}

std::string cli_label(const provider_account_state& st) {
  return st.credential.source
           ? std::string{oauth::source_label(*st.credential.source)}
           : std::string{"the CLI"};
}

/// How long before expiry a refresh starts: the configured margin, but at
/// most half the life of a token we obtained ourselves (a 2-minute token
/// must not be refreshed on every lease).
int64_t margin_ms(const provider_account_state& st) {
  auto margin = st.env.refresh_margin_ms;
  auto& t = st.credential.tokens;
  if (st.token_obtained_ms > 0 && t.expires_at_ms > st.token_obtained_ms)
    margin = std::min(margin, (t.expires_at_ms - st.token_obtained_ms) / 2);
  return margin;
}

bool can_refresh(const provider_account_state& st) {
  if (st.credential.tokens.refresh_token.empty())
    return false;
  // Only owned tokens and gcloud ADC (whose refresh token does not rotate).
  return st.record.auth_mode == "oauth"
         || (borrowed(st) && !rotating_borrowed(st));
}

void count_refresh(self_ptr self, const char* result) {
  if (auto* family = self->state.env.token_refresh)
    family->add({{"provider", self->state.record.name}, {"result", result}});
}

void rebuild_route(self_ptr self) {
  auto& st = self->state;
  st.base_route = route_template(st.record, st.env.defaults, &st.credential);
  st.base_route.token_generation = st.token_generation;
  // The expiry the admin API lists (a borrowed file's changes with it).
  if (!st.subscription)
    return;
  auto expiry = expiry_iso(st);
  std::optional<std::string> next;
  if (!expiry.empty())
    next = expiry;
  if (next == st.record.token_expires_at || !st.env.store)
    return;
  st.record.token_expires_at = next;
  store_job job = [id = st.record.id, next](store_context& ctx) {
    store::providers_repo{ctx.db, ctx.vault}.set_token_expiry(id, next);
    return admin_reply{};
  };
  caf::anon_send(st.env.store, run_atom::value, std::move(job));
}

/// Reads a borrowed account's file when its mtime or size changed (stat at
/// most once a second unless forced). True when the access token changed.
bool reread_file(self_ptr self, int64_t now, bool force) {
  auto& st = self->state;
  if (!force && st.file_checked_ms >= 0 && now - st.file_checked_ms < 1000)
    return false;
  st.file_checked_ms = now;
  auto& path = st.credential.source_path;
  struct stat info {};
  if (path.empty() || ::stat(path.c_str(), &info) != 0) {
    st.file_problem = cli_label(st) + " credentials file "
                      + (path.empty() ? std::string{"(none named)"} : path)
                      + " is missing";
    st.file_mtime_ns = st.file_size = -1;
    return false;
  }
  int64_t mtime
    = int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec;
  if (!force && mtime == st.file_mtime_ns && info.st_size == st.file_size)
    return false;
  st.file_mtime_ns = mtime;
  st.file_size = info.st_size;
  if (info.st_size > max_file_bytes) {
    st.file_problem
      = cli_label(st) + " credentials file " + path + " is larger than 1 MiB";
    return false;
  }
  std::ifstream in{path, std::ios::binary};
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    st.file_problem
      = cli_label(st) + " credentials file " + path + " cannot be read";
    return false;
  }
  auto parsed = oauth::parse_cli_file(
    st.credential.source.value_or(cli_source::claude_code), text.str());
  if (!parsed) {
    st.file_problem = cli_label(st) + " credentials file " + path + ": "
                      + parsed.error().message;
    return false;
  }
  st.file_problem.clear();
  auto& held = st.credential.tokens;
  if (!rotating_borrowed(st)) {
    // gcloud ADC: the file holds only the refresh token; the access token
    // we refreshed from it stays while that token is the same.
    bool same_login = parsed->refresh_token == held.refresh_token
                      && parsed->client_id == held.client_id;
    auto project = held.project_id;
    if (!same_login) {
      held = *parsed;
      held.project_id = project.empty() ? parsed->project_id : project;
      st.token_obtained_ms = 0;
      ++st.token_generation;
      rebuild_route(self);
      return true;
    }
    return false;
  }
  bool changed = parsed->access_token != held.access_token;
  auto project = held.project_id;
  held = *parsed;
  if (held.project_id.empty())
    held.project_id = project;
  if (changed) {
    st.token_obtained_ms = 0;
    ++st.token_generation;
    OH_INFO("{}: read a new token from {}", st.record.name, cli_label(st));
  }
  rebuild_route(self);
  return changed;
}

/// Writes the rotated tokens (one statement) and then applies them; the
/// refresh token is spent already, so they are applied even when the write
/// failed (logged), rather than losing the account.
void persist_then_apply(self_ptr self, oauth::token_set tokens) {
  auto& st = self->state;
  auto apply = [self, tokens]() mutable {
    auto& s = self->state;
    s.credential.tokens = std::move(tokens);
    s.record.credentials_json
      = oauth::with_tokens(s.record.credentials_json, s.credential.tokens);
    s.record.token_expires_at = expiry_iso(s);
    s.token_obtained_ms = clock_ms(self);
    ++s.token_generation;
    s.refreshing = false;
    s.refresh_forced = false;
    // The refresh's own failure is over (a probe's or a request's error
    // stays until they succeed).
    if (s.last_error && s.last_error->starts_with("token refresh failed"))
      s.last_error.reset();
    s.refresh_error.clear();
    s.refresh_failed_at_ms = 0;
    rebuild_route(self);
    publish_account(self);
    resume_waiting(self);
  };
  if (borrowed(st) || !st.env.store) {
    // gcloud ADC: refreshed in memory only, never written (SPEC §7).
    apply();
    return;
  }
  auto next = oauth::with_tokens(st.record.credentials_json, tokens);
  std::optional<std::string> expiry;
  if (tokens.expires_at_ms > 0)
    expiry = clock::format_iso(tokens.expires_at_ms);
  store_job job = [id = st.record.id, next, expiry](store_context& ctx) {
    store::providers_repo{ctx.db, ctx.vault}.set_credentials(id, next, expiry);
    return admin_reply{};
  };
  self->request(st.env.store, caf::infinite, run_atom::value, std::move(job))
    .then(
      [apply](admin_reply&) mutable {
        apply();
      },
      [self, apply](caf::error& err) mutable {
        OH_ERROR("{}: the refreshed token could not be stored ({}); it "
                 "is used but will be lost at restart",
                 self->state.record.name, self->system().render(err));
        apply();
      });
}

} // namespace

int64_t wall_now(const provider_account_state& st) {
  return st.env.wall_ms ? st.env.wall_ms() : clock::now_ms();
}

void load(self_ptr self) {
  auto& st = self->state;
  st.subscription = st.record.auth_mode != "api_key";
  if (!st.subscription) {
    st.credential = {};
    rebuild_route(self);
    return;
  }
  auto next = oauth::read_account_credential(
    st.record.type, st.record.auth_mode, st.record.credentials_json);
  if (borrowed(st)) {
    bool same_file = next.source_path == st.credential.source_path
                     && next.source == st.credential.source;
    if (!same_file) {
      st.credential = std::move(next);
      st.file_checked_ms = -1;
      reread_file(self, clock_ms(self), true);
    }
    rebuild_route(self);
    return;
  }
  if (next.tokens.access_token != st.credential.tokens.access_token
      || next.tokens.refresh_token != st.credential.tokens.refresh_token) {
    ++st.token_generation;
    st.token_obtained_ms = 0;
  }
  st.credential = std::move(next);
  rebuild_route(self);
}

gate check(self_ptr self, int64_t now, std::string& reason) {
  auto& st = self->state;
  if (borrowed(st))
    reread_file(self, now, false);
  if (borrowed(st) && !st.file_problem.empty()) {
    reason = st.file_problem;
    return gate::refuse;
  }
  auto& t = st.credential.tokens;
  bool has_token = !t.access_token.empty();
  bool expired = has_token && t.expires_at_ms > 0 && now >= t.expires_at_ms;
  bool due = !has_token || st.refresh_forced
             || (t.expires_at_ms > 0 && now + margin_ms(st) >= t.expires_at_ms);
  if (!due)
    return gate::serve;
  if (rotating_borrowed(st)) {
    if (has_token && !expired)
      return gate::serve;
    reason = "waiting for " + cli_label(st) + " to refresh its token";
    return gate::refuse;
  }
  bool cooling = st.refresh_failed_at_ms > 0
                 && now - st.refresh_failed_at_ms < st.env.refresh_retry_ms;
  if (can_refresh(st) && (!cooling || st.refreshing))
    return gate::wait;
  if (has_token && !expired && !st.refresh_forced)
    return gate::serve;
  if (!st.refresh_error.empty())
    reason
      = "the access token expired and its refresh failed: " + st.refresh_error;
  else if (!has_token)
    reason = "the account has no access token";
  else
    reason = "the access token expired and the account has no refresh token";
  return gate::refuse;
}

void start_refresh(self_ptr self) {
  auto& st = self->state;
  if (st.refreshing)
    return;
  st.refreshing = true;
  publish_account(self);
  auto& t = st.credential.tokens;
  refresh_request req{st.record.type, t.refresh_token, t.client_id,
                      t.client_secret};
  provider_account_actor me = self;
  if (!st.env.refresh) {
    token_refresh_result r;
    r.error = "no token endpoint is configured";
    caf::anon_send(me, refreshed_atom::value, std::move(r));
    return;
  }
  OH_INFO("{}: refreshing its access token", st.record.name);
  st.env.refresh(req, [me](token_refresh_result r) {
    caf::anon_send(me, refreshed_atom::value, std::move(r));
  });
}

void on_refreshed(self_ptr self, token_refresh_result r) {
  auto& st = self->state;
  auto now = clock_ms(self);
  if (!r.ok) {
    count_refresh(self, "failure");
    OH_WARN("{}: token refresh failed: {}", st.record.name, r.error);
    st.refreshing = false;
    st.refresh_forced = false;
    st.refresh_error = r.error;
    st.refresh_failed_at_ms = now;
    st.last_error = "token refresh failed: " + r.error;
    publish_account(self);
    resume_waiting(self);
    return;
  }
  count_refresh(self, "success");
  auto tokens = st.credential.tokens;
  tokens.access_token = r.access_token;
  if (!r.refresh_token.empty())
    tokens.refresh_token = r.refresh_token; // rotated
  if (!r.id_token.empty()) {
    tokens.id_token = r.id_token;
    if (auto id = oauth::chatgpt_account_id(r.id_token))
      tokens.account_id = *id;
  }
  tokens.expires_at_ms = r.expires_in_s > 0 ? now + r.expires_in_s * 1000 : 0;
  persist_then_apply(self, std::move(tokens));
}

bool after_unauthorized(self_ptr self, uint64_t generation, int64_t now,
                        bool& refreshable) {
  auto& st = self->state;
  if (borrowed(st))
    reread_file(self, now, true);
  refreshable = false;
  if (st.token_generation > generation)
    return true;
  if (can_refresh(st) && !rotating_borrowed(st)) {
    refreshable = true;
    st.refresh_forced = true;
  }
  return false;
}

void assess(provider_account_state& st, int64_t now) {
  st.token_problem.clear();
  st.token_down = false;
  if (!st.subscription)
    return;
  if (st.record.auth_mode == "borrowed" && !st.file_problem.empty()) {
    st.token_problem = st.file_problem;
    st.token_down = true;
    return;
  }
  auto& t = st.credential.tokens;
  bool expired
    = t.access_token.empty() || (t.expires_at_ms > 0 && now >= t.expires_at_ms);
  if (!st.refresh_error.empty()) {
    st.token_problem = "token refresh failed: " + st.refresh_error;
    st.token_down = expired;
    return;
  }
  if (!expired)
    return;
  if (rotating_borrowed(st)) {
    st.token_problem = "waiting for " + cli_label(st) + " to refresh its token";
  } else if (!can_refresh(st)) {
    st.token_problem = t.access_token.empty()
                         ? "the account has no access token"
                         : "the access token expired and the account has no "
                           "refresh token";
  }
}

std::string expiry_iso(const provider_account_state& st) {
  auto ms = st.credential.tokens.expires_at_ms;
  return ms > 0 ? clock::format_iso(ms) : std::string{};
}

} // namespace account_tokens

} // namespace oh::actors
