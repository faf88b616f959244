#pragma once

// Prometheus metrics (text format 0.0.4, SPEC §9.4): counters, gauges and
// histograms with labels, safe to update from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oh::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

/// The labels of one update, as written at the call site
/// (`{{"provider", name}, {"status", "200"}}`): views, so recording a
/// request's metrics copies no label text unless the series is new.
using label_list
  = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class registry;

class counter_family {
public:
  void add(label_list l, double v = 1.0);

private:
  friend class registry;
  std::mutex mu_;
  std::map<std::string, double, std::less<>> values_; // rendered labels → value
};

class gauge_family {
public:
  void set(label_list l, double v);
  void add(label_list l, double v);
  /// The sum over every series (the value itself for an unlabelled gauge).
  double sum() const;

private:
  friend class registry;
  mutable std::mutex mu_;
  std::map<std::string, double, std::less<>> values_;
};

class histogram_family {
public:
  explicit histogram_family(std::vector<double> bounds)
    : bounds_(std::move(bounds)) {}
  void observe(label_list l, double v);

private:
  friend class registry;
  struct series {
    std::vector<uint64_t> buckets;
    uint64_t count = 0;
    double sum = 0;
  };
  std::vector<double> bounds_;
  std::mutex mu_;
  std::map<std::string, series, std::less<>> values_;
};

/// All metrics of the process and the rendering of /metrics.
class registry {
public:
  counter_family& counter(const std::string& name, const std::string& help);
  gauge_family& gauge(const std::string& name, const std::string& help);
  histogram_family& histogram(const std::string& name, const std::string& help,
                              std::vector<double> bounds);
  /// A gauge computed at scrape time (connections, queue depth, RSS …).
  void computed(const std::string& name, const std::string& help,
                const std::string& type,
                std::function<std::vector<std::pair<labels, double>>()> fn);

  /// The exposition text.
  std::string render();

private:
  struct family {
    std::string name;
    std::string help;
    std::string type;
    std::unique_ptr<counter_family> c;
    std::unique_ptr<gauge_family> g;
    std::unique_ptr<histogram_family> h;
    std::function<std::vector<std::pair<labels, double>>()> fn;
  };
  std::mutex mu_;
  std::vector<std::unique_ptr<family>> families_;
};

/// `{a="x",b="y"}` with values escaped; "" for no labels.
std::string render_labels(const labels& l);
std::string render_labels(label_list l);

/// A label value bounded by configuration: model ids not in `known` become
/// "other" so clients cannot grow the series without limit.
std::string bounded(const std::string& value, bool known);

} // namespace oh::metrics
