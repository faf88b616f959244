#pragma once

// The Asio I/O threads shared by the HTTP server and the upstream client:
// one io_context, N threads, running until stop().

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

  boost::asio::io_context& context();
  /// Stops the threads (pending handlers are dropped) and joins them.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace oh::providers
