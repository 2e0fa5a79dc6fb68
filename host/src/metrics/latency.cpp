#include "metrics/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace gauntlet {
namespace {

// Nearest rank: the value at 1-based rank ceil(p * n) of the sorted values, with p = num/den
// in integers so that e.g. p99 of 100 values is exactly rank 99 (0.99 * 100 in floating point
// is 98.99999999999999 or 99.00000000000001 depending on the expression).
double nearest_rank(const std::vector<double>& sorted, int64_t num, int64_t den) {
  const auto n = static_cast<int64_t>(sorted.size());
  const int64_t rank = (num * n + den - 1) / den;
  return sorted[static_cast<std::size_t>(std::clamp<int64_t>(rank - 1, 0, n - 1))];
}

}  // namespace

LatencySummary summarize_latencies(int64_t batch_size, const std::vector<double>& latencies_ns) {
  LatencySummary s;
  s.batch_size = batch_size;
  s.calls = static_cast<int64_t>(latencies_ns.size());
  if (latencies_ns.empty()) return s;

  std::vector<double> ms(latencies_ns.size());
  std::transform(latencies_ns.begin(), latencies_ns.end(), ms.begin(), [](double ns) { return ns * 1e-6; });
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  s.total_seconds = sum * 1e-3;
  s.mean_ms = sum / static_cast<double>(ms.size());
  double ss = 0;
  for (double v : ms) ss += (v - s.mean_ms) * (v - s.mean_ms);
  // Sample standard deviation (n - 1): the calls are a sample of the plugin's latency.
  s.stddev_ms = ms.size() > 1 ? std::sqrt(ss / static_cast<double>(ms.size() - 1)) : 0.0;

  s.min_ms = ms.front();
  s.max_ms = ms.back();
  s.p50_ms = nearest_rank(ms, 50, 100);
  s.p90_ms = nearest_rank(ms, 90, 100);
  s.p99_ms = nearest_rank(ms, 99, 100);
  s.p999_ms = nearest_rank(ms, 999, 1000);
  const double p10 = nearest_rank(ms, 10, 100);
  s.spread = s.p50_ms > 0 ? (s.p90_ms - p10) / s.p50_ms : 0.0;
  s.throughput = s.total_seconds > 0 ? static_cast<double>(batch_size * s.calls) / s.total_seconds : 0.0;
  return s;
}

}  // namespace gauntlet
