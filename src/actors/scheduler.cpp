// The gateway's CAF scheduler module: actors run on the Asio I/O threads.
//
// DESIGN.md has CAF worker threads next to the I/O threads. On the 2-core
// VMs each hand-off between threads (a futex or eventfd wake-up and two
// context switches) costs 25–40 µs, and that shape hands a request between
// threads at least six times (session → request actor → upstream exchange →
// request actor → session, plus the key and selector actors on the other
// worker); measured, those hand-offs were most of the gateway's added
// latency and much of its CPU (docs/performance.md). Here every I/O thread is
// also a CAF execution unit: a job is a handler posted to that thread's
// io_context. An actor becomes runnable on the thread that sent it the
// message, so a request read on I/O thread k is admitted, planned, sent
// upstream (the exchange runs on k, see response_sink::io_affinity) and
// answered on thread k without a single hand-off. Actors stay the only owners
// of their state; only the threads that run them changed. The rule that no
// handler blocks now also protects the sockets sharing the thread.
//
// The clock: CAF 0.17's `thread_safe_actor_clock` hands every timeout event
// to its own thread through a queue, waking that thread each time. Every
// actor sends one such event when it ends ("cancel all my timeouts"), even
// one that never set a timeout, so each request actor cost the clock thread a
// wake-up for nothing. This clock remembers which actors ever set a timeout
// and drops cancellations for the others; the events it lets through are
// handled exactly as before.
#include "actors/scheduler.hpp"

#include <future>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/detail/set_thread_name.hpp>
#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/execution_unit.hpp>
#include <caf/logger.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "providers/io_runtime.hpp"

namespace oh::actors {

namespace {

class timeout_aware_clock final : public caf::detail::thread_safe_actor_clock {
public:
  using super = caf::detail::thread_safe_actor_clock;

  void set_ordinary_timeout(time_point t, caf::abstract_actor* self,
                            caf::atom_value type, uint64_t id) override {
    note(self);
    super::set_ordinary_timeout(t, self, type, id);
  }

  void set_multi_timeout(time_point t, caf::abstract_actor* self,
                         caf::atom_value type, uint64_t id) override {
    note(self);
    super::set_multi_timeout(t, self, type, id);
  }

  void set_request_timeout(time_point t, caf::abstract_actor* self,
                           caf::message_id id) override {
    note(self);
    super::set_request_timeout(t, self, id);
  }

  void cancel_ordinary_timeout(caf::abstract_actor* self,
                               caf::atom_value type) override {
    if (known(self))
      super::cancel_ordinary_timeout(self, type);
  }

  void cancel_request_timeout(caf::abstract_actor* self,
                              caf::message_id id) override {
    if (known(self))
      super::cancel_request_timeout(self, id);
  }

  void cancel_timeouts(caf::abstract_actor* self) override {
    if (forget(self))
      super::cancel_timeouts(self);
  }

private:
  void note(caf::abstract_actor* self) {
    std::lock_guard guard{mutex_};
    with_timeouts_.insert(self->id());
  }

  bool known(caf::abstract_actor* self) {
    std::lock_guard guard{mutex_};
    return with_timeouts_.count(self->id()) > 0;
  }

  bool forget(caf::abstract_actor* self) {
    std::lock_guard guard{mutex_};
    return with_timeouts_.erase(self->id()) > 0;
  }

  std::mutex mutex_;
  std::unordered_set<caf::actor_id> with_timeouts_;
};

/// One I/O thread seen as a CAF execution unit.
class io_unit final : public caf::execution_unit {
public:
  io_unit(caf::actor_system& sys, providers::io_runtime& io, size_t index,
          size_t max_throughput)
    : caf::execution_unit(&sys), io_(io), index_(index),
      max_throughput_(max_throughput) {}

  /// Called by an actor running here for an actor it made runnable.
  void exec_later(caf::resumable* job) override {
    schedule(job);
  }

