// The gateway's CAF scheduler (actors/scheduler.cpp): actors run on the Asio
// I/O threads, stay on the thread that made them runnable, and CAF's clock
// still delivers timeouts and delayed messages. Real threads, real
// io_runtime: this is the scheduler production uses.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "actors/system.hpp"
#include "providers/io_runtime.hpp"

namespace oh::test {
namespace {

using namespace std::chrono_literals;

using where_atom = caf::atom_constant<caf::atom("where")>;
using relay_atom = caf::atom_constant<caf::atom("relay")>;
using ping_atom = caf::atom_constant<caf::atom("ping")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;

/// Answers with the I/O context index it runs on.
caf::behavior reporter(caf::event_based_actor*,
                       const providers::io_runtime* io) {
  return {
    [io](where_atom) {
      return io->current_index();
    },
  };
}

/// Asks `next` where it runs and answers with its own index and that one.
caf::behavior relay(caf::event_based_actor* self,
                    const providers::io_runtime* io, caf::actor next) {
  return {
    [self, io, next](relay_atom) {
      auto rp = self->make_response_promise<int, int>();
      int mine = io->current_index();
      self->request(next, caf::infinite, where_atom::value)
        .then([rp, mine](int theirs) mutable {
          rp.deliver(mine, theirs);
        });
      return rp;
    },
  };
}

struct SchedulerTest : ::testing::Test {
  // Declared first: the actors run on its threads, so it outlives them.
  providers::io_runtime io{2};
  std::unique_ptr<caf::actor_system_config> cfg
    = actors::make_system_config(io);
  std::unique_ptr<caf::actor_system> sys
    = std::make_unique<caf::actor_system>(*cfg);

  ~SchedulerTest() override {
    sys->await_all_actors_done();
    sys.reset();
    io.stop();
  }

  /// Runs `fn` on I/O thread `i` and waits for its result.
  template<class F>
  auto on_io_thread(size_t i, F fn) {
    std::promise<decltype(fn())> done;
    auto result = done.get_future();
    boost::asio::post(io.context(i), [&] {
      done.set_value(fn());
    });
    EXPECT_EQ(result.wait_for(10s), std::future_status::ready);
    return result.get();
  }

  /// An actor that reports, in its body (which runs on its first turn),
  /// the I/O thread it started on.
  caf::actor spawn_reporting_start(std::promise<int>& started) {
    return sys->spawn(
      [&started](caf::event_based_actor*,
                 const providers::io_runtime* rt) -> caf::behavior {
        started.set_value(rt->current_index());
        return {
          [](where_atom) {},
        };
      },
      &io);
  }

