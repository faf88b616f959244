#pragma once

// Browser logins in progress (SPEC §7): each flow has an id, its PKCE
// verifier and state, a 5-minute life and an outcome. Several may run at
// once; the callback listener finds a flow by its `state`, a pasted
// redirect by its id. Thread-safe: the admin API and the callback listener
// run on different I/O threads. Kept in memory: a login outlives neither
// its 5 minutes nor the process, and the verifier never touches the disk.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace oh::http {

struct oauth_flow {
  std::string id;
  std::string type; // claude | openai | gemini
  std::string name; // the account's name when created
  int64_t priority = 50;
  std::string state;    // sent in the authorize URL, checked on return
  std::string verifier; // PKCE, never shown
  std::string redirect_uri;
  uint16_t callback_port = 0;
  bool listening = false; // the callback listener runs for it
  std::string actor;      // who started it (the audit trail's who)
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  /// pending → exchanging → complete | error; or cancelled | expired.
  std::string status = "pending";
  std::string error;
  std::string provider_id;
  std::string provider_name;
};

class oauth_flow_book {
public:
  static constexpr int64_t lifetime_ms = 5 * 60 * 1000;

  /// Adds a flow (id, state and times set by the caller).
  void add(oauth_flow f);
  std::optional<oauth_flow> get(const std::string& id, int64_t now_ms);
  /// The most recently started flow.
  std::optional<oauth_flow> latest(int64_t now_ms);
  std::optional<oauth_flow> by_state(const std::string& state, int64_t now_ms);
  /// pending → exchanging, so a callback and a paste cannot both spend the
  /// code; false (with why) when the flow is not pending.
  bool claim(const std::string& id, int64_t now_ms, std::string& why);
  /// Ends a flow (complete or error).
  void finish(const std::string& id, const std::string& status,
              const std::string& error, const std::string& provider_id = {},
              const std::string& provider_name = {});
  /// Notes whether the callback listener runs for a flow.
  void set_listening(const std::string& id, bool listening);
  /// Cancels a pending flow; false when it was not pending.
  bool cancel(const std::string& id, int64_t now_ms);
  /// Flows still waiting for a redirect on `port`.
  size_t pending_on_port(uint16_t port, int64_t now_ms);

  /// A flow as the admin API shows it (never its state or verifier).
  static std::string to_json(const oauth_flow& f);

private:
  /// Marks flows past their life expired; forgets ended ones after an hour.
  void sweep(int64_t now_ms);

  std::mutex mutex_;
  std::map<std::string, oauth_flow> flows_;
  std::string latest_id_;
};

} // namespace oh::http
