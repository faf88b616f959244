#include "actors/selector.hpp"

#include <algorithm>

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
    return std::find(a.models.begin(), a.models.end(), *model) != a.models.end();
  if (a.type == "openai_compatible" || a.type == "ollama")
    return true; // any model: the server decides
  return matches_type_prefix(a.type, *model);
}

std::string fallback_model(const account_info& a) {
  if (a.default_model)
    return *a.default_model;
  if (a.type == "openai")
    return "gpt-4o";
  return {};
}

} // namespace

bool serves_type(const std::string& type) {
  // Claude, Gemini and Ollama translation arrive with their dialects.
  return type == "openai" || type == "openai_compatible";
}

pick_result pick_account(const std::map<std::string, selector_entry>& accounts,
                         const plan_request& req, const soul_plan& soul) {
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
  if (named != nullptr) {
    order.push_back(named);
  } else {
    for (auto& id : soul.chain)
      if (auto it = accounts.find(id); it != accounts.end())
        order.push_back(&it->second);
    if (!soul.strict || soul.chain.empty()) {
      std::vector<const selector_entry*> rest;
      for (auto& [id, e] : accounts)
        if (std::find(soul.chain.begin(), soul.chain.end(), id)
            == soul.chain.end())
          rest.push_back(&e);
      std::stable_sort(rest.begin(), rest.end(), [](auto* a, auto* b) {
        if (a->info.priority != b->info.priority)
          return a->info.priority > b->info.priority;
        return a->info.id < b->info.id;
      });
      order.insert(order.end(), rest.begin(), rest.end());
    }
  }

  bool any_enabled = false;
  bool any_able = false;
  for (auto* e : order) {
    bool usable = e->info.enabled && serves_type(e->info.type);
    any_enabled = any_enabled || usable;
    // An account named explicitly takes the model as given (rule 3).
    if (!(e == named ? usable : able(e->info, model)))
      continue;
    any_able = true;
    if (tried(e->info.id))
      continue;
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
                                  + *model + "\""
                              : "no model given and no account has a "
                                "default_model",
                        "model"};
  else
    out.error = failure{errc::no_providers,
                        "every able provider account was tried", ""};
  return out;
}

selector_actor::behavior_type
selector(selector_actor::stateful_pointer<selector_state> self,
         std::map<std::string, selector_entry> initial) {
  self->state.accounts = std::move(initial);
  return {
    [=](pick_atom, plan_request& req,
        soul_plan& soul) -> caf::result<route> {
      auto picked = pick_account(self->state.accounts, req, soul);
      if (!picked.account) {
        route r;
        r.ok = false;
        r.error = picked.error;
        r.soul = std::move(soul);
        return r;
      }
      req.model = picked.model;
      return self->delegate(picked.account->actor, lease_atom::value,
                            std::move(req), std::move(soul));
    },
    [=](update_atom, account_info& info, provider_account_actor& actor) {
      auto id = info.id;
      self->state.accounts[id] = selector_entry{std::move(info),
                                                std::move(actor)};
    },
    [=](remove_atom, const std::string& id) {
      self->state.accounts.erase(id);
    },
    [=](status_atom) -> std::string {
      std::string out = "{\"accounts\":" + std::to_string(self->state.accounts.size())
                        + "}";
      return out;
    },
  };
}

} // namespace oh::actors
