// openhinge: parse config → open the store → start the actor system →
// start the HTTP listener → wait for SIGTERM/SIGINT → drain → exit 0.

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/provider_account.hpp"
#include "cli/client_main.hpp"
#include "cli/import_command.hpp"
#include "cli/setup_commands.hpp"
#include "actors/acceptor.hpp"
#include "actors/system.hpp"
#include "core/metrics.hpp"
#include "providers/oauth/token_endpoint.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"
#include "http/admin_auth.hpp"
#include "http/handlers/admin_settings.hpp"
#include "store/backup.hpp"
#include "store/sessions_repo.hpp"
#include "store/settings_repo.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/data_dir.hpp"
#include "core/defaults.hpp"
#include "core/fd_limit.hpp"
#include "core/logging.hpp"
#include "core/memory_trim.hpp"
#include "core/subprocess.hpp"
#include "http/app.hpp"
#include "http/handlers/admin_cloudflare.hpp"
#include "http/handlers/admin_oauth.hpp"
#include "http/public_listener.hpp"
#include "http/server.hpp"
#include "providers/io_runtime.hpp"
#include "providers/price_table.hpp"
#include "providers/upstream_client.hpp"
#include "actors/registry.hpp"
#include "providers/oauth/token_endpoint.hpp"
#include "actors/services.hpp"
#include "actors/usage_queue.hpp"
#include "store/credential_vault.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"
#include "store/usage_repo.hpp"

