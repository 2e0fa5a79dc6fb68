// Everything the host measures about a plugin's outputs and timings. All of it is computed
// in the host from data the host holds; nothing reported by the worker enters these numbers.
#pragma once

#include "challenge/challenge.hpp"
#include "common/host_tensor.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet {

// Quality metrics of `outputs` (the first interface output for every eval sample, in eval
// order) against `targets`, in the order of challenge.metrics, each metric giving its
// variables (MetricSpec::variables). Computed by the metric registry
// (quality/metric_registry.hpp), whose conventions are scikit-learn's and are checked against
// it (tests/metrics): outputs are read as the challenge's `output` says (logits:
// softmax/sigmoid; probabilities: as given), argmax takes the first maximal index, a NaN row
// predicts no class. Throws DataError when shapes, dtypes or targets do not fit.
std::vector<std::pair<std::string, double>> compute_quality_metrics(const Challenge& challenge,
                                                                    const HostTensor& outputs,
                                                                    const HostTensor& targets);

// Distribution of per-call latencies at one batch size. Percentiles are nearest-rank on the
// sorted values (as MLPerf LoadGen): the value at 1-based rank ceil(p * n), rank computed in
// integers. stddev_ms is the sample standard deviation (n - 1; 0 for one call). total_seconds
// is the sum of the latencies; empty input gives calls = 0 and zeros.
struct LatencySummary {
  int64_t batch_size = 0;
  int64_t calls = 0;
  double total_seconds = 0;
  double min_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  double mean_ms = 0, stddev_ms = 0;
  double spread = 0;      // (p90 - p10) / p50: relative noise of the measurement
  double throughput = 0;  // samples per second = batch_size * calls / total_seconds
};
LatencySummary summarize_latencies(int64_t batch_size, const std::vector<double>& latencies_ns);

}  // namespace gauntlet
