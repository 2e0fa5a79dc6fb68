// Regression metrics, per target (output element) and averaged uniformly over targets, as
// scikit-learn's multioutput='uniform_average' / 'raw_values'.
#include "quality/metric_functions.hpp"

#include <cmath>
#include <functional>
#include <limits>

namespace gauntlet::quality {
namespace {

using PerTarget = std::function<double(const Evaluation&, int64_t target)>;

std::vector<double> per_target_or_mean(const Evaluation& e, const MetricParam& p, const PerTarget& f) {
  std::vector<double> values(static_cast<std::size_t>(e.width));
  double sum = 0;
  for (int64_t t = 0; t < e.width; ++t) sum += (values[t] = f(e, t));
  if (p.option == "per_target") return values;
  return {sum / static_cast<double>(e.width)};
}

double mean_over_samples(const Evaluation& e, int64_t t, double (*term)(double y, double yhat)) {
  double sum = 0;
  for (int64_t i = 0; i < e.n; ++i) sum += term(e.values[i * e.width + t], e.scores[i * e.width + t]);
  return sum / static_cast<double>(e.n);
}

double squared(double y, double yhat) { return (y - yhat) * (y - yhat); }
double absolute(double y, double yhat) { return std::fabs(y - yhat); }
// scikit-learn divides by max(|y|, machine epsilon), so a zero target gives a huge, finite term.
double percentage(double y, double yhat) {
  return std::fabs(y - yhat) / std::max(std::fabs(y), std::numeric_limits<double>::epsilon());
}

}  // namespace

std::vector<double> mse(const Evaluation& e, const MetricParam& p) {
  return per_target_or_mean(
      e, p, [](const Evaluation& ev, int64_t t) { return mean_over_samples(ev, t, squared); });
}

// The root of each target's MSE, then their mean (scikit-learn 1.2's squared=False).
std::vector<double> rmse(const Evaluation& e, const MetricParam& p) {
  return per_target_or_mean(
      e, p, [](const Evaluation& ev, int64_t t) { return std::sqrt(mean_over_samples(ev, t, squared)); });
}

std::vector<double> mae(const Evaluation& e, const MetricParam& p) {
  return per_target_or_mean(
      e, p, [](const Evaluation& ev, int64_t t) { return mean_over_samples(ev, t, absolute); });
}

std::vector<double> mape(const Evaluation& e, const MetricParam& p) {
  return per_target_or_mean(
      e, p, [](const Evaluation& ev, int64_t t) { return mean_over_samples(ev, t, percentage); });
}

// 1 - SS_res / SS_tot; a constant target gives 1 when predicted exactly, else 0 (scikit-learn's
// force_finite).
std::vector<double> r2(const Evaluation& e, const MetricParam& p) {
  return per_target_or_mean(e, p, [](const Evaluation& ev, int64_t t) {
    double mean = 0;
    for (int64_t i = 0; i < ev.n; ++i) mean += ev.values[i * ev.width + t];
    mean /= static_cast<double>(ev.n);
    double res = 0, tot = 0;
    for (int64_t i = 0; i < ev.n; ++i) {
      const double y = ev.values[i * ev.width + t];
      res += squared(y, ev.scores[i * ev.width + t]);
      tot += (y - mean) * (y - mean);
    }
    if (tot == 0) return res == 0 ? 1.0 : 0.0;
    return 1 - res / tot;
  });
}

}  // namespace gauntlet::quality
