#include "actors/registry.hpp"

#include "store/api_keys_repo.hpp"

#include <algorithm>
#include <set>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actors/api_key.hpp"
#include "actors/provider_account.hpp"
#include "actors/selector.hpp"
#include "actors/soul.hpp"
#include "actors/introspection.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"

namespace oh::actors {

namespace {

using self_ptr = registry_actor::stateful_pointer<registry_state>;

template<class Handle>
void stop(self_ptr self, const Handle& h) {
  self->send_exit(h, caf::exit_reason::user_shutdown);
}

void upsert(self_ptr self, store::api_key_record& rec) {
  auto& st = self->state;
  if (auto it = st.keys.find(rec.id); it != st.keys.end()) {
    self->send(it->second.first, update_atom::value, rec);
    it->second.second = std::move(rec);
  } else {
    int64_t today = 0;
    int64_t month = 0;
    if (auto sp = st.spend.find(rec.id); sp != st.spend.end())
      std::tie(today, month) = sp->second;
    auto h
      = self->spawn(api_key, rec, today, month, std::function<int64_t()>{});
    auto id = rec.id;
    st.keys.emplace(std::move(id), std::make_pair(h, std::move(rec)));
  }
}

void upsert(self_ptr self, store::soul_record& rec) {
  auto& st = self->state;
  if (auto it = st.souls.find(rec.id); it != st.souls.end()) {
    self->send(it->second.first, update_atom::value, rec);
    it->second.second = std::move(rec);
  } else {
    auto h = self->spawn(soul, rec, st.selector);
    auto id = rec.id;
    st.souls.emplace(std::move(id), std::make_pair(h, std::move(rec)));
  }
}

void upsert(self_ptr self, store::provider_record& rec) {
  auto& st = self->state;
  if (auto known = st.account_records.find(rec.id);
      known != st.account_records.end()
      && (rec.models_json.empty() || rec.models_json == "[]"))
    rec.models_json = known->second.models_json; // the probe's list
  auto info = make_account_info(rec);
  auto public_rec = rec;
  public_rec.credentials_json.clear(); // the registry needs no secrets
  st.account_records[rec.id] = std::move(public_rec);
  if (auto it = st.accounts.find(rec.id); it != st.accounts.end()) {
    self->send(it->second, update_atom::value, rec);
    self->send(st.selector, update_atom::value, std::move(info), it->second);
  } else {
    auto id = rec.id;
    account_env env;
    env.defaults = st.env.defaults;
    env.upstream = st.env.upstream;
    env.cell = st.env.health->cell(id);
    env.store = st.store;
    env.breaker_failures = st.env.breaker_failures;
    env.breaker_cooldown_ms = st.env.breaker_cooldown_ms;
    env.refresh = st.env.refresh;
    env.refresh_margin_ms = st.env.refresh_margin_ms;
    env.token_refresh = st.env.token_refresh;
    // Weak: accounts must not keep the registry alive.
    caf::weak_actor_ptr me = self->ctrl();
    env.on_models = [me](const std::string& id, const std::string& models) {
      if (auto strong = me.lock())
        caf::anon_send(caf::actor_cast<registry_actor>(strong),
                       models_atom::value, id, models);
    };
    auto h = self->spawn(provider_account, std::move(rec), std::move(env));
    st.accounts.emplace(id, h);
    self->send(st.selector, update_atom::value, std::move(info), h);
  }
}

void remove(self_ptr self, const removed_entity& gone) {
  auto& st = self->state;
  switch (gone.what) {
    case removed_entity::kind::api_key:
      if (auto it = st.keys.find(gone.id); it != st.keys.end()) {
        stop(self, it->second.first);
        st.keys.erase(it);
      }
      break;
    case removed_entity::kind::soul:
      if (auto it = st.souls.find(gone.id); it != st.souls.end()) {
        stop(self, it->second.first);
        st.souls.erase(it);
      }
      break;
    case removed_entity::kind::provider:
      if (auto it = st.accounts.find(gone.id); it != st.accounts.end()) {
        stop(self, it->second);
        st.accounts.erase(it);
      }
      st.account_records.erase(gone.id);
      st.env.health->remove(gone.id);
      self->send(st.selector, remove_atom::value, gone.id);
      break;
  }
}

void publish(self_ptr self) {
  auto next = std::make_shared<lookup_snapshot>();
  next->selector = self->state.selector;
  for (auto& [id, entry] : self->state.keys) {
    auto& [actor, rec] = entry;
    key_entry k;
    k.id = id;
    k.name = rec.name;
    k.key_hash = rec.key_hash;
    k.actor = actor;
    k.enabled = rec.is_enabled;
    if (rec.expires_at)
      k.expires_at_ms = clock::parse_timestamp(*rec.expires_at);
    k.soul_ids = rec.soul_ids;
    if (rec.hash_algo == "scrypt")
      next->legacy_by_prefix.emplace(rec.key_prefix, std::move(k));
    else
      next->keys_by_hash.emplace(rec.key_hash, std::move(k));
  }
  for (auto& [id, entry] : self->state.souls)
    next->souls_by_slug.emplace(
      entry.second.slug, soul_entry{id, entry.first, entry.second.is_enabled});
  for (auto& [id, actor] : self->state.accounts)
    next->accounts_by_id.emplace(id, actor);
  std::map<std::string, model_entry> models;
  for (auto& [id, rec] : self->state.account_records) {
    next->account_names[id] = rec.name;
    if (!rec.is_enabled)
      continue;
    auto info = make_account_info(rec);
    auto ids = info.models;
    if (info.default_model
        && std::find(ids.begin(), ids.end(), *info.default_model) == ids.end())
      ids.push_back(*info.default_model);
    auto created = clock::parse_timestamp(rec.created_at).value_or(0) / 1000;
    for (auto& m : ids) {
      auto& e = models[m];
      if (e.id.empty()) {
        e.id = m;
        e.owned_by = rec.type;
        e.created = created;
      }
      e.accounts.emplace_back(rec.id, rec.name);
    }
  }
  for (auto& [m, e] : models)
    next->models.push_back(std::move(e));
  for (auto& [id, entry] : self->state.souls)
    if (entry.second.is_enabled)
      next->soul_slugs.push_back(entry.second.slug);
  std::sort(next->soul_slugs.begin(), next->soul_slugs.end());
  self->state.snapshot->publish(std::move(next));
}

void apply(self_ptr self, std::vector<config_change>& changes) {
  for (auto& change : changes)
    std::visit(
      [&](auto& item) {
        using item_t = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<item_t, removed_entity>)
          remove(self, item);
        else
          upsert(self, item);
      },
      change);
  publish(self);
}

} // namespace

registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         store_actor store, std::shared_ptr<snapshot_holder> snapshot,
         registry_env env) {
  self->state.store = std::move(store);
  self->state.snapshot = std::move(snapshot);
  if (!env.health)
    env.health = std::make_shared<health_board>();
  self->state.env = std::move(env);
  self->state.selector = self->spawn(
    selector, std::shared_ptr<const health_board>{self->state.env.health});
  // On shutdown take every spawned actor down with the registry.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    for (auto& [id, entry] : self->state.keys)
      stop(self, entry.first);
    for (auto& [id, entry] : self->state.souls)
      stop(self, entry.first);
    for (auto& [id, actor] : self->state.accounts)
      stop(self, actor);
    stop(self, self->state.selector);
    self->state.keys.clear();
    self->state.souls.clear();
    self->state.accounts.clear();
    self->quit(msg.reason);
  });
  return {
    [=](load_atom) -> caf::typed_response_promise<size_t> {
      auto rp = self->make_response_promise<size_t>();
      self->request(self->state.store, caf::infinite, load_atom::value)
        .then(
          [=](config_world& world) mutable {
            auto& st = self->state;
            // A live key keeps the spend it has counted since (settled
            // rows may still be queued for the store); new keys start from
            // the store's sums.
            for (auto& [id, today, month] : world.key_spend)
              if (!st.keys.contains(id))
                st.spend[id] = {today, month};
            std::vector<config_change> changes;
            // A reload reconciles: what the store no longer has stops.
            std::set<std::string> present;
            for (auto& p : world.providers)
              present.insert(p.id);
            for (auto& s : world.souls)
              present.insert(s.id);
            for (auto& k : world.api_keys)
              present.insert(k.id);
            using kind = removed_entity::kind;
            for (auto& [id, a] : st.accounts)
              if (!present.contains(id))
                changes.emplace_back(removed_entity{kind::provider, id});
            for (auto& [id, s] : st.souls)
              if (!present.contains(id))
                changes.emplace_back(removed_entity{kind::soul, id});
            for (auto& [id, k] : st.keys)
              if (!present.contains(id))
                changes.emplace_back(removed_entity{kind::api_key, id});
            for (auto& p : world.providers)
              changes.emplace_back(std::move(p));
            for (auto& s : world.souls)
              changes.emplace_back(std::move(s));
            for (auto& k : world.api_keys)
              changes.emplace_back(std::move(k));
            apply(self, changes);
            size_t n = st.keys.size() + st.souls.size() + st.accounts.size();
            OH_INFO("registry loaded {} providers, {} souls, {} keys",
                    st.accounts.size(), st.souls.size(), st.keys.size());
            rp.deliver(n);
          },
          [=](caf::error& err) mutable {
            OH_ERROR("registry could not load from the store: {}",
                     self->system().render(err));
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](models_atom, const std::string& id, const std::string& models) {
      auto& st = self->state;
      ++st.handled;
      auto rec = st.account_records.find(id);
      auto actor = st.accounts.find(id);
      if (rec == st.account_records.end() || actor == st.accounts.end())
        return; // removed meanwhile
      rec->second.models_json = models;
      self->send(st.selector, update_atom::value,
                 make_account_info(rec->second), actor->second);
      publish(self);
    },
    [=](update_atom, const health_limits& limits) {
      auto& st = self->state;
      ++st.handled;
      st.env.breaker_failures = limits.breaker_failures;
      st.env.breaker_cooldown_ms = limits.breaker_cooldown_ms;
      for (auto& [id, account] : st.accounts)
        self->send(account, update_atom::value, limits);
    },
    [=](rehash_atom, const std::string& id,
        const std::string& sha256) -> caf::typed_response_promise<bool> {
      auto& st = self->state;
      ++st.handled;
      auto rp = self->make_response_promise<bool>();
      if (!st.keys.contains(id)) {
        rp.deliver(false);
        return rp;
      }
      // Stored first; then the snapshot finds the key by its SHA-256.
      store_job job = [id, sha256](store_context& ctx) {
        store::api_keys_repo repo{ctx.db};
        if (auto rec = repo.get(id); rec && rec->hash_algo == "scrypt") {
          rec->key_hash = sha256;
          rec->hash_algo = "sha256";
          repo.update(*rec);
        }
        return admin_reply{};
      };
      self->request(st.store, caf::infinite, run_atom::value, std::move(job))
        .then(
          [=](admin_reply&) mutable {
            auto& s = self->state;
            if (auto it = s.keys.find(id); it != s.keys.end()) {
              it->second.second.key_hash = sha256;
              it->second.second.hash_algo = "sha256";
              publish(self);
            }
            rp.deliver(true);
          },
          [=](caf::error& err) mutable {
            OH_ERROR("an imported key could not be re-stored: {}",
                     self->system().render(err));
            rp.deliver(false);
          });
      return rp;
    },
    [=](apply_atom, std::vector<config_change>& changes) -> bool {
      ++self->state.handled;
      apply(self, changes);
      return true;
    },
    [=](actors_atom) -> std::vector<actor_ref> {
      auto& st = self->state;
      std::vector<actor_ref> out;
      auto add = [&](const char* kind, std::string id, std::string name,
                     const auto& handle) {
        out.push_back(actor_ref{kind, std::move(id), std::move(name),
                                caf::actor_cast<caf::actor>(handle)});
      };
      add("selector", "selector", "selector", st.selector);
      add("store", "store", "store", st.store);
      for (auto& [id, entry] : st.keys)
        add("api_key", id, entry.second.name, entry.first);
      for (auto& [id, entry] : st.souls)
        add("soul", id, entry.second.slug, entry.first);
      for (auto& [id, actor] : st.accounts) {
        auto rec = st.account_records.find(id);
        add("provider_account", id,
            rec != st.account_records.end() ? rec->second.name : id, actor);
      }
      return out;
    },
    [=](status_atom) -> std::string {
      auto& st = self->state;
      return "{" + mailbox_fields(self, st.handled)
             + ",\"api_keys\":" + std::to_string(st.keys.size()) + ",\"souls\":"
             + std::to_string(st.souls.size()) + ",\"provider_accounts\":"
             + std::to_string(st.accounts.size()) + "}";
    },
  };
}

} // namespace oh::actors
