#include "actors/gateway_metrics.hpp"

namespace oh::actors {

namespace {

const std::vector<double> latency_buckets
  = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

} // namespace

gateway_metrics::gateway_metrics()
  : requests(reg.counter("openhinge_requests_total",
                         "Requests that passed authentication, by outcome.")),
    duration(reg.histogram("openhinge_request_duration_seconds",
                           "Time from request to the end of the answer.",
                           latency_buckets)),
    ttft(reg.histogram("openhinge_ttft_seconds",
                       "Time to the first content event of a stream.",
                       latency_buckets)),
    tokens(reg.counter("openhinge_tokens_total",
                       "Tokens by direction, account and model.")),
    cost(reg.counter("openhinge_cost_usd_total", "Cost in US dollars.")),
    upstream_errors(reg.counter("openhinge_upstream_errors_total",
                                "Failed upstream attempts by kind.")),
    fallbacks(reg.counter("openhinge_fallbacks_total",
                          "Requests moved from one account to the next.")),
    rate_limited(reg.counter("openhinge_rate_limited_total",
                             "Requests refused by a key's limits.")),
    auth_failures(reg.counter("openhinge_auth_failures_total",
                              "Requests with a missing or invalid key.")),
    open_streams(reg.gauge("openhinge_open_streams",
                           "Streams currently sending to clients.")),
    token_refresh(reg.counter("openhinge_token_refresh_total",
                              "OAuth token refreshes by result.")),
    unpriced(reg.counter("openhinge_unpriced_requests_total",
                         "Requests whose model has no price.")) {
  open_streams.set({}, 0);
  auth_failures.add({}, 0);
}

} // namespace oh::actors
