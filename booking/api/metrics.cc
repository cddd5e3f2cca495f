#include "booking/api/metrics.h"

#include <algorithm>
#include <cstdio>

namespace boxoffice::booking::api {
namespace {

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

std::string with_labels(std::string_view labels, std::string_view extra) {
  std::string out = "{";
  out += labels;
  if (!labels.empty() && !extra.empty()) out += ',';
  out += extra;
  out += '}';
  return out == "{}" ? "" : out;
}

}  // namespace

Histogram::Histogram(std::span<const double> bounds_s) {
  bucket_count_ = std::min(bounds_s.size(), kMaxBuckets);
  for (size_t i = 0; i < bucket_count_; ++i) {
    bounds_[i] = bounds_s[i];
    bounds_us_[i] = static_cast<uint64_t>(bounds_s[i] * 1e6);
  }
}

void Histogram::observe_us(uint64_t us) {
  const uint64_t* first = bounds_us_.data();
  const size_t i = std::lower_bound(first, first + bucket_count_, us) - first;
  if (i < bucket_count_) buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(us, std::memory_order_relaxed);
}

MetricsRegistry::Series& MetricsRegistry::add(std::string_view name, std::string_view help,
                                              Kind kind, std::string_view labels) {
  auto it = std::find_if(families_.begin(), families_.end(),
                         [&](const Family& f) { return f.name == name; });
  if (it == families_.end()) {
    families_.push_back(Family{std::string(name), std::string(help), kind, {}});
    it = families_.end() - 1;
  }
  Series& s = it->series.emplace_back();
  s.labels = labels;
  return s;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  std::string_view labels, bool hide_when_zero) {
  std::lock_guard lock(mu_);
  Series& s = add(name, help, Kind::kCounter, labels);
  s.hide_when_zero = hide_when_zero;
  s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help,
                              std::string_view labels) {
  std::lock_guard lock(mu_);
  Series& s = add(name, help, Kind::kGauge, labels);
  s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      std::string_view labels, std::span<const double> bounds_s,
                                      bool hide_when_zero) {
  std::lock_guard lock(mu_);
  Series& s = add(name, help, Kind::kHistogram, labels);
  s.hide_when_zero = hide_when_zero;
  s.histogram = std::make_unique<Histogram>(bounds_s);
  return *s.histogram;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const Family& f : families_) {
    static constexpr std::string_view kTypes[] = {"counter", "gauge", "histogram"};
    out += "# HELP " + f.name + " " + f.help + "\n";
    out += "# TYPE " + f.name + " " + std::string(kTypes[static_cast<int>(f.kind)]) + "\n";
    for (const Series& s : f.series) {
      if (s.counter) {
        if (s.hide_when_zero && s.counter->value() == 0) continue;
        out += f.name + with_labels(s.labels, "") + " " + std::to_string(s.counter->value()) + "\n";
      } else if (s.gauge) {
        out += f.name + with_labels(s.labels, "") + " " + std::to_string(s.gauge->value()) + "\n";
      } else if (s.histogram) {
        const Histogram& h = *s.histogram;
        const uint64_t count = h.count();
        if (s.hide_when_zero && count == 0) continue;
        uint64_t cumulative = 0;
        for (size_t i = 0; i < h.bounds().size(); ++i) {
          cumulative += h.bucket(i);
          out += f.name + "_bucket" +
                 with_labels(s.labels, "le=\"" + format_seconds(h.bounds()[i]) + "\"") + " " +
                 std::to_string(cumulative) + "\n";
        }
        out += f.name + "_bucket" + with_labels(s.labels, "le=\"+Inf\"") + " " +
               std::to_string(count) + "\n";
        char sum[32];
        std::snprintf(sum, sizeof sum, "%.6f", static_cast<double>(h.sum_us()) / 1e6);
        out += f.name + "_sum" + with_labels(s.labels, "") + " " + sum + "\n";
        out += f.name + "_count" + with_labels(s.labels, "") + " " + std::to_string(count) + "\n";
      }
    }
  }
  return out;
}

std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace boxoffice::booking::api
