#include "providers/listing_probe.hpp"

#include <chrono>

#include "providers/model_listing.hpp"
#include "providers/upstream_client.hpp"

namespace oh::providers {

namespace {

int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
    .count();
}

/// Collects the listing's answer on an I/O thread.
class listing_handler final : public upstream_handler {
public:
  listing_handler(std::string type, std::function<void(listing_outcome)> done)
    : type_(std::move(type)), done_(std::move(done)), started_(steady_ms()) {}
  void on_head(unsigned status, const header_list&) override {
    status_ = status;
  }
  bool on_body(std::string_view bytes) override {
    // Listings are small; a larger answer is not one (the rest is read and
    // dropped: the exchange's own body limit ends an endless one).
    if (body_.size() + bytes.size() > max_listing_bytes)
      too_large_ = true;
    else
      body_.append(bytes);
    return true;
  }
  /// Code Assist's probe answers no listing: the subscription's models.
  void list_fixed_models(std::vector<std::string> models) {
    fixed_ = std::move(models);
    has_fixed_ = true;
  }
  void on_end() override {
    listing_outcome r;
    r.status = status_;
    r.ok = status_ >= 200 && status_ < 300 && !too_large_;
    if (too_large_)
      r.error = "model listing answer is larger than 4 MiB";
    else if (!r.ok)
      r.error = "model listing answered HTTP " + std::to_string(status_);
    else if (has_fixed_)
      r.models = fixed_;
    else
      r.models = parse_listing(type_, body_);
    finish(std::move(r));
  }
  void on_fail(upstream_failure, const std::string& message) override {
    listing_outcome r;
    r.status = status_;
    r.error
      = too_large_ ? "model listing answer is larger than 4 MiB" : message;
    finish(std::move(r));
  }

private:
  void finish(listing_outcome r) {
    if (!done_)
      return;
    r.latency_ms = steady_ms() - started_;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(r));
  }
  static constexpr size_t max_listing_bytes = 4 * 1024 * 1024;
  std::string type_;
  std::function<void(listing_outcome)> done_;
  int64_t started_;
  std::string body_;
  unsigned status_ = 0;
  bool too_large_ = false;
  bool has_fixed_ = false;
  std::vector<std::string> fixed_;
};

} // namespace

void run_listing_probe(upstream_client& upstream, const listing_target& target,
                       std::function<void(listing_outcome)> done) {
  auto handler = std::make_shared<listing_handler>(target.type, done);
  expected<upstream_request> listing = fail(errc::internal, "no probe");
  if (target.subscription) {
    if (target.access_token.empty()) {
      listing_outcome r;
      r.error = "no access token";
      done(std::move(r));
      return;
    }
    auto probe = subscription_probe_request(target.type, target.base_url,
                                            target.access_token);
    if (probe && !*probe) {
      // A token check: the token is there and unexpired (the account
      // actor checked the expiry before asking).
      listing_outcome r;
      r.ok = true;
      r.status = 200;
      r.models = subscription_models(target.type);
      done(std::move(r));
      return;
    }
    if (!probe)
      listing = probe.error();
    else
      listing = std::move(**probe);
    if (target.type == "gemini")
      handler->list_fixed_models(subscription_models(target.type));
  } else {
    listing = listing_request(target.type, target.base_url, target.api_key);
  }
  if (!listing) {
    listing_outcome r;
    r.error = listing.error().message;
    done(std::move(r));
    return;
  }
  auto req = std::move(*listing);
  req.connect_timeout = std::chrono::milliseconds(target.connect_timeout_ms);
  req.first_byte_timeout = std::chrono::milliseconds(target.answer_timeout_ms);
  req.idle_timeout = std::chrono::milliseconds(target.answer_timeout_ms);
  req.total_timeout = std::chrono::milliseconds(target.total_timeout_ms);
  upstream.start(std::move(req), std::move(handler));
}

} // namespace oh::providers
