// Metrics of the scores themselves: ROC AUC, PR AUC (average precision), log-loss, Brier.
#include "quality/metric_functions.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gauntlet::quality {
namespace {

// Probabilities are clipped to [eps, 1 - eps] and each row renormalised, as scikit-learn's
// log_loss does: one confident mistake costs at most -log(1e-15) ~ 34.5, not infinity.
constexpr double kLogLossEps = 1e-15;

// Sample order by descending score (stable), for the curves.
std::vector<std::size_t> descending(const std::vector<double>& score) {
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  return order;
}

// Area under the ROC curve of one binary problem: the Mann-Whitney statistic with tied
// scores counting one half, equal to the trapezoidal area scikit-learn computes. NaN when the
// targets hold only one class.
double binary_roc_auc(const std::vector<double>& score, const std::vector<int32_t>& positive) {
  const auto order = descending(score);
  double pos = 0, neg = 0, area = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    double tied_pos = 0, tied_neg = 0;
    while (j < order.size() && score[order[j]] == score[order[i]]) {
      (positive[order[j]] ? tied_pos : tied_neg) += 1;
      ++j;
    }
    area += tied_neg * (pos + tied_pos / 2);  // each negative is beaten by the positives above it
    pos += tied_pos, neg += tied_neg;
    i = j;
  }
  return pos > 0 && neg > 0 ? area / (pos * neg) : std::nan("");
}

// Average precision: sum over thresholds of (recall step) x precision, scikit-learn's
// definition (no interpolation). NaN without positives.
double binary_average_precision(const std::vector<double>& score, const std::vector<int32_t>& positive) {
  const auto order = descending(score);
  const double total = static_cast<double>(std::count(positive.begin(), positive.end(), 1));
  if (total == 0) return std::nan("");
  double tp = 0, fp = 0, ap = 0, last_recall = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && score[order[j]] == score[order[i]]) {
      (positive[order[j]] ? tp : fp) += 1;
      ++j;
    }
    const double recall = tp / total;
    ap += (recall - last_recall) * (tp / (tp + fp));
    last_recall = recall;
    i = j;
  }
  return ap;
}

// Binary: the positive probability; else the mean over classes (labels) with both positive
// and negative targets.
double one_vs_rest(const Evaluation& e,
                   double (*area)(const std::vector<double>&, const std::vector<int32_t>&)) {
  if (e.task == Task::binary) return area(e.probabilities, e.labels);
  double sum = 0, classes = 0;
  for (int64_t c = 0; c < e.classes; ++c) {
    const double a = area(e.column(e.probabilities, c), e.indicator(c));
    if (!std::isnan(a)) sum += a, classes += 1;
  }
  return classes > 0 ? sum / classes : std::nan("");
}

}  // namespace

std::vector<double> roc_auc(const Evaluation& e, const MetricParam&) {
  return {one_vs_rest(e, binary_roc_auc)};
}

std::vector<double> pr_auc(const Evaluation& e, const MetricParam&) {
  return {one_vs_rest(e, binary_average_precision)};
}

// Classification: each row's probabilities (softmax of logits); binary: [1 - p, p].
std::vector<double> log_loss(const Evaluation& e, const MetricParam&) {
  const int64_t w = e.task == Task::binary ? 2 : e.width;
  std::vector<double> row(static_cast<std::size_t>(w));
  double sum = 0;
  for (int64_t i = 0; i < e.n; ++i) {
    if (e.task == Task::binary) {
      row[1] = e.probabilities[i];
      row[0] = 1 - row[1];
    } else {
      std::copy_n(e.probabilities.begin() + i * w, w, row.begin());
    }
    if (std::any_of(row.begin(), row.end(), [](double p) { return std::isnan(p); })) {
      sum -= std::log(kLogLossEps);  // a NaN output costs the most a sample can cost
      continue;
    }
    double total = 0;
    for (double& p : row) {
      p = std::clamp(p, kLogLossEps, 1 - kLogLossEps);
      total += p;
    }
    sum -= std::log(row[static_cast<std::size_t>(e.labels[i])] / total);
  }
  return {sum / static_cast<double>(e.n)};
}

std::vector<double> brier(const Evaluation& e, const MetricParam&) {
  double sum = 0;
  for (int64_t i = 0; i < e.n; ++i) {
    const double d = e.probabilities[i] - e.labels[i];
    sum += d * d;
  }
  return {sum / static_cast<double>(e.n)};
}

}  // namespace gauntlet::quality