  /// Runs `job` on this unit's thread. The caller's reference to the job
  /// travels with it and is dropped when the job has no more to do.
  void schedule(caf::resumable* job) {
    io_.post(index_, &io_unit::run_job, this, job);
  }

private:
  static void run_job(void* unit, void* job) {
    static_cast<io_unit*>(unit)->run(static_cast<caf::resumable*>(job));
  }

  void run(caf::resumable* job) {
    switch (job->resume(this, max_throughput_)) {
      case caf::resumable::resume_later:
        // More messages than one turn allows: behind the other handlers.
        schedule(job);
        break;
      case caf::resumable::done:
      case caf::resumable::awaiting_message:
      case caf::resumable::shutdown_execution_unit:
        intrusive_ptr_release(job);
        break;
    }
  }

  providers::io_runtime& io_;
  size_t index_;
  size_t max_throughput_;
};

class io_coordinator final : public caf::scheduler::abstract_coordinator {
public:
  io_coordinator(caf::actor_system& sys, providers::io_runtime& io)
    : abstract_coordinator(sys), io_(io) {}

  timeout_aware_clock& clock() noexcept override {
    return clock_;
  }

  /// A job made runnable outside an actor (a spawn, or a message from an I/O
  /// handler, the clock or a detached actor): on the calling I/O thread when
  /// there is one, so a request's work stays where its connection is;
  /// otherwise on the next thread in turn.
  void enqueue(caf::resumable* job) override {
    auto here = io_.current_index();
    auto index = here >= 0 ? static_cast<size_t>(here) : io_.next_index();
    units_[index]->schedule(job);
  }

protected:
  void init(caf::actor_system_config& cfg) override {
    abstract_coordinator::init(cfg);
    num_workers_ = io_.size();
  }

  void start() override {
    for (size_t i = 0; i < io_.size(); ++i)
      units_.push_back(
        std::make_unique<io_unit>(system(), io_, i, max_throughput_));
    clock_thread_ = std::thread{[this] {
      caf::detail::set_thread_name("caf.clock");
      system().thread_started();
      clock_.run_dispatch_loop();
      system().thread_terminates();
    }};
    abstract_coordinator::start();
  }

  void stop() override {
    // The I/O threads belong to the io_runtime, which outlives the actor
    // system: jobs posted while the system shuts down still run.
    stop_actors();
    release_logger_on_io_threads();
    clock_.cancel_dispatch_loop();
    clock_thread_.join();
  }

private:
  /// Every thread that spawns an actor holds CAF's logger in a thread-local
  /// (`spawn` sets it), and the actor system waits for the logger to be gone
  /// before its destructor returns. The I/O threads outlive the system, so
  /// each lets go of it here, after every job already posted to it.
  void release_logger_on_io_threads() {
    std::vector<std::future<void>> done;
    for (size_t i = 0; i < units_.size(); ++i) {
      if (!io_.running(i))
        continue; // its thread has ended, and with it the thread-local
      auto s = std::make_shared<std::promise<void>>();
      done.push_back(s->get_future());
      // The handler owns a reference: it may run after a timed-out wait.
      io_.post(i, &release_logger, new signal_ptr(std::move(s)), nullptr);
    }
    for (auto& f : done)
      f.wait_for(std::chrono::seconds(10));
  }

  static void release_logger(void* s, void*) {
    std::unique_ptr<signal_ptr> owned{static_cast<signal_ptr*>(s)};
    caf::logger::set_current_actor_system(nullptr);
    (*owned)->set_value();
  }

  using signal_ptr = std::shared_ptr<std::promise<void>>;

private:
  providers::io_runtime& io_;
  std::vector<std::unique_ptr<io_unit>> units_;
  timeout_aware_clock clock_;
  std::thread clock_thread_;
};

} // namespace

void use_gateway_scheduler(caf::actor_system_config& cfg,
                           providers::io_runtime& io) {
  cfg.module_factories.push_back(
    [&io](caf::actor_system& sys) -> caf::actor_system::module* {
      return new io_coordinator(sys, io);
    });
}

} // namespace oh::actors
