#include <atomic>

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actor_fixture.hpp"
#include "actors/acceptor.hpp"
#include "actors/system.hpp"

using namespace oh;
using namespace oh::actors;
using namespace std::chrono_literals;

namespace {

/// A listener whose open connections the test sets by hand.
struct scripted_listener : listener_control {
  std::atomic<size_t> open{0};
  std::atomic<bool> accepting{true};
  void stop_accepting() override {
    accepting = false;
  }
  size_t open_connections() const override {
    return open;
  }
  uint16_t port() const override {
    return 4242;
  }
};

struct AcceptorTest : test::ActorFixture {
  std::shared_ptr<scripted_listener> listener
    = std::make_shared<scripted_listener>();
  acceptor_actor acceptor = spawn_acceptor(*sys, listener);

  ~AcceptorTest() override {
    caf::anon_send_exit(acceptor, caf::exit_reason::user_shutdown);
    run();
  }
};

} // namespace

TEST_F(AcceptorTest, DrainAnswersAtOnceWhenNothingIsOpen) {
  auto h = (*self)->request(acceptor, caf::infinite, drain_atom::value, 30u);
  run();
  size_t left = 99;
  h.receive(
    [&](size_t n) {
      left = n;
    },
    [&](caf::error& e) {
      ADD_FAILURE() << sys->render(e);
    });
  EXPECT_EQ(left, 0u);
  EXPECT_FALSE(listener->accepting);
}

TEST_F(AcceptorTest, DrainWaitsForInFlightConnectionsToClose) {
  listener->open = 2;
  auto h = (*self)->request(acceptor, caf::infinite, drain_atom::value, 30u);
  run();
  EXPECT_FALSE(listener->accepting);
  EXPECT_TRUE((*self)->mailbox().empty()); // still waiting
  sched->advance_time(1s);
  run();
  EXPECT_TRUE((*self)->mailbox().empty());
  listener->open = 0;
  sched->advance_time(20ms);
  run();
  size_t left = 99;
  h.receive(
    [&](size_t n) {
      left = n;
    },
    [&](caf::error& e) {
      ADD_FAILURE() << sys->render(e);
    });
  EXPECT_EQ(left, 0u);
}

TEST_F(AcceptorTest, DrainGivesUpAtTheDeadlineAndReportsWhatIsLeft) {
  listener->open = 3;
  auto h = (*self)->request(acceptor, caf::infinite, drain_atom::value, 5u);
  run();
  for (int i = 0; i < 249; ++i) {
    sched->advance_time(20ms);
    run();
  }
  EXPECT_TRUE((*self)->mailbox().empty()); // 4.98 s: not yet
  sched->advance_time(40ms);
  run();
  size_t left = 0;
  h.receive(
    [&](size_t n) {
      left = n;
    },
    [&](caf::error& e) {
      ADD_FAILURE() << sys->render(e);
    });
  EXPECT_EQ(left, 3u);
}

TEST_F(AcceptorTest, StatusReportsPortConnectionsAndDrainState) {
  listener->open = 1;
  auto h = (*self)->request(acceptor, caf::infinite, status_atom::value);
  run();
  std::string s;
  h.receive(
    [&](std::string& text) {
      s = text;
    },
    [&](caf::error& e) {
      ADD_FAILURE() << sys->render(e);
    });
  EXPECT_NE(s.find(R"("port":4242,"connections":1,"draining":false})"),
            std::string::npos)
    << s;
  EXPECT_NE(s.find(R"("mailbox":)"), std::string::npos);
}
