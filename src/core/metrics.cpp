#include "core/metrics.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace oh::metrics {

namespace {

std::string number(double v) {
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as the same double.
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.15g", v);
  if (std::strtod(buf, nullptr) != v)
    std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"')
      out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
}

/// Inserts `extra` (e.g. le="0.5") into rendered labels.
std::string with_label(const std::string& rendered, const std::string& extra) {
  if (rendered.empty())
    return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

template<class Labels>
void render_labels_into(std::string& out, const Labels& l) {
  out.clear();
  if (l.size() == 0)
    return;
  out.push_back('{');
  bool first = true;
  for (auto& [name, value] : l) {
    if (!first)
      out.push_back(',');
    first = false;
    out.append(name).append("=\"");
    append_escaped(out, value);
    out.push_back('"');
  }
  out.push_back('}');
}

/// The rendered key of an update, in a buffer each thread reuses: updates
/// run for every request, and an existing series needs no new string.
const std::string& scratch_key(label_list l) {
  thread_local std::string key;
  render_labels_into(key, l);
  return key;
}

/// The series for `key`, made on first use.
template<class Map>
typename Map::mapped_type& series_of(Map& values, const std::string& key) {
  auto it = values.find(std::string_view{key});
  if (it == values.end())
    it = values.emplace(key, typename Map::mapped_type{}).first;
  return it->second;
}

} // namespace

std::string render_labels(const labels& l) {
  std::string out;
  render_labels_into(out, l);
  return out;
}

std::string render_labels(label_list l) {
  std::string out;
  render_labels_into(out, l);
  return out;
}

std::string bounded(const std::string& value, bool known) {
  return known ? value : "other";
}

void counter_family::add(label_list l, double v) {
  auto& key = scratch_key(l);
  std::lock_guard guard{mu_};
  series_of(values_, key) += v;
}

void gauge_family::set(label_list l, double v) {
  auto& key = scratch_key(l);
  std::lock_guard guard{mu_};
  series_of(values_, key) = v;
}

double gauge_family::sum() const {
  std::lock_guard guard{mu_};
  double total = 0;
  for (auto& [key, v] : values_)
    total += v;
  return total;
}

void gauge_family::add(label_list l, double v) {
  auto& key = scratch_key(l);
  std::lock_guard guard{mu_};
  series_of(values_, key) += v;
}

void histogram_family::observe(label_list l, double v) {
  auto& key = scratch_key(l);
  std::lock_guard guard{mu_};
  auto& s = series_of(values_, key);
  if (s.buckets.empty())
    s.buckets.assign(bounds_.size(), 0);
  for (size_t i = 0; i < bounds_.size(); ++i)
    if (v <= bounds_[i])
      s.buckets[i] += 1;
  s.count += 1;
  s.sum += v;
}

counter_family& registry::counter(const std::string& name,
                                  const std::string& help) {
  std::lock_guard guard{mu_};
  auto f = std::make_unique<family>();
  f->name = name;
  f->help = help;
  f->type = "counter";
  f->c = std::make_unique<counter_family>();
  auto& ref = *f->c;
  families_.push_back(std::move(f));
  return ref;
}

gauge_family& registry::gauge(const std::string& name,
                              const std::string& help) {
  std::lock_guard guard{mu_};
  auto f = std::make_unique<family>();
  f->name = name;
  f->help = help;
  f->type = "gauge";
  f->g = std::make_unique<gauge_family>();
  auto& ref = *f->g;
  families_.push_back(std::move(f));
  return ref;
}

histogram_family& registry::histogram(const std::string& name,
                                      const std::string& help,
                                      std::vector<double> bounds) {
  std::lock_guard guard{mu_};
  auto f = std::make_unique<family>();
  f->name = name;
  f->help = help;
  f->type = "histogram";
  f->h = std::make_unique<histogram_family>(std::move(bounds));
  auto& ref = *f->h;
  families_.push_back(std::move(f));
  return ref;
}

void registry::computed(
  const std::string& name, const std::string& help, const std::string& type,
  std::function<std::vector<std::pair<labels, double>>()> fn) {
  std::lock_guard guard{mu_};
  auto f = std::make_unique<family>();
  f->name = name;
  f->help = help;
  f->type = type;
  f->fn = std::move(fn);
  families_.push_back(std::move(f));
}

std::string registry::render() {
  std::lock_guard guard{mu_};
  std::string out;
  for (auto& f : families_) {
    out += "# HELP " + f->name + " " + f->help + "\n";
    out += "# TYPE " + f->name + " " + f->type + "\n";
    if (f->c) {
      std::lock_guard g{f->c->mu_};
      for (auto& [l, v] : f->c->values_)
        out += f->name + l + " " + number(v) + "\n";
    } else if (f->g) {
      std::lock_guard g{f->g->mu_};
      for (auto& [l, v] : f->g->values_)
        out += f->name + l + " " + number(v) + "\n";
    } else if (f->h) {
      std::lock_guard g{f->h->mu_};
      for (auto& [l, s] : f->h->values_) {
        for (size_t i = 0; i < f->h->bounds_.size(); ++i)
          out += f->name + "_bucket"
                 + with_label(l, "le=\"" + number(f->h->bounds_[i]) + "\"")
                 + " " + std::to_string(s.buckets[i]) + "\n";
        out += f->name + "_bucket" + with_label(l, "le=\"+Inf\"") + " "
               + std::to_string(s.count) + "\n";
        out += f->name + "_sum" + l + " " + number(s.sum) + "\n";
        out += f->name + "_count" + l + " " + std::to_string(s.count) + "\n";
      }
    } else if (f->fn) {
      for (auto& [l, v] : f->fn())
        out += f->name + render_labels(l) + " " + number(v) + "\n";
    }
  }
  return out;
}

} // namespace oh::metrics