namespace {

constexpr int exit_config = 2;

int config_error(const std::string& message) {
  std::cerr << "openhinge: " << message << "\n";
  return exit_config;
}

/// The main listener and, when configured, the public one (SPEC §12),
/// drained as one: the acceptor stops both and waits for both.
class listener_group final : public oh::actors::listener_control {
public:
  explicit listener_group(std::shared_ptr<oh::http::http_server> main)
    : main_(std::move(main)) {}
  /// A listener started later (the tunnel setup's public one).
  void add(std::shared_ptr<oh::http::http_server> other) {
    std::lock_guard lock{mutex_};
    if (draining_)
      other->stop_accepting();
    others_.push_back(std::move(other));
  }
  void stop_accepting() override {
    std::lock_guard lock{mutex_};
    draining_ = true;
    main_->stop_accepting();
    for (auto& o : others_)
      o->stop_accepting();
  }
  size_t open_connections() const override {
    std::lock_guard lock{mutex_};
    size_t n = main_->open_connections();
    for (auto& o : others_)
      n += o->open_connections();
    return n;
  }
  uint16_t port() const override {
    return main_->port();
  }
  void stop() {
    std::lock_guard lock{mutex_};
    main_->stop();
    for (auto& o : others_)
      o->stop();
  }

private:
  mutable std::mutex mutex_;
  bool draining_ = false;
  std::shared_ptr<oh::http::http_server> main_;
  std::vector<std::shared_ptr<oh::http::http_server>> others_;
};

/// Blocks the shutdown signals in every thread; main waits for them with
/// sigwait, so no handler runs in signal context.
sigset_t block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

/// Refreshes subscription tokens at the vendors' token endpoints (SPEC §7).
/// Google's client comes from the account or the environment.
oh::actors::refresh_fn
make_token_refresher(oh::providers::upstream_client& upstream,
                     std::string endpoint_base) {
  return [&upstream, endpoint_base](
           const oh::actors::refresh_request& r,
           std::function<void(oh::actors::token_refresh_result)> done) {
    auto client_id = r.client_id;
    auto client_secret = r.client_secret;
    if (r.type == "gemini") {
      if (client_id.empty())
        if (const char* v = std::getenv("GEMINI_OAUTH_CLIENT_ID"))
          client_id = v;
      if (client_secret.empty())
        if (const char* v = std::getenv("GEMINI_OAUTH_CLIENT_SECRET"))
          client_secret = v;
    }
    auto call = oh::providers::oauth::refresh_call(
      r.type, r.refresh_token, client_id, client_secret, endpoint_base);
    oh::providers::oauth::call_token_endpoint(
      upstream, call,
      [done = std::move(done)](
        oh::expected<oh::providers::oauth::token_answer> answer) {
        oh::actors::token_refresh_result out;
        if (!answer) {
          out.error = answer.error().message;
        } else {
          out.ok = true;
          out.access_token = std::move(answer->access_token);
          out.refresh_token = std::move(answer->refresh_token);
          out.id_token = std::move(answer->id_token);
          out.expires_in_s = answer->expires_in_s;
        }
        done(std::move(out));
      });
  };
}

/// Gauges read at scrape time (SPEC §9.4).
void register_computed_metrics(
  oh::actors::gateway_services& services,
  const std::shared_ptr<oh::http::http_server>& server) {
  using oh::metrics::labels;
  using series = std::vector<std::pair<labels, double>>;
  auto& reg = services.metrics->reg;
  std::weak_ptr<oh::http::http_server> weak = server;
  reg.computed(
    "openhinge_connections", "Open client connections.", "gauge",
    [weak]() -> series {
      auto s = weak.lock();
      return {{{}, s ? static_cast<double>(s->open_connections()) : 0}};
    });
  reg.computed("openhinge_accept_paused_total",
               "Times accepting paused because no file descriptor was left.",
               "counter", [weak]() -> series {
                 auto s = weak.lock();
                 return {{{}, s ? static_cast<double>(s->accept_pauses()) : 0}};
               });
  reg.computed(
    "openhinge_connections_refused_total",
    "Connections closed at once at limits.max_connections.", "counter",
    [weak]() -> series {
      auto s = weak.lock();
      return {{{}, s ? static_cast<double>(s->refused_connections()) : 0}};
    });
  auto log = services.log;
  reg.computed("openhinge_log_queue_depth", "Usage rows waiting to be written.",
               "gauge", [log]() -> series {
                 return {{{}, static_cast<double>(log->depth())}};
               });
  reg.computed("openhinge_log_rows_deleted_total",
               "Usage rows deleted by retention (log.retention_days).",
               "counter", [log]() -> series {
                 return {{{}, static_cast<double>(log->pruned())}};
               });
  reg.computed("openhinge_log_dropped_total",
               "Usage rows dropped because the queue was full.", "counter",
               [log]() -> series {
                 return {{{}, static_cast<double>(log->dropped())}};
               });
  auto health = services.health;
  auto snapshot = services.snapshot;
  reg.computed("openhinge_circuit_state",
               "Circuit per account: 0 closed, 1 half-open, 2 open.", "gauge",
               [health, snapshot]() -> series {
                 series out;
                 auto snap = snapshot->load();
                 for (auto& [id, cell] : health->all()) {
                   auto name = snap->account_names.count(id)
                                 ? snap->account_names.at(id)
                                 : id;
                   out.push_back({{{"provider", name}},
                                  static_cast<double>(cell->circuit.load())});
                 }
                 return out;
               });
  reg.computed(
    "process_resident_memory_bytes", "Resident memory size.", "gauge",
    []() -> series {
      long pages = 0;
      if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        long size = 0;
        if (std::fscanf(f, "%ld %ld", &size, &pages) != 2)
          pages = 0;
        std::fclose(f);
      }
      return {{{}, static_cast<double>(pages) * ::sysconf(_SC_PAGESIZE)}};
    });
  reg.computed(
    "process_cpu_seconds_total", "User and system CPU time.", "counter",
    []() -> series {
      struct rusage ru {};
      ::getrusage(RUSAGE_SELF, &ru);
      double s
        = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
          + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)
              / 1e6;
      return {{{}, s}};
    });
}

