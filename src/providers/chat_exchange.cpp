#include "providers/chat_exchange.hpp"

#include <algorithm>
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
/// Of an error answer only this much is kept: enough for its message.
constexpr size_t max_error_body_bytes = 64 * 1024;

/// What a client reads when an upstream fails after the first byte: our
/// own words, never the upstream's (they may quote a credential).
failure in_band_failure(upstream_failure kind) {
  switch (kind) {
    case upstream_failure::timeout_connect:
    case upstream_failure::timeout_first_byte:
    case upstream_failure::timeout_idle:
    case upstream_failure::timeout_total:
      return fail(errc::upstream_timeout,
                  "the upstream provider stopped answering in time");
    case upstream_failure::too_large:
      return fail(errc::upstream_failed,
                  "the upstream provider sent a stream event larger than "
                  "the gateway accepts");
    default:
      return fail(errc::upstream_failed,
                  "the upstream provider's stream broke off");
  }
}

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
    parser_.set_limit(spec_.max_event_bytes);
    lines_.set_limit(spec_.max_event_bytes);
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
    if (stopped_)
      return true; // the upstream is being cancelled; keep draining nothing
    if (!ok_status_) {
      // An error answer: its message is all that is used.
      auto room = max_error_body_bytes
                  - std::min(max_error_body_bytes, outcome_.body.size());
      outcome_.body.append(bytes.substr(0, room));
      return true;
    }
    if (!spec_.stream) {
      if (outcome_.body.size() + bytes.size() > spec_.max_answer_bytes) {
        too_large("the provider's answer exceeds "
                  + std::to_string(spec_.max_answer_bytes) + " bytes");
        return true;
      }
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
    if (!stopped_ && (parser_.overflowed() || lines_.overflowed()))
      too_large("one stream event of the provider exceeds "
                + std::to_string(spec_.max_event_bytes) + " bytes");
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
    if (finished_)
      return; // failed already (a bound was passed)
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
      // A cancel's reason is ours (the drain, the total deadline).
      sink_->write(render_stream_error(spec_.client_dialect,
                                       kind == upstream_failure::cancelled
                                         ? fail(errc::upstream_failed, why)
                                         : in_band_failure(kind)));
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

  /// The answer passed a bound: stop reading, free what it held, fail.
  void too_large(std::string why) {
    std::string{}.swap(outcome_.body);
    stream_failed(std::move(why), upstream_failure::too_large);
  }

  /// The upstream reported an error inside the stream, or broke it off.
  /// `message` may be the upstream's own text: it goes to the request actor
  /// (which redacts it for operators), never to the client.
  void stream_failed(const std::string& message,
                     upstream_failure kind = upstream_failure::broken) {
    stopped_ = true;
    outcome_.error_message = message;
    outcome_.failure = kind;
    if (committed_) {
      sink_->write(render_stream_error(
        spec_.client_dialect,
        kind == upstream_failure::broken
          ? fail(errc::upstream_failed,
                 "the upstream provider reported an error in the stream")
          : in_band_failure(kind)));
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

std::shared_ptr<upstream_handler>
make_chat_exchange_handler(chat_exchange_spec spec,
                           std::shared_ptr<response_sink> sink,
                           std::shared_ptr<exchange_observer> observer) {
  return std::make_shared<exchange_impl>(std::move(spec), std::move(sink),
                                         std::move(observer));
}

} // namespace oh::providers
