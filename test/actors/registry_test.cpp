#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/registry.hpp"
#include "actors/system.hpp"
#include "core/crypto.hpp"
#include "store/api_keys_repo.hpp"
#include "store/migrations.hpp"
#include "store/providers_repo.hpp"
#include "store/souls_repo.hpp"
#include "support/temp_dir.hpp"

using namespace oh;
using namespace oh::actors;

namespace {

struct RegistryTest : test::ActorFixture {
  test::temp_dir dir;
  std::shared_ptr<store::database> db
    = std::make_shared<store::database>(dir.file("oh.db"));
  std::shared_ptr<snapshot_holder> snapshot
    = std::make_shared<snapshot_holder>();
  store_actor store_handle;
  registry_actor registry;
  std::string key_secret = crypto::new_api_key();

  void SetUp() override {
    ASSERT_TRUE(store::migrate(*db, store::embedded_migrations()));
    auto vault = store::credential_vault::open(*db, "k");
    ASSERT_TRUE(vault);
    store::provider_record p;
    p.id = "p1";
    p.name = "main";
    p.type = "openai";
    p.created_at = p.updated_at = "t";
    store::providers_repo{*db, *vault}.insert(p);
    store::soul_record s;
    s.id = "s1";
    s.name = "Helper";
    s.slug = "helper";
    s.created_at = s.updated_at = "t";
    store::souls_repo{*db}.insert(s);
    store::api_key_record k;
    k.id = "k1";
    k.name = "ci";
    k.key_hash = crypto::sha256_hex(key_secret);
    k.key_prefix = key_secret.substr(0, 12);
    k.soul_ids = {"s1"};
    k.created_at = k.updated_at = "t";
    store::api_keys_repo{*db}.insert(k);
    store_handle = spawn_store(*sys, db, *vault, false);
    registry = spawn_registry(*sys, store_handle, snapshot);
  }

  void TearDown() override {
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(store_handle, caf::exit_reason::user_shutdown);
    run();
  }

  size_t load() {
    auto h = (*self)->request(registry, caf::infinite, load_atom::value);
    run();
    size_t n = 0;
    h.receive(
      [&](size_t count) {
        n = count;
      },
      [&](caf::error& err) {
        ADD_FAILURE() << sys->render(err);
      });
    return n;
  }

  std::string status_of(const soul_actor& a) {
    auto h = (*self)->request(a, caf::infinite, status_atom::value);
    run();
    std::string out;
    h.receive(
      [&](std::string& s) {
        out = s;
      },
      [&](caf::error& err) {
        out = "error: " + sys->render(err);
      });
    return out;
  }

  void apply(std::vector<config_change> changes) {
    auto h = (*self)->request(registry, caf::infinite, apply_atom::value,
                              std::move(changes));
    run();
    h.receive([](bool) {},
              [&](caf::error& err) {
                ADD_FAILURE() << sys->render(err);
              });
  }
};

} // namespace

TEST_F(RegistryTest, LoadSpawnsOneActorPerRowAndPublishesTheSnapshot) {
  EXPECT_TRUE(snapshot->load()->keys_by_hash.empty());
  EXPECT_EQ(load(), 3u);
  auto snap = snapshot->load();
  ASSERT_EQ(snap->keys_by_hash.count(crypto::sha256_hex(key_secret)), 1u);
  auto& key = snap->keys_by_hash.at(crypto::sha256_hex(key_secret));
  EXPECT_EQ(key.id, "k1");
  EXPECT_EQ(key.soul_ids, std::vector<std::string>{"s1"});
  EXPECT_TRUE(key.actor);
  ASSERT_EQ(snap->souls_by_slug.count("helper"), 1u);
  EXPECT_EQ(snap->accounts_by_id.count("p1"), 1u);
  EXPECT_NE(
    status_of(snap->souls_by_slug.at("helper").actor).find("\"version\":1"),
    std::string::npos);
}

TEST_F(RegistryTest, UpdateReachesTheRunningActorWithoutRespawning) {
  load();
  auto before = snapshot->load()->souls_by_slug.at("helper").actor;
  store::soul_record s;
  s.id = "s1";
  s.name = "Helper";
  s.slug = "helper-2";
  s.version = 2;
  apply({s});
  auto snap = snapshot->load();
  EXPECT_EQ(snap->souls_by_slug.count("helper"), 0u);
  ASSERT_EQ(snap->souls_by_slug.count("helper-2"), 1u);
  auto after = snap->souls_by_slug.at("helper-2").actor;
  EXPECT_EQ(before, after);
  EXPECT_NE(status_of(after).find("\"version\":2"), std::string::npos);
}

TEST_F(RegistryTest, AddSpawnsAndRemoveStopsTheActor) {
  load();
  store::api_key_record k;
  k.id = "k2";
  k.name = "new";
  k.key_hash = std::string(64, 'b');
  apply({k});
  auto snap = snapshot->load();
  ASSERT_EQ(snap->keys_by_hash.count(std::string(64, 'b')), 1u);
  auto actor = snap->keys_by_hash.at(std::string(64, 'b')).actor;
  (*self)->monitor(actor);
  apply({removed_entity{removed_entity::kind::api_key, "k2"}});
  EXPECT_EQ(snapshot->load()->keys_by_hash.count(std::string(64, 'b')), 0u);
  bool down = false;
  (*self)->receive([&](caf::down_msg& msg) {
    down = msg.source == actor.address();
  });
  EXPECT_TRUE(down);
}

TEST_F(RegistryTest, RevokedKeyStaysInTheSnapshotMarkedDisabled) {
  load();
  store::api_key_record k;
  k.id = "k1";
  k.name = "ci";
  k.key_hash = crypto::sha256_hex(key_secret);
  k.is_enabled = false;
  k.expires_at = "2030-01-01T00:00:00.000Z";
  apply({k});
  auto& entry
    = snapshot->load()->keys_by_hash.at(crypto::sha256_hex(key_secret));
  EXPECT_FALSE(entry.enabled);
  ASSERT_TRUE(entry.expires_at_ms);
  EXPECT_EQ(*entry.expires_at_ms, 1'893'456'000'000);
}

TEST_F(RegistryTest, ShutdownStopsEveryChild) {
  load();
  auto soul = snapshot->load()->souls_by_slug.at("helper").actor;
  (*self)->monitor(soul);
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  run();
  bool down = false;
  (*self)->receive([&](caf::down_msg& msg) {
    down = msg.source == soul.address();
  });
  EXPECT_TRUE(down);
}
