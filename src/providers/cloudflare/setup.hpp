#pragma once

// `POST /admin/cloudflare/setup` (SPEC §12): hostname → zone, a named
// tunnel (created when missing), its ingress (the hostname to the public
// listener, then 404), a proxied CNAME to the tunnel, and the tunnel's run
// token. Each step reports what it did; a failure stops the run, names the
// step and lists what was created before it, so nothing is left half-made
// without being said. A second run finds everything in place and changes
// nothing.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "providers/cloudflare/api.hpp"

namespace oh::providers::cloudflare {

struct setup_request {
  std::string hostname;    // api.example.com
  std::string tunnel_name; // the tunnel to find or create
  uint16_t public_port = 0;
  /// From an earlier run (settings); checked, not trusted.
  std::string tunnel_id;
};

struct setup_step {
  std::string name;   // zone, tunnel, ingress, dns, token (then start)
  std::string status; // found, created, updated, unchanged, done, failed,
                      // skipped
  std::string detail;
};

struct setup_outcome {
  bool ok = false;
  std::vector<setup_step> steps;
  std::string account_id;
  std::string zone_id;
  std::string zone_name;
  std::string tunnel_id;
  std::string tunnel_name;
  std::string dns_record_id;
  /// The run token for cloudflared; never in an answer or a log.
  std::string tunnel_token;
  /// What this run created ("tunnel openhinge (id)", "CNAME api.example.com").
  std::vector<std::string> created;
};

/// The steps in order, for reports.
const std::vector<std::string>& setup_step_names();

/// Runs the setup; `done` runs once, on an I/O thread.
void run_setup(std::shared_ptr<const api> client, setup_request request,
               std::function<void(setup_outcome)> done);

/// The zone of `zones` (Cloudflare zone objects) that holds `hostname`:
/// the longest name equal to it or a suffix after a dot; null when none.
const json::value* zone_for(const json::value& zones,
                            const std::string& hostname);

/// The ingress rules the tunnel gets, as Cloudflare's config object.
std::string ingress_config(const std::string& hostname, uint16_t public_port);

/// The outcome as JSON (steps, ids, created), without the token.
std::string outcome_json(const setup_outcome& o);

} // namespace oh::providers::cloudflare
