#pragma once

// The Cloudflare side of `fake_upstream --flavor cloudflare`: the API v4
// calls a tunnel setup makes (SPEC §12, reference §8) under `/client/v4`,
// with Cloudflare's envelope, pagination, token check and error codes, so
// the gateway's tunnel code meets a server as strict as the real one; and
// the `/_fake/cf/...` test hooks (failure injection, counters, state dump).
// Pure bookkeeping: the networking is in main.cpp, which runs one thread,
// so nothing here locks.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fake::cloudflare {

struct settings {
  std::string token = "cf-test-token"; // the one valid API token
  std::string account_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  std::string account_name = "Fake Account";
  /// Zones as `name` or `name:status` (status active by default).
  std::vector<std::string> zones = {"example.com"};
  /// Lowers every listing's page-size maximum (0: Cloudflare's own), so a
  /// client's paging loop runs with a handful of objects.
  int64_t max_per_page = 0;
};

struct request {
  std::string_view method; // "GET", "POST", ...
  std::string_view target; // path and query
  std::string_view authorization;
  std::string_view content_type;
  std::string_view body;
};

struct reply {
  unsigned status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t delay_ms = 0; // main.cpp waits this long before answering
};

class api {
public:
  settings config;

  /// Builds the account and zones from `config` (after the flags).
  void seed();
  /// A request under `/client/v4/`.
  reply serve(const request& r);
  /// A request under `/_fake/cf/` (see the header of main.cpp).
  reply control(const request& r);

private:
  struct zone {
    std::string id, name, status, created_on;
  };
  /// A connector's connection to the edge (set by /_fake/cf/connect,
  /// which the stand-in cloudflared can call).
  struct connection {
    std::string id, client_id, opened_at, colo;
  };
  struct tunnel {
    std::string id, name, created_at, deleted_at, config_src, secret;
    std::string conns_active_at, conns_inactive_at;
    std::vector<connection> connections;
    std::string config; // the last PUT config, JSON; empty: none
    int64_t config_version = 0;
    std::string config_at;
  };
  struct dns_record {
    std::string id, zone_id, name, type, content, comment;
    bool proxied = false;
    int64_t ttl = 1;
    std::string created_on, modified_on;
  };
  /// A scripted misbehaviour of one step (POST /_fake/cf/fail, /delay).
  struct failure {
    int64_t remaining = 0; // -1: always
    unsigned status = 500;
    int64_t code = 10002;
    std::string message;
    int64_t retry_after = -1;
  };
  struct logged {
    std::string method, path, step;
    unsigned status;
  };
  using params = std::map<std::string, std::string>;
  using segments = std::vector<std::string>;

  reply route(const request& r, const segments& s, const params& q,
              std::string& step);
  reply accounts(const params& q);
  reply zones(const params& q);
  reply list_tunnels(const params& q);
  reply create_tunnel(std::string_view body);
  reply put_config(tunnel& t, std::string_view body);
  std::string token_of(const tunnel& t) const;
  reply list_dns(const zone& z, const params& q);
  reply write_dns(const zone& z, dns_record* existing, bool patch,
                  std::string_view body);

  std::string tunnel_json(const tunnel& t) const;
  std::string zone_json(const zone& z) const;
  static std::string dns_json(const dns_record& d, const zone& z);
  zone* find_zone(std::string_view id);
  tunnel* find_tunnel(std::string_view id);
  int64_t page_limit(int64_t cloudflare_max) const;
  reply state() const;
  reply stats() const;

  std::vector<zone> zones_;
  std::vector<tunnel> tunnels_;
  std::vector<dns_record> dns_;
  std::map<std::string, int64_t> calls_;
  std::map<std::string, failure> failures_;
  std::map<std::string, int64_t> delays_;
  std::deque<logged> log_;
  std::string seeded_token_; // --cf-token, for /_fake/cf/reset
  int64_t auth_failures_ = 0;
  int64_t injected_ = 0;
};

} // namespace fake::cloudflare
