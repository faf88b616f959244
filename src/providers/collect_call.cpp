#include "providers/collect_call.hpp"

namespace oh::providers {

namespace {

class collector final : public upstream_handler {
public:
  explicit collector(std::function<void(collected_answer)> done)
    : done_(std::move(done)) {}
  void on_head(unsigned status, const header_list&) override {
    answer_.status = status;
  }
  bool on_body(std::string_view bytes) override {
    if (answer_.body.size() + bytes.size() > max_bytes)
      too_large_ = true;
    else
      answer_.body.append(bytes);
    return true;
  }
  void on_end() override {
    if (too_large_) {
      answer_.status = 0;
      answer_.error = "the answer is larger than 1 MiB";
    }
    finish();
  }
  void on_fail(upstream_failure, const std::string& message) override {
    answer_.status = 0;
    answer_.error = message;
    finish();
  }

private:
  void finish() {
    if (!done_)
      return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(answer_));
  }
  static constexpr size_t max_bytes = 1024 * 1024;
  std::function<void(collected_answer)> done_;
  collected_answer answer_;
  bool too_large_ = false;
};

} // namespace

void collect_call(upstream_client& upstream, upstream_request req,
                  std::function<void(collected_answer)> done) {
  if (req.total_timeout.count() == 0)
    req.total_timeout = std::chrono::milliseconds(30'000);
  upstream.start(std::move(req), std::make_shared<collector>(std::move(done)));
}

} // namespace oh::providers
