#pragma once

// A GoogleTest fixture on CAF's deterministic scheduler: messages are only
// processed by run()/run_once(), and time moves only by advance_time().

#include <memory>

#include <gtest/gtest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

namespace oh::test {

struct ActorFixture : ::testing::Test {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::unique_ptr<caf::scoped_actor> self;

  ActorFixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    self = std::make_unique<caf::scoped_actor>(*sys, true);
  }

  ~ActorFixture() override {
    self.reset();
    sched->run();
  }

  /// Runs every pending message.
  void run() {
    sched->run();
  }
};

} // namespace oh::test