int serve(const oh::config& cfg_given, const sigset_t& signals) {
  using namespace oh;
  // The settings stored by the dashboard are the database level of the
  // precedence; they are applied once the database is open.
  config cfg = cfg_given;
  for (auto& w : cfg.warnings)
    OH_WARN("{}", w);
  if (auto st = data_dir::prepare(cfg.data_dir); !st)
    return config_error(st.error().message);

  bool key_created = false;
  std::string encryption_key = cfg.encryption_key;
  if (encryption_key.empty()) {
    auto key = data_dir::load_or_create_secret(
      cfg.data_dir + "/" + defaults::encryption_key_file,
      [] {
        return crypto::to_hex(crypto::random_bytes(32));
      },
      key_created);
    if (!key)
      return config_error(key.error().message);
    encryption_key = *key;
  }
  bool token_created = false;
  std::string admin_token = cfg.admin_token;
  std::string token_path = cfg.data_dir + "/" + defaults::admin_token_file;
  if (admin_token.empty()) {
    auto token = data_dir::load_or_create_secret(
      token_path,
      [] {
        return crypto::new_admin_token();
      },
      token_created);
    if (!token)
      return config_error(token.error().message);
    admin_token = *token;
  }

  std::shared_ptr<store::database> db;
  std::optional<store::credential_vault> vault;
  bool first_run = false;
  try {
    auto parent = std::filesystem::path(cfg.db_path).parent_path();
    if (!parent.empty())
      std::filesystem::create_directories(parent);
    first_run = !std::filesystem::exists(cfg.db_path);
    db = std::make_shared<store::database>(cfg.db_path);
    if (auto st = store::migrate(*db, store::embedded_migrations()); !st)
      return config_error(st.error().message);
    auto opened = store::credential_vault::open(*db, encryption_key);
    if (!opened)
      return config_error(opened.error().message);
    vault.emplace(std::move(*opened));
  } catch (const std::exception& e) {
    return config_error(std::string{"db.path: "} + e.what());
  }

  if (auto st = http::handlers::apply_stored_settings(cfg, *db); !st)
    return config_error(st.error().message);

  // Dashboard authentication (SPEC §9.1): sessions survive restarts; the
  // password hash lives in the database, seeded from auth.passwordHash
  // only while the database has none.
  auto auth = std::make_shared<http::admin_auth>(
    admin_token, cfg.admin_token.empty() ? token_path : std::string{});
  std::string setup_token;
  try {
    store::settings_repo settings{*db};
    bool has_password = settings.get_raw(http::password_setting).has_value();
    if (!has_password && !cfg.password_hash.empty()) {
      std::string value;
      json::append_quoted(value, cfg.password_hash);
      settings.put_raw(http::password_setting, value);
      has_password = true;
    }
    auth->set_has_password(has_password);
    auth->load(store::sessions_repo{*db}.live(clock::now_iso()));
  } catch (const std::exception& e) {
    return config_error(std::string{"db.path: "} + e.what());
  }
  if (!auth->has_password())
    setup_token = auth->make_setup_token();

  // Declared before the actor system: actors may hold sinks whose sessions
  // live in the runtime's queues.
  auto io = std::make_unique<providers::io_runtime>(cfg.threads);
  memory_trimmer trimmer{
    std::chrono::milliseconds(defaults::memory_trim_interval_ms)};
  auto caf_cfg = actors::make_system_config(*io);
  caf::actor_system sys{*caf_cfg};
  auto snapshot = std::make_shared<actors::snapshot_holder>();
  auto store_handle = actors::spawn_store(sys, db, *vault);
  db.reset(); // the store actor is now the only owner of the connection
  // The upstream client outlives every actor that holds a pointer to it.
  auto upstream = std::make_unique<providers::upstream_client>(*io);
  auto log_queue = std::make_shared<actors::usage_queue>();
  // Written rows are freed on the I/O thread that made them
  // (usage_queue::release_hooks).
  log_queue->set_release_hooks(
    {[&io = *io] {
       return io.current_index();
     },
     [&io = *io](int origin, std::vector<store::usage_row>&& rows) {
       auto i = static_cast<size_t>(origin);
       if (i >= io.size() || !io.running(i))
         return; // freed here, with `rows`
       auto held
         = std::make_shared<std::vector<store::usage_row>>(std::move(rows));
       io.post(i, std::function<void()>{[held] {
                 held->clear();
               }});
     }});
  auto services = std::make_shared<actors::gateway_services>();
  services->upstream = upstream.get();
  services->prices
    = std::make_shared<const price_table>(providers::default_prices());
  services->snapshot = snapshot;
  services->log = log_queue;
  services->max_attempts = cfg.max_attempts;
  services->stream_heartbeat_ms = cfg.stream_heartbeat_s * 1000;
  services->max_upstream_body_bytes = cfg.max_upstream_body_bytes;
  services->max_upstream_event_bytes = cfg.max_upstream_event_bytes;

  actors::registry_env env;
  env.defaults.connect_timeout_ms = cfg.connect_timeout_ms;
  env.defaults.timeout_ms = cfg.timeout_ms;
  env.defaults.stream_timeout_ms = cfg.stream_timeout_ms;
  env.defaults.idle_timeout_ms = cfg.idle_timeout_ms;
  env.defaults.max_stream_ms = cfg.max_stream_ms;
  env.upstream = upstream.get();
  env.health = services->health;
  env.breaker_failures = static_cast<int>(cfg.breaker_failures);
  env.breaker_cooldown_ms = int64_t{cfg.breaker_cooldown_s} * 1000;
  env.refresh_margin_ms = int64_t{cfg.oauth_refresh_margin_s} * 1000;
  env.token_refresh = &services->metrics->token_refresh;
  env.refresh = make_token_refresher(*upstream, cfg.oauth_endpoint_base);
  auto registry = actors::spawn_registry(sys, store_handle, snapshot, env);

  // The usage logger writes on its own thread with its own connection.
  std::shared_ptr<store::database> log_db;
  try {
    log_db = std::make_shared<store::database>(cfg.db_path);
  } catch (const std::exception& e) {
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store_handle, caf::exit_reason::user_shutdown);
    return config_error(std::string{"db.path: "} + e.what());
  }
  auto logger = actors::spawn_usage_logger(sys, log_db, log_queue,
                                           cfg.log_retention_days);
  // Kept for the exit on a second signal, which writes the queued rows
  // through it while the logger is held between batches.
  auto exit_log_db = log_db;
  log_db.reset();
  auto monitor = actors::spawn_health_monitor(
    sys, snapshot, int64_t{cfg.health_interval_s} * 1000);
  caf::actor ctx_tunnel; // spawned once the listener runs
  auto stop_actors = [&] {
    caf::anon_send_exit(monitor, caf::exit_reason::user_shutdown);
    if (ctx_tunnel)
      caf::anon_send_exit(ctx_tunnel, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store_handle, caf::exit_reason::user_shutdown);
    // Last: its exit handler writes whatever is still queued.
    caf::anon_send_exit(logger, caf::exit_reason::user_shutdown);
  };

  {
    caf::scoped_actor self{sys};
    bool loaded = false;
    self->request(registry, std::chrono::seconds(60), actors::load_atom::value)
      .receive(
        [&](size_t) {
          loaded = true;
        },
        [&](caf::error& err) {
          OH_ERROR("loading configuration failed: {}", sys.render(err));
        });
    if (!loaded) {
      stop_actors();
      return 1;
    }
  }

  auto ctx = std::make_shared<http::app_context>();
  ctx->system = &sys;
  ctx->store = store_handle;
  ctx->registry = registry;
  ctx->snapshot = snapshot;
  ctx->services = services;
  ctx->usage_logger = caf::actor_cast<caf::actor>(logger);
  ctx->health_monitor = caf::actor_cast<caf::actor>(monitor);
  ctx->metrics_public = cfg.metrics_public;
  ctx->io_threads = cfg.threads;
  ctx->scheduler_threads = cfg.threads;
  ctx->auth = auth;
  ctx->oauth = std::make_shared<http::oauth_runtime>();
  ctx->oauth->io = io.get();
  ctx->oauth->endpoint_base = cfg.oauth_endpoint_base;
  ctx->oauth->callback_port = static_cast<uint16_t>(cfg.oauth_callback_port);
  ctx->services_mut = services;
  ctx->started_config = std::make_shared<const config>(cfg);
  ctx->listen_host = cfg.host;
  ctx->allowed_hosts = cfg.admin_allowed_hosts;
  ctx->admin_origins = cfg.cors_admin_origins;
  ctx->started_ms = clock::now_ms();

  http::server_options opts;
  opts.host = cfg.host;
  opts.port = static_cast<uint16_t>(cfg.port);
  opts.max_body_bytes = cfg.max_body_bytes;
  opts.max_header_bytes = cfg.max_header_bytes;
  // A gateway out of descriptors cannot even answer /health: take what the
  // system allows and keep connections below it (SPEC §3).
  auto fds = fd_limit::raise_to_hard();
  opts.max_connections = static_cast<size_t>(
    fd_limit::connection_cap(cfg.max_connections, fds, defaults::fd_reserve));
  if (opts.max_connections < cfg.max_connections) {
    // A warning only when someone asked for more; the default being capped
    // on an ordinary machine is no news.
    bool asked = cfg.sources.count("limits.max_connections") > 0
                 && cfg.sources.at("limits.max_connections") != "default";
    if (asked)
      OH_WARN("limits.max_connections {} lowered to {}: the process may open "
              "{} files, and each proxied request needs an upstream socket "
              "too",
              cfg.max_connections, opts.max_connections, fds);
    else
      OH_INFO("limits.max_connections {} lowered to {}: the process may open "
              "{} files, and each proxied request needs an upstream socket "
              "too",
              cfg.max_connections, opts.max_connections, fds);
  }
  opts.header_timeout = std::chrono::milliseconds(cfg.header_timeout_ms);
  opts.body_idle_timeout = std::chrono::milliseconds(cfg.body_idle_timeout_ms);
  opts.keepalive_idle_timeout
    = std::chrono::milliseconds(cfg.keepalive_idle_timeout_ms);
  opts.request_timeout = std::chrono::milliseconds(cfg.request_timeout_ms);
  // The Cloudflare tunnel (SPEC §12): its supervisor and the public
  // listener's starter, in the context before any request can read them.
  auto tunnel = actors::spawn_tunnel_supervisor(sys);
  ctx->tunnel_supervisor = caf::actor_cast<caf::actor>(tunnel);
  ctx_tunnel = ctx->tunnel_supervisor;
  ctx->tunnel_expose_admin = cfg.tunnel_expose_admin;
  auto main_app = std::make_shared<http::app>(ctx);
  // Set once the main listener runs; read under the mutex.
  auto listeners_slot = std::make_shared<std::shared_ptr<listener_group>>();
  auto public_server = std::make_shared<std::shared_ptr<http::http_server>>();
  auto public_mutex = std::make_shared<std::mutex>();
  ctx->ensure_public_listener
    // Weak: the app holds the context that holds this function.
    = [&io, opts, weak_app = std::weak_ptr<http::app>(main_app), listeners_slot,
       public_server, public_mutex,
       expose = cfg.tunnel_expose_admin](uint16_t port) -> expected<uint16_t> {
    std::lock_guard lock{*public_mutex};
    if (*public_server)
      return (*public_server)->port();
    auto main_app = weak_app.lock();
    if (!main_app || !*listeners_slot)
      return fail(errc::shutting_down, "the gateway is not serving");
    auto public_opts = opts;
    public_opts.host = "127.0.0.1";
    public_opts.port = port;
    auto started = http::http_server::start(
      *io, public_opts, std::make_shared<http::public_app>(main_app, expose));
    if (!started)
      return started.error();
    *public_server = *started;
    (*listeners_slot)->add(*started);
    OH_INFO("public listener (only /v1 and /health{}) on 127.0.0.1:{}",
            expose ? ", admin exposed" : "", (*started)->port());
    return (*started)->port();
  };
  // However serve() ends, the starter goes first (see the end of serve).
  struct starter_reset {
    std::shared_ptr<http::app_context> ctx;
    ~starter_reset() {
      ctx->ensure_public_listener = nullptr;
    }
  } starter_guard{ctx};
  auto server = http::http_server::start(*io, opts, main_app);
  if (!server) {
    stop_actors();
    return config_error(server.error().message);
  }
  auto listeners = std::make_shared<listener_group>(*server);
  {
    std::lock_guard lock{*public_mutex};
    *listeners_slot = listeners;
  }
  if (cfg.public_port != 0) {
    // Configured: listening from the start, like the main listener.
    if (auto st
        = ctx->ensure_public_listener(static_cast<uint16_t>(cfg.public_port));
        !st) {
      listeners->stop();
      stop_actors();
      return config_error("server.public_port: " + st.error().message);
    }
  }
  try {
    store::database settings_db{cfg.db_path};
    auto settings_vault
      = store::credential_vault::open(settings_db, encryption_key);
    if (settings_vault)
      http::handlers::resume_tunnel(ctx, settings_db, *settings_vault);
  } catch (const std::exception& e) {
    OH_WARN("tunnel: the stored settings were not read: {}", e.what());
  }
  auto port = (*server)->port();
  ctx->listen_port = port;
  std::string base = "http://" + cfg.host + ":" + std::to_string(port);
  OH_INFO("openhinge {} listening on {} (data: {})", OH_VERSION, base,
          cfg.data_dir);
  if (first_run || token_created) {
    std::cerr << "\nOpenHinge is ready at " << base << "\n";
    if (token_created)
      std::cerr << "Admin token written to " << token_path
                << " (mode 0600); use it as:\n  curl -H \"Authorization: "
                   "Bearer $(cat "
                << token_path << ")\" " << base << "/admin/providers\n";
    else
      std::cerr << "Admin token: from OPENHINGE_ADMIN_TOKEN / admin.token\n";
    std::cerr << std::endl;
  }
  if (!setup_token.empty()) {
    // One-time: spent by the setup, replaced at the next start while no
    // password is set. Reaching the port alone cannot claim the gateway.
    std::cerr << "Set the dashboard password with this one-time link:\n  "
              << base << "/dashboard/?setup=" << setup_token
              << "\nor: curl -X POST " << base
              << "/admin/auth/setup -d '{\"password\":\"<10+ characters>\","
                 "\"setup_token\":\""
              << setup_token << "\"}'\n"
              << std::endl;
  }

  auto acceptor = actors::spawn_acceptor(sys, listeners);
  ctx->acceptor = caf::actor_cast<caf::actor>(acceptor);
  // The port file is the readiness signal: written last.
  std::string port_file = cfg.data_dir + "/" + defaults::port_file;
  if (auto st = data_dir::write_file(port_file, std::to_string(port) + "\n");
      !st)
    OH_WARN("could not write {}: {}", port_file, st.error().message);
  register_computed_metrics(*services, *server);

  int sig = 0;
  sigwait(&signals, &sig);
  OH_INFO("received {}, draining for up to {} s",
          sig == SIGTERM ? "SIGTERM" : "SIGINT", cfg.drain_seconds);
  // A second signal ends the process at once, but the usage log rows of
  // requests already answered are written first (SPEC §3).
  std::thread([signals, exit_log_db, log_queue] {
    int again = 0;
    sigwait(&signals, &again);
    std::fputs("openhinge: second signal, exiting now\n", stderr);
    oh::kill_all_children_now(); // cloudflared must not outlive us
    std::lock_guard gate{log_queue->writer_gate()};
    try {
      auto n = actors::write_queued_rows(*exit_log_db, *log_queue);
      std::fprintf(stderr, "openhinge: wrote %zu queued usage log row(s)\n", n);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "openhinge: queued usage log rows lost: %s\n",
                   e.what());
    }
    std::_Exit(0);
  }).detach();

  ctx->draining = true;
  auto drain = [&](uint32_t seconds) -> size_t {
    size_t left = 0;
    caf::scoped_actor self{sys};
    self
      ->request(acceptor, std::chrono::seconds(seconds + 5),
                actors::drain_atom::value, seconds)
      .receive(
        [&](size_t n) {
          left = n;
        },
        [&](caf::error& err) {
          OH_WARN("drain did not finish: {}", sys.render(err));
        });
    return left;
  };
  auto left = drain(cfg.drain_seconds);
  if (left > 0) {
    // The deadline passed: end what is still running with a clean error
    // (in-band for streams) instead of cutting sockets, then give the last
    // bytes a moment to leave.
    auto live = services->live->all();
    OH_WARN("drain deadline: ending {} request(s) with a shutdown error",
            live.size());
    for (auto& r : live)
      caf::anon_send(r, actors::shutdown_atom::value);
    left = drain(2);
  }
  OH_INFO("drained; {} connection(s) cut", left);
  listeners->stop();
  caf::anon_send_exit(acceptor, caf::exit_reason::user_shutdown);
  stop_actors();
  OH_INFO("waiting for the actors to finish");
  sys.await_all_actors_done();
  // The actor system goes first (leaving this scope), while the I/O threads,
  // which run its actors, still run; the runtime stops after it.
  OH_INFO("actors done; stopping");
  // The public listener's starter holds the listeners, whose apps hold the
  // context: dropped here so the context (and the actor handles in it) can
  // go before the actor system waits for its detached actors.
  ctx->ensure_public_listener = nullptr;
  std::filesystem::remove(port_file);
  OH_INFO("stopped");
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  // Every file the gateway creates holds secrets or their neighbours (the
  // database, its -wal and -shm, keys, tokens): 0600 files and 0700
  // directories whatever umask the user runs it under (SPEC §14).
  ::umask(077);
  // Client commands, help and usage errors end here, before anything of
  // the server starts (a client answers in milliseconds, and Ctrl-C must
  // reach it: the shutdown signals are blocked only for the server).
  auto outcome = oh::cli::run_cli({argv + 1, argv + argc});
  if (outcome.exit_status)
    return *outcome.exit_status;
  auto signals = block_shutdown_signals();
  const std::string command = outcome.local.path;
  std::vector<std::string> args = std::move(outcome.local.args);
  bool show_config = false;
  std::string backup_file;
  if (command == "backup") {
    if (args.empty() || args.front().starts_with("-"))
      return config_error("usage: openhinge backup FILE [options]");
    backup_file = args.front();
    args.erase(args.begin());
  } else if (command == "config show") {
    show_config = true;
  } else if (command == "init" || command == "migrate") {
    auto cfg = oh::load_config(args, oh::process_env());
    if (!cfg)
      return config_error(cfg.error().message);
    oh::log::setup(oh::log::level::warn, cfg->log_format == "json");
    return command == "init" ? oh::cli::run_init(*cfg)
                             : oh::cli::run_migrate(*cfg);
  } else if (command == "import") {
    auto import = oh::cli::take_import_args(args);
    if (!import)
      return config_error(import.error().message);
    auto cfg = oh::load_config(args, oh::process_env());
    if (!cfg)
      return config_error(cfg.error().message);
    // The report is the output; the log says only what went wrong.
    oh::log::setup(oh::log::level::warn, cfg->log_format == "json");
    return oh::cli::run_import(*cfg, *import);
  } else if (command != "serve") {
    return config_error("'" + command + "' is not a local command");
  }
  auto cfg = oh::load_config(args, oh::process_env());
  if (!cfg)
    return config_error(cfg.error().message);
  oh::log::setup(cfg->parsed_log_level(), cfg->log_format == "json");
  if (!backup_file.empty()) {
    // One SQLite step (one consistent snapshot): a terminal is told what is
    // being copied, then the result.
    if (::isatty(STDERR_FILENO) == 1) {
      std::error_code size_error;
      auto bytes = std::filesystem::file_size(cfg->db_path, size_error);
      if (!size_error)
        std::cerr << "Copying " << cfg->db_path << " (" << bytes / (1024 * 1024)
                  << " MiB) and checking the copy…" << std::flush;
    }
    auto done = oh::store::backup_database(cfg->db_path, backup_file);
    if (::isatty(STDERR_FILENO) == 1)
      std::cerr << "\r\x1b[2K" << std::flush;
    if (!done) {
      std::cerr << "openhinge: " << done.error().message << "\n";
      return 1;
    }
    std::cout << "backed up " << cfg->db_path << " to " << done->path << " ("
              << done->bytes / 1024 << " KiB, " << done->pages << " pages, "
              << done->millis << " ms; integrity check ok)\n";
    return 0;
  }
  if (show_config) {
    // The database level too, when the database exists (never created here).
    if (std::filesystem::exists(cfg->db_path)) {
      try {
        oh::store::database db{cfg->db_path};
        if (auto st = oh::http::handlers::apply_stored_settings(*cfg, db); !st)
          return config_error(st.error().message);
      } catch (const std::exception& e) {
        std::cerr << "openhinge: the database level was not read: " << e.what()
                  << "\n";
      }
    }
    std::cout << oh::describe(*cfg);
    return 0;
  }
  return serve(*cfg, signals);
}