  int ask_where(const caf::actor& a) {
    caf::scoped_actor self{*sys};
    int index = -2;
    self->request(a, 10s, where_atom::value)
      .receive(
        [&](int i) {
          index = i;
        },
        [&](caf::error& e) {
          ADD_FAILURE() << sys->render(e);
        });
    return index;
  }
};

TEST_F(SchedulerTest, AnActorSpawnedOnAnIoThreadStartsOnThatThread) {
  for (size_t i = 0; i < io.size(); ++i) {
    std::promise<int> started;
    auto result = started.get_future();
    auto a = on_io_thread(i, [&] {
      return spawn_reporting_start(started);
    });
    ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(result.get(), static_cast<int>(i));
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
}

TEST_F(SchedulerTest, MessagesBetweenActorsStayOnTheSendersThread) {
  auto last = sys->spawn(reporter, &io);
  for (size_t i = 0; i < io.size(); ++i) {
    // A relay spawned on thread i asks an idle actor: both answers come
    // from thread i, with no hand-off to another thread.
    auto first = on_io_thread(i, [&] {
      return sys->spawn(relay, &io, last);
    });
    std::promise<std::pair<int, int>> answer;
    auto result = answer.get_future();
    on_io_thread(i, [&] {
      auto asker = sys->spawn(
        [&](caf::event_based_actor* self, caf::actor target) -> caf::behavior {
          self->request(target, caf::infinite, relay_atom::value)
            .then([&answer, self](int mine, int theirs) {
              answer.set_value({mine, theirs});
              self->quit();
            });
          return {};
        },
        first);
      return asker != nullptr;
    });
    ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
    auto [mine, theirs] = result.get();
    EXPECT_EQ(mine, static_cast<int>(i));
    EXPECT_EQ(theirs, static_cast<int>(i));
    caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
  }
  caf::anon_send_exit(last, caf::exit_reason::user_shutdown);
}

TEST_F(SchedulerTest, SpawnsOffTheIoThreadsAreSpreadOverThem) {
  std::set<int> seen;
  std::vector<caf::actor> started_actors;
  for (int n = 0; n < 8; ++n) {
    std::promise<int> started;
    auto result = started.get_future();
    auto a = spawn_reporting_start(started);
    ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
    auto index = result.get();
    EXPECT_GE(index, 0);
    EXPECT_LT(index, static_cast<int>(io.size()));
    seen.insert(index);
    started_actors.push_back(a);
  }
  EXPECT_EQ(seen.size(), io.size());
  // Exits are enqueued off the I/O threads too: sent only now, so the spawns
  // above took consecutive turns.
  for (auto& a : started_actors)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

TEST_F(SchedulerTest, DelayedMessagesAndRequestTimeoutsStillFire) {
  std::promise<void> ticked;
  auto a = sys->spawn(
    [&ticked](caf::event_based_actor* self, int delay_ms) -> caf::behavior {
      self->delayed_send(self, std::chrono::milliseconds(delay_ms),
                         tick_atom::value);
      return {
        [&ticked, self](tick_atom) {
          ticked.set_value();
          self->quit();
        },
      };
    },
    20);
  EXPECT_EQ(ticked.get_future().wait_for(10s), std::future_status::ready);

  // An actor that never answers: the asker's timeout must fire.
  auto silent = sys->spawn(
    [](caf::event_based_actor* self, int) -> caf::behavior {
      return {
        [self](ping_atom) {
          // Keep the promise unanswered.
          return self->make_response_promise<int>();
        },
      };
    },
    0);
  caf::scoped_actor self{*sys};
  bool timed_out = false;
  self->request(silent, 50ms, ping_atom::value)
    .receive(
      [](int) {
        ADD_FAILURE() << "got an answer";
      },
      [&](caf::error& e) {
        timed_out = e == caf::sec::request_timeout;
      });
  EXPECT_TRUE(timed_out);
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

TEST_F(SchedulerTest, ManyMessagesFromEveryThreadAllArrive) {
  constexpr int per_thread = 2000;
  std::atomic<int> received{0};
  std::promise<void> all;
  auto counter = sys->spawn(
    [&](caf::event_based_actor*, int total) -> caf::behavior {
      return {
        [&, total](ping_atom) {
          if (received.fetch_add(1) + 1 == total)
            all.set_value();
        },
      };
    },
    per_thread* static_cast<int>(io.size() + 1));
  for (size_t i = 0; i < io.size(); ++i)
    boost::asio::post(io.context(i), [&counter] {
      for (int n = 0; n < per_thread; ++n)
        caf::anon_send(counter, ping_atom::value);
    });
  for (int n = 0; n < per_thread; ++n)
    caf::anon_send(counter, ping_atom::value);
  ASSERT_EQ(all.get_future().wait_for(20s), std::future_status::ready);
  EXPECT_EQ(received.load(), per_thread * static_cast<int>(io.size() + 1));
  caf::anon_send_exit(counter, caf::exit_reason::user_shutdown);
}

TEST_F(SchedulerTest, ABusyActorLetsTheThreadsOtherWorkRunBetweenTurns) {
  // 500 messages queued at once on I/O thread 0, then another handler on
  // that thread: the actor hands the thread back after a turn of messages
  // (scheduler.max-throughput), so the handler runs before the last message.
  constexpr int messages = 500;
  std::atomic<bool> other_work_ran{false};
  std::promise<bool> seen_before_last;
  auto result = seen_before_last.get_future();
  caf::actor busy;
  boost::asio::post(io.context(0), [&] {
    // Spawned here too, so its first turn is queued on this thread before
    // the other handler.
    busy = sys->spawn(
      [&](caf::event_based_actor* self, int total) -> caf::behavior {
        return {
          [&, self, total, n = 0](ping_atom) mutable {
            if (++n == total) {
              seen_before_last.set_value(other_work_ran.load());
              self->quit();
            }
          },
        };
      },
      messages);
    for (int n = 0; n < messages; ++n)
      caf::anon_send(busy, ping_atom::value);
    boost::asio::post(io.context(0), [&] {
      other_work_ran = true;
    });
  });
  ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(result.get());
}

} // namespace
} // namespace oh::test
