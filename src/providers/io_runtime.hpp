#pragma once

// The Asio I/O threads shared by the HTTP server and the upstream client:
// one io_context per thread, each run by exactly that thread until stop().
//
// Why not one io_context run by N threads: Asio then hands work between its
// threads (an idle thread is woken for every completion another thread
// queues), and on these VMs each such wake-up costs ~13 µs and two context
// switches. With a context per thread, a connection and the upstream exchange
// serving it live on one thread, and a handler posted there from that same
// thread costs no wake-up at all. It also means a connection's handlers never
// run concurrently, so no strand is needed. The actors run on these threads
// too (actors/scheduler.cpp).

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace oh::providers {

class io_runtime {
public:
  explicit io_runtime(unsigned threads);
  ~io_runtime();
  io_runtime(const io_runtime&) = delete;
  io_runtime& operator=(const io_runtime&) = delete;

  /// The first context: listeners and work with no connection of its own.
  boost::asio::io_context& context();
  /// Context `i` (taken modulo size()).
  boost::asio::io_context& context(size_t i);
  /// Number of contexts (= threads).
  size_t size() const noexcept;
  /// The next context in turn: for work with no thread of its own (health
  /// probes, actors made runnable off the I/O threads).
  size_t next_index() noexcept;
  /// Whether context `i` still runs (stop() not yet called).
  bool running(size_t i) const;
  /// The context the calling thread runs, or -1 off this runtime's threads.
  int current_index() const noexcept;
  /// Runs `fn(a, b)` on context `i`'s thread. A plain function and two
  /// pointers, so callers need no Asio header (the actor scheduler uses it
  /// to run actors on these threads).
  void post(size_t i, void (*fn)(void*, void*), void* a, void* b);
  /// Runs `fn` on context `i`'s thread; dropped unrun (and destroyed) when
  /// the context stops first.
  void post(size_t i, std::function<void()> fn);
  /// Stops the threads (pending handlers are dropped) and joins them.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace oh::providers
