#include "providers/io_runtime.hpp"

#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/logging.hpp"

namespace oh::providers {

namespace net = boost::asio;

struct io_runtime::impl {
  net::io_context ioc;
  // Keeps run() going while every connection waits on actors.
  net::executor_work_guard<net::io_context::executor_type> work;
  std::vector<std::thread> threads;
  explicit impl(unsigned n)
    : ioc(static_cast<int>(n)), work(ioc.get_executor()) {}
};

io_runtime::io_runtime(unsigned threads)
  : impl_(std::make_unique<impl>(std::max(1u, threads))) {
  for (unsigned i = 0; i < std::max(1u, threads); ++i)
    impl_->threads.emplace_back([p = impl_.get()] {
      for (;;) {
        try {
          p->ioc.run();
          return;
        } catch (const std::exception& e) {
          // A handler threw: log with context and keep the thread serving.
          OH_ERROR("I/O thread caught an exception: {}", e.what());
        }
      }
    });
}

io_runtime::~io_runtime() {
  stop();
}

net::io_context& io_runtime::context() {
  return impl_->ioc;
}

void io_runtime::stop() {
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable())
      t.join();
  impl_->threads.clear();
}

} // namespace oh::providers
