#include "providers/io_runtime.hpp"

#include <string>
#include <thread>
#include <vector>

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "core/logging.hpp"

namespace oh::providers {

namespace net = boost::asio;

namespace {

/// An io_context whose pending handlers can be destroyed before the
/// context itself (see ~io_runtime).
class loop_context : public net::io_context {
public:
  using net::io_context::io_context;
  void drop_pending() {
    shutdown();
  }
};

struct loop {
  // Concurrency hint 1: exactly one thread runs this context.
  loop_context ioc{1};
  // Keeps run() going while every connection waits on actors.
  net::executor_work_guard<net::io_context::executor_type> work{
    ioc.get_executor()};
  std::thread thread;
};

// Which runtime and context the calling thread runs.
thread_local const void* current_runtime = nullptr;
thread_local int current_loop = -1;

} // namespace

struct io_runtime::impl {
  std::vector<std::unique_ptr<loop>> loops;
  std::atomic<size_t> next{0};
};

io_runtime::io_runtime(unsigned threads) : impl_(std::make_unique<impl>()) {
  auto n = std::max(1u, threads);
  for (unsigned i = 0; i < n; ++i)
    impl_->loops.push_back(std::make_unique<loop>());
  for (unsigned i = 0; i < n; ++i) {
    auto* l = impl_->loops[i].get();
    l->thread = std::thread([l, i, owner = impl_.get()] {
      auto name = "oh.io." + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      current_runtime = owner;
      current_loop = static_cast<int>(i);
      for (;;) {
        try {
          l->ioc.run();
          return;
        } catch (const std::exception& e) {
          // A handler threw: log with context and keep the thread serving.
          OH_ERROR("I/O thread caught an exception: {}", e.what());
        }
      }
    });
  }
}

io_runtime::~io_runtime() {
  stop();
  // Pending handlers may own objects of another context (a session on one
  // thread keeps the server alive, whose acceptors live on every thread).
  // Destroying context 0 first would let such a handler, destroyed with
  // context 1, touch context 0's freed services; so every context drops its
  // handlers first, while all services still exist, and only then are the
  // contexts destroyed.
  for (auto& l : impl_->loops)
    l->ioc.drop_pending();
}

net::io_context& io_runtime::context() {
  return impl_->loops.front()->ioc;
}

net::io_context& io_runtime::context(size_t i) {
  return impl_->loops[i % impl_->loops.size()]->ioc;
}

size_t io_runtime::size() const noexcept {
  return impl_->loops.size();
}

size_t io_runtime::next_index() noexcept {
  return impl_->next.fetch_add(1, std::memory_order_relaxed)
         % impl_->loops.size();
}

bool io_runtime::running(size_t i) const {
  auto& l = *impl_->loops[i % impl_->loops.size()];
  return !l.ioc.stopped() && l.thread.joinable();
}

int io_runtime::current_index() const noexcept {
  return current_runtime == impl_.get() ? current_loop : -1;
}

void io_runtime::post(size_t i, void (*fn)(void*, void*), void* a, void* b) {
  net::post(context(i), [fn, a, b] {
    fn(a, b);
  });
}

void io_runtime::post(size_t i, std::function<void()> fn) {
  net::post(context(i), std::move(fn));
}

void io_runtime::stop() {
  for (auto& l : impl_->loops) {
    l->work.reset();
    l->ioc.stop();
  }
  for (auto& l : impl_->loops)
    if (l->thread.joinable())
      l->thread.join();
}

} // namespace oh::providers
