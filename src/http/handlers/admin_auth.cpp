#include "http/handlers/admin_auth.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/actors.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/data_dir.hpp"
#include "core/error_render.hpp"
#include "core/json.hpp"
#include "core/password.hpp"
#include "http/handlers/admin.hpp"
#include "http/handlers/admin_json.hpp"
#include "store/audit_repo.hpp"
#include "store/sessions_repo.hpp"
#include "store/settings_repo.hpp"
#include "store/statement.hpp"

namespace oh::http::handlers {

namespace {

using actors::admin_reply;
using actors::store_context;

constexpr const char* password_key = password_setting;
constexpr const char* cookie_name = "oh_session";

std::optional<std::string> stored_password(store::database& db) {
  auto raw = store::settings_repo{db}.get_raw(password_key);
  if (!raw)
    return std::nullopt;
  auto doc = json::parse(*raw);
  if (!doc || !doc->IsString() || doc->GetStringLength() == 0)
    return std::nullopt;
  return std::string{doc->GetString(), doc->GetStringLength()};
}

void store_password(store::database& db, std::string_view hash) {
  std::string value;
  json::append_quoted(value, hash);
  store::settings_repo{db}.put_raw(password_key, value);
}

admin_reply error_reply(errc code, std::string message,
                        std::string field = {}) {
  admin_reply r;
  r.error = fail(code, std::move(message), std::move(field));
  return r;
}

admin_reply too_many(int64_t wait_ms) {
  auto r = error_reply(errc::rate_limited,
                       "too many failed attempts; try again later");
  r.headers.emplace_back("Retry-After", std::to_string(std::max<int64_t>(
                                          1, (wait_ms + 999) / 1000)));
  return r;
}

/// `Set-Cookie` for a session; Secure when the browser reached us over
/// HTTPS (a TLS proxy or the tunnel in front).
std::string session_cookie(const std::string& token, bool secure) {
  std::string c = std::string{cookie_name} + "=" + token
                  + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                  + std::to_string(session_life::absolute_ms / 1000);
  if (secure)
    c += "; Secure";
  return c;
}

std::string cleared_cookie(bool secure) {
  std::string c = std::string{cookie_name}
                  + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (secure)
    c += "; Secure";
  return c;
}

bool table_has_rows(store::database& db, const char* table) {
  store::statement st{db, std::string{"SELECT EXISTS(SELECT 1 FROM "} + table
                            + ")"};
  return st.step() && st.int64(0) != 0;
}

/// `{ok, token, csrf, setup}` for a new session, with its cookie.
admin_reply session_reply(store::database& db, admin_auth& auth,
                          const std::string& ip, const std::string& ua,
                          bool secure, const std::string& action) {
  auto s = auth.create_session(ip, ua, clock::now_ms());
  store::sessions_repo{db}.insert(s.info.row());
  store::audit_repo{db}.record("session:" + s.info.public_id(), action,
                               "session", s.info.public_id());
  std::string body = "{\"ok\":true,\"token\":";
  json::append_quoted(body, s.token);
  body += ",\"csrf\":";
  json::append_quoted(body, s.csrf);
  body += ",\"setup\":{\"has_providers\":";
  body += table_has_rows(db, "providers") ? "true" : "false";
  body += ",\"has_souls\":";
  body += table_has_rows(db, "souls") ? "true" : "false";
  body += ",\"has_keys\":";
  body += table_has_rows(db, "api_keys") ? "true" : "false";
  body += "}}";
  admin_reply r;
  r.body = std::move(body);
  r.headers.emplace_back("Set-Cookie", session_cookie(s.token, secure));
  return r;
}

/// What a request's body says, or why it cannot be read.
struct body_fields {
  std::optional<json::document> doc;
  std::optional<failure> error;
  std::optional<std::string> text(const char* name) const {
    return doc ? json::get_string(*doc, name) : std::nullopt;
  }
};

body_fields read_body(const http_request& req) {
  body_fields out;
  auto parsed = admin::body_object(req.body);
  if (!parsed)
    out.error = parsed.error();
  else
    out.doc = std::move(*parsed);
  return out;
}

/// True when the browser reached the gateway over HTTPS: only a proxy on
/// this machine (a TLS terminator, cloudflared) can say so.
bool over_https(const http_request& req) {
  bool local = req.peer_ip == "127.0.0.1" || req.peer_ip == "::1"
               || req.peer_ip.starts_with("127.");
  if (!local)
    return false;
  if (auto proto = req.header("x-forwarded-proto"))
    return iequals(*proto, "https");
  if (auto visitor = req.header("cf-visitor"))
    return visitor->find("https") != std::string_view::npos;
  return false;
}

std::string user_agent_of(const http_request& req) {
  auto ua = req.header("user-agent");
  return ua ? json::sanitize_utf8(*ua) : std::string{};
}

std::string sessions_json(const std::vector<admin_session>& all,
                          const std::string& current_hash) {
  std::string out = "{\"data\":[";
  bool first = true;
  for (auto& s : all) {
    if (!first)
      out += ",";
    first = false;
    out += "{\"id\":";
    json::append_quoted(out, s.public_id());
    out += ",\"created_at\":";
    json::append_quoted(out, clock::format_iso(s.created_ms));
    out += ",\"last_seen\":";
    json::append_quoted(out, clock::format_iso(s.last_seen_ms));
    out += ",\"expires_at\":";
    json::append_quoted(out, clock::format_iso(session_life::expires_at(
                               s.created_ms, s.last_seen_ms)));
    out += ",\"ip\":";
    json::append_quoted(out, s.ip);
    out += ",\"user_agent\":";
    json::append_quoted(out, s.user_agent);
    out += ",\"current\":";
    out += s.id_hash == current_hash ? "true" : "false";
    out += "}";
  }
  return out + "]}";
}

} // namespace

bool is_public_auth_route(route_id id) {
  return id == route_id::admin_auth_status || id == route_id::admin_auth_setup
         || id == route_id::admin_auth_login;
}

void persist_session_touch(const std::shared_ptr<app_context>& ctx,
                           const admin_session& session) {
  auto row = session.row();
  actors::store_job job = [row](store_context& sc) {
    store::sessions_repo{sc.db}.touch(row.id_hash, row.last_seen,
                                      row.expires_at);
    return admin_reply{};
  };
  caf::anon_send(ctx->store, actors::run_atom::value, std::move(job));
}

void handle_auth(const std::shared_ptr<app_context>& ctx,
                 const route_result& route, http_request req,
                 const admin_principal& who, responder respond) {
  auto auth = ctx->auth;
  std::string ip = req.peer_ip;
  std::string ua = user_agent_of(req);
  bool secure = over_https(req);
  std::string current = who.session ? who.session->id_hash : std::string{};

  switch (route.id) {
    case route_id::admin_auth_status: {
      http_response res;
      bool has = auth->has_password();
      res.body = std::string{"{\"hasPassword\":"} + (has ? "true" : "false")
                 + ",\"setupRequired\":" + (has ? "false" : "true") + "}";
      respond(std::move(res));
      return;
    }
    case route_id::admin_auth_verify: {
      http_response res;
      res.body = "{\"ok\":true}";
      respond(std::move(res));
      return;
    }
    case route_id::admin_auth_sessions: {
      if (req.method == "GET") {
        http_response res;
        res.body = sessions_json(auth->sessions(clock::now_ms()), current);
        respond(std::move(res));
        return;
      }
      // DELETE: every session but the caller's own.
      auto actor = who.actor;
      run_store_job(
        ctx,
        [auth, current, actor](store_context& sc) {
          auth->end_all_except(current);
          store::sessions_repo{sc.db}.remove_all_except(current);
          store::audit_repo{sc.db}.record(actor, "revoke_all", "session", "");
          admin_reply r;
          r.body = "{\"ok\":true}";
          return r;
        },
        std::move(respond));
      return;
    }
    case route_id::admin_auth_session: {
      auto id = route.param;
      auto actor = who.actor;
      std::string hash;
      for (auto& s : auth->sessions(clock::now_ms()))
        if (s.public_id() == id)
          hash = s.id_hash;
      if (hash.empty()) {
        respond(error_response(
          dialect::admin,
          fail(errc::not_found, "no session with id " + clip_echo(id))));
        return;
      }
      run_store_job(
        ctx,
        [auth, hash, id, actor](store_context& sc) {
          auth->end_session_by_hash(hash);
          store::sessions_repo{sc.db}.remove(hash);
          store::audit_repo{sc.db}.record(actor, "revoke", "session", id);
          admin_reply r;
          r.body = "{\"ok\":true}";
          return r;
        },
        std::move(respond));
      return;
    }
    case route_id::admin_auth_logout: {
      auto actor = who.actor;
      run_store_job(
        ctx,
        [auth, current, actor, secure](store_context& sc) {
          if (!current.empty()) {
            auth->end_session_by_hash(current);
            store::sessions_repo{sc.db}.remove(current);
            store::audit_repo{sc.db}.record(actor, "logout", "session",
                                            current.substr(0, 16));
          }
          admin_reply r;
          r.body = "{\"ok\":true}";
          r.headers.emplace_back("Set-Cookie", cleared_cookie(secure));
          return r;
        },
        std::move(respond));
      return;
    }
    default:
      break;
  }

  auto fields = read_body(req);
  if (fields.error) {
    respond(error_response(dialect::admin, *fields.error));
    return;
  }
  auto password = fields.text("password");

  switch (route.id) {
    case route_id::admin_auth_login: {
      auto token = fields.text("admin_token");
      if (!password && !token) {
        respond(error_response(dialect::admin,
                               fail(errc::missing_field,
                                    "send \"password\" or \"admin_token\"",
                                    "password")));
        return;
      }
      run_store_job(
        ctx,
        [auth, password, token, ip, ua, secure](store_context& sc) {
          auto now = clock::now_ms();
          if (auto wait = auth->retry_after_ms(ip, now); wait > 0)
            return too_many(wait);
          bool ok = false;
          if (token) {
            ok = auth->is_admin_token(*token);
          } else if (auto stored = stored_password(sc.db)) {
            ok = password::verify(*password, *stored);
            if (ok && password::needs_rehash(*stored))
              store_password(sc.db, password::hash(*password));
          } else {
            return error_reply(errc::auth_invalid,
                               "no password is set: use the setup link or "
                               "log in with the admin token");
          }
          if (!ok) {
            auth->record_failure(ip, now);
            return error_reply(errc::auth_invalid,
                               token ? "wrong admin token" : "wrong password");
          }
          return session_reply(sc.db, *auth, ip, ua, secure, "login");
        },
        std::move(respond));
      return;
    }
    case route_id::admin_auth_setup: {
      auto setup_token = fields.text("setup_token");
      if (!password || password->size() < password::min_length) {
        respond(error_response(dialect::admin,
                               fail(errc::invalid_value,
                                    "the password must be at least "
                                      + std::to_string(password::min_length)
                                      + " characters",
                                    "password")));
        return;
      }
      run_store_job(
        ctx,
        [auth, password, setup_token, ip, ua, secure](store_context& sc) {
          auto now = clock::now_ms();
          if (auto wait = auth->retry_after_ms(ip, now); wait > 0)
            return too_many(wait);
          if (auth->has_password() || stored_password(sc.db))
            return error_reply(errc::conflict,
                               "a password is already set: log in, or "
                               "change it with "
                               "/admin/auth/change-password");
          // The one-time token of the setup link, or the admin token:
          // reaching the port is not enough to claim the gateway.
          std::string presented = setup_token.value_or("");
          if (!auth->is_admin_token(presented)
              && !auth->take_setup_token(presented)) {
            auth->record_failure(ip, now);
            return error_reply(errc::auth_invalid,
                               "setup needs the setup token of the setup "
                               "link printed at first start (or the admin "
                               "token)",
                               "setup_token");
          }
          store_password(sc.db, password::hash(*password));
          auth->set_has_password(true);
          return session_reply(sc.db, *auth, ip, ua, secure, "setup");
        },
        std::move(respond));
      return;
    }
    case route_id::admin_auth_change_password: {
      auto current_password = fields.text("current_password");
      auto new_password = fields.text("new_password");
      if (!new_password || new_password->size() < password::min_length) {
        respond(error_response(dialect::admin,
                               fail(errc::invalid_value,
                                    "the new password must be at least "
                                      + std::to_string(password::min_length)
                                      + " characters",
                                    "new_password")));
        return;
      }
      auto actor = who.actor;
      run_store_job(
        ctx,
        [auth, current_password, new_password, ip, ua, secure,
         actor](store_context& sc) {
          auto now = clock::now_ms();
          if (auto wait = auth->retry_after_ms(ip, now); wait > 0)
            return too_many(wait);
          auto stored = stored_password(sc.db);
          if (!stored)
            return error_reply(errc::invalid_value,
                               "no password is set: use setup first");
          if (!current_password
              || !password::verify(*current_password, *stored)) {
            auth->record_failure(ip, now);
            return error_reply(errc::auth_invalid,
                               "the current password is wrong",
                               "current_password");
          }
          store_password(sc.db, password::hash(*new_password));
          // Every session ends; the caller gets a new one.
          auth->end_all_except("");
          store::sessions_repo{sc.db}.remove_all_except("");
          store::audit_repo{sc.db}.record(actor, "change_password", "settings",
                                          password_key);
          return session_reply(sc.db, *auth, ip, ua, secure,
                               "login_after_password_change");
        },
        std::move(respond));
      return;
    }
    case route_id::admin_auth_rotate_token: {
      auto actor = who.actor;
      run_store_job(
        ctx,
        [auth, actor](store_context& sc) {
          if (auth->token_path().empty())
            return error_reply(errc::conflict,
                               "the admin token is configured "
                               "(OPENHINGE_ADMIN_TOKEN or admin.token): "
                               "change it there");
          auto token = crypto::new_admin_token();
          if (auto st = data_dir::write_file(auth->token_path(), token + "\n");
              !st)
            return error_reply(errc::internal, st.error().message);
          auth->set_admin_token(token);
          store::audit_repo{sc.db}.record(actor, "rotate", "admin_token", "");
          admin_reply r;
          std::string body = "{\"ok\":true,\"token\":";
          json::append_quoted(body, token);
          r.body = body + "}";
          return r;
        },
        std::move(respond));
      return;
    }
    default:
      respond(error_response(dialect::admin,
                             fail(errc::not_found, "no such auth route")));
  }
}

} // namespace oh::http::handlers
