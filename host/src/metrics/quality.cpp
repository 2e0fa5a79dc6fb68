// Quality metrics; their conventions (ties, NaN rows, macro-F1 labels, clamping) are stated
// in metrics.hpp.
#include "metrics/log_softmax.hpp"
#include "metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

namespace gauntlet {
namespace {

// Probabilities are clamped to [eps, 1 - eps] (scikit-learn's historical log_loss eps), so one
// confident mistake costs at most -log(1e-15) ~ 34.5 instead of infinity.
constexpr double kLogLossEps = 1e-15;

[[noreturn]] void bad(const std::string& message) { throw std::invalid_argument("metrics: " + message); }

struct Scores {
  const float* data;
  int64_t rows, cols;
  const float* row(int64_t i) const { return data + i * cols; }
};

bool has_nan(const float* r, int64_t cols) {
  for (int64_t j = 0; j < cols; ++j)
    if (std::isnan(r[j])) return true;
  return false;
}

// -1 when the row has a NaN.
int64_t predicted_class(const float* r, int64_t cols) {
  if (has_nan(r, cols)) return -1;
  int64_t best = 0;
  for (int64_t j = 1; j < cols; ++j)
    if (r[j] > r[best]) best = j;
  return best;
}

double accuracy(const Scores& s, const int32_t* t) {
  int64_t hits = 0;
  for (int64_t i = 0; i < s.rows; ++i) hits += predicted_class(s.row(i), s.cols) == t[i];
  return static_cast<double>(hits) / static_cast<double>(s.rows);
}

// A hit when fewer than k other classes score at least as high as the target class.
double top_k_accuracy(const Scores& s, const int32_t* t, int k) {
  int64_t hits = 0;
  for (int64_t i = 0; i < s.rows; ++i) {
    const float* r = s.row(i);
    if (has_nan(r, s.cols)) continue;
    int64_t rivals = 0;
    for (int64_t j = 0; j < s.cols; ++j) rivals += j != t[i] && r[j] >= r[t[i]];
    hits += rivals < k;
  }
  return static_cast<double>(hits) / static_cast<double>(s.rows);
}

// Averaged over the classes present in the targets or the predictions; a class with no true
// positive has F1 = 0. F1 = 2 TP / (2 TP + FP + FN), equal to 2PR / (P + R) when defined.
double macro_f1(const Scores& s, const int32_t* t) {
  const auto c = static_cast<std::size_t>(s.cols);
  std::vector<int64_t> tp(c), fp(c), fn(c);
  std::set<int64_t> present;
  for (int64_t i = 0; i < s.rows; ++i) {
    const int64_t p = predicted_class(s.row(i), s.cols);
    present.insert(t[i]);
    if (p == t[i]) {
      ++tp[t[i]];
      continue;
    }
    ++fn[t[i]];
    if (p >= 0) {
      ++fp[p];
      present.insert(p);
    }
  }
  double sum = 0;
  for (int64_t k : present) sum += 2.0 * tp[k] / static_cast<double>(2 * tp[k] + fp[k] + fn[k]);
  return sum / static_cast<double>(present.size());
}

double log_loss(const Scores& s, const int32_t* t) {
  const std::vector<float> logp = metrics::log_softmax_rows(s.data, s.rows, s.cols);
  const double lo = std::log(kLogLossEps), hi = std::log1p(-kLogLossEps);
  double sum = 0;
  for (int64_t i = 0; i < s.rows; ++i) {
    const double lp = logp[static_cast<std::size_t>(i * s.cols + t[i])];
    sum -= std::isfinite(lp) ? std::clamp(lp, lo, hi) : lo;  // NaN/Inf outputs: worst case
  }
  return sum / static_cast<double>(s.rows);
}

double mean_error(const HostTensor& o, const HostTensor& t, bool squared) {
  const float* a = o.as<float>();
  const float* b = t.as<float>();
  const int64_t n = o.numel();
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    sum += squared ? d * d : std::fabs(d);
  }
  return sum / static_cast<double>(n);
}

}  // namespace

std::vector<std::pair<std::string, double>> compute_quality_metrics(const Challenge& challenge,
                                                                    const HostTensor& outputs,
                                                                    const HostTensor& targets) {
  const int64_t n = outputs.samples();
  if (n <= 0) bad("no samples to score");
  if (targets.samples() != n)
    bad(std::to_string(n) + " outputs but " + std::to_string(targets.samples()) + " targets");
  if (outputs.dtype != DType::f32) bad("outputs must be f32");
  if (!outputs.raw() || !targets.raw()) bad("outputs or targets without memory");
  const bool classification = challenge.task == Task::classification;
  Scores scores{outputs.as<float>(), n, outputs.sample_numel()};
  if (classification) {
    if (targets.dtype != DType::s32 || targets.sample_numel() != 1)
      bad("classification targets must be s32 [N]");
    if (scores.cols != challenge.num_classes)
      bad("outputs have " + std::to_string(scores.cols) + " scores per sample, the challenge has " +
          std::to_string(challenge.num_classes) + " classes");
    const int32_t* t = targets.as<int32_t>();
    for (int64_t i = 0; i < n; ++i)
      if (t[i] < 0 || t[i] >= scores.cols)
        bad("target " + std::to_string(t[i]) + " of sample " + std::to_string(i) + " is not a class");
  } else {
    if (targets.dtype != DType::f32) bad("regression targets must be f32");
    if (targets.sample_numel() != outputs.sample_numel())
      bad("outputs have " + std::to_string(outputs.sample_numel()) + " values per sample, targets " +
          std::to_string(targets.sample_numel()));
  }

  std::vector<std::pair<std::string, double>> out;
  for (const MetricSpec& m : challenge.metrics) {
    const bool needs_classes = m.kind != "mse" && m.kind != "mae";
    if (needs_classes != classification)
      bad("metric " + m.kind + " does not apply to a " + (classification ? "classification" : "regression") +
          " task");
    double v = 0;
    if (!needs_classes) {
      v = mean_error(outputs, targets, m.kind == "mse");  // mse or mae
    } else {
      const int32_t* t = targets.as<int32_t>();  // s32 class indices, checked above
      if (m.kind == "accuracy")
        v = accuracy(scores, t);
      else if (m.kind == "top_k_accuracy")
        v = m.k >= 1 ? top_k_accuracy(scores, t, m.k) : (bad("top_k_accuracy needs k >= 1"), 0.0);
      else if (m.kind == "macro_f1")
        v = macro_f1(scores, t);
      else if (m.kind == "log_loss")
        v = log_loss(scores, t);
      else
        bad("unknown metric kind '" + m.kind + "'");
    }
    out.emplace_back(m.variable, v);
  }
  return out;
}

std::optional<NonFinite> find_non_finite(const HostTensor& tensor) {
  if (tensor.dtype != DType::f32 || !tensor.raw()) return std::nullopt;  // integers are always finite
  const float* p = tensor.as<float>();
  NonFinite nf;
  for (int64_t i = tensor.numel() - 1; i >= 0; --i)
    if (!std::isfinite(p[i])) {
      ++nf.count;
      nf.first_index = i;  // walking backwards leaves the first one
    }
  if (nf.count == 0) return std::nullopt;
  return nf;
}

}  // namespace gauntlet
