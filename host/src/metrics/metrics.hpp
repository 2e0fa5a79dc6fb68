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
// order) against `targets`, in the order of challenge.metrics; keys are MetricSpec::variable.
// Classification outputs are per-class scores (logits or probabilities, argmax = prediction;
// log_loss applies softmax to them). Regression outputs are compared element-wise.
// Conventions, all in double:
// - argmax takes the first maximal index on ties (numpy);
// - top_k_accuracy: a hit when fewer than k other classes score >= the target's score, so ties
//   count against the plugin (constant outputs get 0 unless k = num_classes);
// - macro_f1: scikit-learn's f1_score(average="macro", zero_division=0): the mean of per-class
//   F1 = 2TP / (2TP + FP + FN) over the classes present in the targets or the predictions;
// - log_loss: mean of -log softmax(row)[target] (oneDNN log-softmax), p clamped to
//   [1e-15, 1 - 1e-15], so at most ~34.54 per sample;
// - a row holding a NaN predicts no class (wrong for accuracy, top-k, macro-F1) and costs the
//   log_loss maximum; mse/mae propagate NaN (check find_non_finite first).
// Throws std::invalid_argument when shapes, dtypes, targets or metric kinds do not fit.
std::vector<std::pair<std::string, double>> compute_quality_metrics(const Challenge& challenge,
                                                                    const HostTensor& outputs,
                                                                    const HostTensor& targets);

// First non-finite (NaN or Inf) element of a float tensor, if any.
struct NonFinite {
  int64_t count = 0;        // how many elements are not finite
  int64_t first_index = 0;  // flat index of the first one
};
std::optional<NonFinite> find_non_finite(const HostTensor& tensor);

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
