#include "providers/chat_exchange.hpp"

#include <atomic>
#include <chrono>
#include <mutex>

#include "core/error_render.hpp"
#include "core/logging.hpp"
#include "providers/sse.hpp"

namespace oh::providers {

namespace {

/// Pause reading the upstream above this many bytes queued for the client.
constexpr size_t backlog_high_water = 256 * 1024;
/// Largest non-streamed (or error) body kept.
constexpr size_t max_body_bytes = 64 * 1024 * 1024;

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
    .count();
}

class exchange_impl final : public chat_exchange,
                            public upstream_handler,
                            public std::enable_shared_from_this<exchange_impl> {
public:
  exchange_impl(chat_exchange_spec spec, std::shared_ptr<response_sink> sink,
                std::shared_ptr<exchange_observer> observer)
    : spec_(std::move(spec)), sink_(std::move(sink)),
      observer_(std::move(observer)), started_ms_(steady_ms()),
      head_sent_(spec_.head_already_sent) {
    outcome_.head_sent = head_sent_;
  }

  void attach(std::shared_ptr<upstream_exchange> upstream) {
    std::lock_guard guard{mu_};
    upstream_ = std::move(upstream);
    if (cancel_requested_)
      upstream_->cancel();
  }

  void cancel(std::string reason) override {
    std::shared_ptr<upstream_exchange> up;
    {
      std::lock_guard guard{mu_};
      cancel_requested_ = true;
      cancel_reason_ = std::move(reason);
      up = upstream_;
    }
    if (up)
      up->cancel();
  }

  // -- upstream_handler (one I/O thread at a time, in order) -----------------

  void on_head(unsigned status, const header_list& headers) override {
    outcome_.upstream_status = status;
    ok_status_ = status >= 200 && status < 300;
    // Kept for the verdict on a refusal (its retry-after); a successful
    // answer's headers are of no further use.
    if (!ok_status_)
      outcome_.upstream_headers = headers;
  }

  bool on_body(std::string_view bytes) override {
    if (!spec_.stream || !ok_status_) {
      if (outcome_.body.size() + bytes.size() <= max_body_bytes)
        outcome_.body.append(bytes);
      return true;
    }
    auto handle = [this](sse_event& ev) {
      on_event(ev);
    };
    if (spec_.frame == framing::ndjson)
      lines_.feed(bytes, handle);
    else
      parser_.feed(bytes, handle);
    if (stopped_)
      return true; // the upstream is being cancelled; keep draining nothing
    if (committed_ && sink_->backlog() > backlog_high_water) {
      // A slow client: stop reading the upstream until the sink drains.
      sink_->on_drain([weak = weak_from_this()] {
        if (auto self = weak.lock()) {
          std::shared_ptr<upstream_exchange> up;
          {
            std::lock_guard guard{self->mu_};
            up = self->upstream_;
          }
          if (up)
            up->resume();
        }
      });
      return false;
    }
    return true;
  }

  void on_end() override {
    if (!spec_.stream || !ok_status_) {
      outcome_.completed = true;
      finish();
      return;
    }
    auto handle = [this](sse_event& ev) {
      on_event(ev);
    };
    if (spec_.frame == framing::ndjson)
      lines_.finish(handle);
    else
      parser_.finish(handle);
    if (stopped_)
      return;
    auto last = spec_.translator->on_end();
    if (last.error) {
      stream_failed(*last.error);
      return;
    }
    if (committed_) {
      if (!last.bytes.empty())
        sink_->write(std::move(last.bytes));
    } else {
      held_ += last.bytes;
      commit_if_needed();
    }
    sink_->end_stream();
    outcome_.completed = true;
    finish();
  }

  /// No content yet after the heartbeat interval: send the head once, then
  /// a keep-alive comment (Anthropic: a ping event) each time (SPEC §5.5).
  /// A later failure is still silent here: the request actor decides
  /// between the next account and an in-band error.
  bool on_heartbeat() override {
    if (!spec_.stream || committed_ || stopped_)
      return false;
    if (!head_sent_) {
      head_sent_ = true;
      outcome_.head_sent = true;
      sink_->begin_stream(spec_.stream_head);
    }
    sink_->write(spec_.client_dialect == dialect::anthropic
                   ? std::string{"event: ping\ndata: {\"type\":\"ping\"}\n\n"}
                   : std::string{": keep-alive\n\n"});
    return true;
  }

  void on_fail(upstream_failure kind, const std::string& message) override {
    if (stopped_)
      return;
    outcome_.failure = kind;
    std::string why = message;
    if (kind == upstream_failure::cancelled) {
      std::lock_guard guard{mu_};
      why = cancel_reason_.empty() ? "cancelled" : cancel_reason_;
    }
    outcome_.error_message = why;
    if (committed_) {
      // After the first byte errors are in-band; never a second answer.
      sink_->write(render_stream_error(
        spec_.client_dialect,
        fail(kind == upstream_failure::timeout_idle
                 || kind == upstream_failure::timeout_first_byte
                 || kind == upstream_failure::timeout_total
               ? errc::upstream_timeout
               : errc::upstream_failed,
             why)));
      sink_->end_stream();
    }
    finish();
  }

private:
  void on_event(sse_event& ev) {
    if (stopped_)
      return;
    auto step = spec_.translator->on_event(ev);
    if (step.error) {
      stream_failed(*step.error);
      return;
    }
    if (!committed_) {
      held_ += step.bytes;
      if (step.content)
        commit_if_needed();
      return;
    }
    if (!step.bytes.empty())
      sink_->write(std::move(step.bytes));
  }

  void commit_if_needed() {
    if (committed_)
      return;
    committed_ = true;
    outcome_.committed = true;
    outcome_.ttft_ms = steady_ms() - started_ms_;
    if (!head_sent_)
      sink_->begin_stream(spec_.stream_head);
    if (!held_.empty())
      sink_->write(std::move(held_));
    held_.clear();
    observer_->on_commit();
  }

  /// The upstream reported an error inside the stream, or broke it off.
  void stream_failed(const std::string& message) {
    stopped_ = true;
    outcome_.error_message = message;
    outcome_.failure = upstream_failure::broken;
    if (committed_) {
      sink_->write(render_stream_error(spec_.client_dialect,
                                       fail(errc::upstream_failed, message)));
      sink_->end_stream();
    }
    std::shared_ptr<upstream_exchange> up;
    {
      std::lock_guard guard{mu_};
      up = upstream_;
    }
    if (up)
      up->cancel();
    finish();
  }

  void finish() {
    if (finished_)
      return;
    finished_ = true;
    stopped_ = true;
    if (spec_.stream && ok_status_ && spec_.translator) {
      outcome_.model = spec_.translator->model();
      outcome_.finish_reason = spec_.translator->finish_reason();
      outcome_.usage = spec_.translator->usage();
    }
    observer_->on_finished(std::move(outcome_));
    std::lock_guard guard{mu_};
    upstream_.reset();
  }

  chat_exchange_spec spec_;
  std::shared_ptr<response_sink> sink_;
  std::shared_ptr<exchange_observer> observer_;
  sse_parser parser_;
  ndjson_reader lines_;
  exchange_outcome outcome_;
  std::string held_;
  int64_t started_ms_;
  bool ok_status_ = false;
  bool head_sent_ = false;
  bool committed_ = false;
  bool stopped_ = false;
  bool finished_ = false;
  std::mutex mu_;
  std::shared_ptr<upstream_exchange> upstream_;
  bool cancel_requested_ = false;
  std::string cancel_reason_;
};

} // namespace

std::shared_ptr<chat_exchange>
start_chat_exchange(upstream_client& client, chat_exchange_spec spec,
                    std::shared_ptr<response_sink> sink,
                    std::shared_ptr<exchange_observer> observer) {
  auto request = std::move(spec.request);
  auto affinity = sink->io_affinity();
  auto x = std::make_shared<exchange_impl>(std::move(spec), std::move(sink),
                                           std::move(observer));
  x->attach(client.start(std::move(request), x, affinity));
  return x;
}

} // namespace oh::providers
