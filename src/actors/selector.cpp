#include "actors/selector.hpp"

#include <algorithm>
#include <chrono>

#include "actors/introspection.hpp"
#include "core/circuit_breaker.hpp"

#include "core/json.hpp"

namespace oh::actors {

namespace {

bool matches_type_prefix(const std::string& type, std::string_view model) {
  if (type == "claude")
    return model.starts_with("claude-");
  if (type == "openai") {
    if (model.starts_with("gpt-") || model.starts_with("chatgpt-")
        || model.starts_with("codex-"))
      return true;
    return model.size() >= 2 && model[0] == 'o' && model[1] >= '1'
           && model[1] <= '9';
  }
  if (type == "gemini")
    return model.starts_with("gemini-");
  return false;
}

/// Model rule (1) list, (2) prefix for accounts whose list is unknown.
bool able(const account_info& a, const std::optional<std::string>& model) {
  if (!a.enabled || !serves_type(a.type))
    return false;
  if (!model)
    return true;
  if (!a.models.empty())
    return std::find(a.models.begin(), a.models.end(), *model)
           != a.models.end();
  if (a.type == "openai_compatible" || a.type == "ollama")
    return true; // any model: the server decides
  return matches_type_prefix(a.type, *model);
}

std::string fallback_model(const account_info& a) {
  if (a.default_model)
    return *a.default_model;
  // The original's defaults (reference §2.6).
  if (a.type == "openai")
    return "gpt-4o";
  if (a.type == "claude")
    return "claude-sonnet-4-6";
  if (a.type == "gemini")
    return "gemini-2.5-flash";
  if (a.type == "ollama")
    return "qwen3:8b";
  return {};
}

} // namespace

bool serves_type(const std::string& type) {
  return type == "openai" || type == "openai_compatible" || type == "claude"
         || type == "gemini" || type == "ollama";
}

pick_result pick_account(const std::map<std::string, selector_entry>& accounts,
                         const plan_request& req, const soul_plan& soul,
                         const health_board* health, int64_t now_ms) {
  auto cell_of
    = [&](const std::string& id) -> std::shared_ptr<const account_health_cell> {
    return health != nullptr ? health->find(id) : nullptr;
  };
  pick_result out;
  std::optional<std::string> model = req.model;
  if (!model && soul.model)
    model = soul.model;

  // (3) `<account name or id>/<model>` names an account explicitly; split at
  // the first '/' only when the prefix is an existing account.
  const selector_entry* named = nullptr;
  if (model) {
    if (auto slash = model->find('/'); slash != std::string::npos) {
      auto prefix = model->substr(0, slash);
      for (auto& [id, e] : accounts)
        if (id == prefix || e.info.name == prefix) {
          named = &e;
          break;
        }
      if (named != nullptr)
        model = model->substr(slash + 1);
    }
  }
  auto tried = [&](const std::string& id) {
    return std::find(req.tried.begin(), req.tried.end(), id) != req.tried.end();
  };

  std::vector<const selector_entry*> order;
  order.reserve(accounts.size());
  if (named != nullptr) {
    order.push_back(named);
  } else {
    for (auto& id : soul.chain)
      if (auto it = accounts.find(id); it != accounts.end())
        order.push_back(&it->second);
    if (!soul.strict || soul.chain.empty()) {
      // Priority first, then the less busy account, then the id (unique,
      // so the order is total and a plain sort is deterministic).
      struct candidate {
        const selector_entry* entry;
        int64_t busy;
      };
      std::vector<candidate> rest;
      rest.reserve(accounts.size());
      for (auto& [id, e] : accounts)
        if (std::find(soul.chain.begin(), soul.chain.end(), id)
            == soul.chain.end()) {
          auto c = cell_of(e.info.id);
          rest.push_back({&e, c ? c->in_flight.load() : 0});
        }
      std::sort(rest.begin(), rest.end(),
                [](const candidate& x, const candidate& y) {
                  auto& a = x.entry->info;
                  auto& b = y.entry->info;
                  if (a.priority != b.priority)
                    return a.priority > b.priority;
                  if (x.busy != y.busy)
                    return x.busy < y.busy;
                  return a.id < b.id;
                });
      for (auto& c : rest)
        order.push_back(c.entry);
    }
  }

  bool any_enabled = false;
  bool any_able = false;
  int64_t soonest = 0;
  for (auto* e : order) {
    bool usable = e->info.enabled && serves_type(e->info.type);
    any_enabled = any_enabled || usable;
    // An account named explicitly takes the model as given (rule 3).
    if (!(e == named ? usable : able(e->info, model)))
      continue;
    any_able = true;
    if (tried(e->info.id))
      continue;
    // Skip accounts whose circuit is open or that the upstream rate-limited
    // (SPEC §6.1); half-open ones may take their one trial.
    if (auto c = cell_of(e->info.id)) {
      int64_t until = 0;
      if (static_cast<circuit_state>(c->circuit.load()) == circuit_state::open
          && c->open_until_ms.load() > now_ms)
        until = c->open_until_ms.load();
      if (c->limited_until_ms.load() > now_ms)
        until = std::max(until, c->limited_until_ms.load());
      if (until > 0) {
        soonest = soonest == 0 ? until : std::min(soonest, until);
        continue;
      }
    }
    auto final_model = model ? *model : fallback_model(e->info);
    if (final_model.empty())
      continue; // no model and no default: this account cannot decide
    out.account = e;
    out.model = std::move(final_model);
    return out;
  }
  if (!any_enabled)
    out.error = failure{errc::no_providers,
                        "no provider account can serve requests: add one "
                        "with POST /admin/providers",
                        ""};
  else if (!any_able)
    out.error = failure{errc::model_not_found,
                        model ? "no provider account serves the model \""
                                  + clip_echo(*model) + "\""
                              : "no model given and no account has a "
                                "default_model",
                        "model"};
  else {
    out.error = failure{errc::no_providers,
                        soonest > 0 ? "every able provider account is "
                                      "unavailable (circuit open or "
                                      "rate-limited)"
                                    : "every able provider account was tried",
                        ""};
    out.retry_after_ms = soonest > 0 ? soonest - now_ms : 0;
  }
  return out;
}

selector_actor::behavior_type
selector(selector_actor::stateful_pointer<selector_state> self,
         std::shared_ptr<const health_board> health) {
  self->state.health = std::move(health);
  return {
    [=](pick_atom, plan_request& req, soul_plan& soul) -> caf::result<route> {
      ++self->state.handled;
      auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   self->clock().now().time_since_epoch())
                   .count();
      auto picked = pick_account(self->state.accounts, req, soul,
                                 self->state.health.get(), now);
      if (!picked.account) {
        route r;
        r.ok = false;
        r.error = picked.error;
        r.retry_after_ms = picked.retry_after_ms;
        r.soul = std::move(soul);
        return r;
      }
      req.model = picked.model;
      return self->delegate(picked.account->actor, lease_atom::value,
                            std::move(req), std::move(soul));
    },
    [=](update_atom, account_info& info, provider_account_actor& actor) {
      ++self->state.handled;
      auto id = info.id;
      self->state.accounts[id]
        = selector_entry{std::move(info), std::move(actor)};
    },
    [=](remove_atom, const std::string& id) {
      ++self->state.handled;
      self->state.accounts.erase(id);
    },
    [=](status_atom) -> std::string {
      return "{" + mailbox_fields(self, self->state.handled) + ",\"accounts\":"
             + std::to_string(self->state.accounts.size()) + "}";
    },
  };
}

} // namespace oh::actors
