// Metrics of the predicted labels (the decision rule of evaluation.hpp): accuracy, top-k,
// balanced accuracy, precision, recall and F1 with their averaging options.
#include "quality/metric_functions.hpp"

#include <functional>
#include <stdexcept>
#include "common/errors.hpp"

namespace gauntlet::quality {
namespace {

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }  // zero_division = 0

using PerLabel = std::function<double(double tp, double fp, double fn)>;

std::vector<double> averaged(const Evaluation& e, const MetricParam& p, const PerLabel& score) {
  const LabelCounts c = count_labels(e);
  const std::size_t labels = c.tp.size();
  const std::string& how = p.option;
  if (how == "binary") return {score(c.tp[1], c.fp[1], c.fn[1])};
  if (how == "per_class") {
    std::vector<double> out(labels);
    for (std::size_t j = 0; j < labels; ++j) out[j] = score(c.tp[j], c.fp[j], c.fn[j]);
    return out;
  }
  double tp = 0, fp = 0, fn = 0, sum = 0, weighted = 0, weights = 0, count = 0;
  for (std::size_t j = 0; j < labels; ++j) {
    if (!c.present[j]) continue;
    tp += c.tp[j], fp += c.fp[j], fn += c.fn[j];
    const double v = score(c.tp[j], c.fp[j], c.fn[j]), support = c.tp[j] + c.fn[j];
    sum += v, count += 1;
    weighted += v * support, weights += support;
  }
  if (how == "micro") return {score(tp, fp, fn)};
  if (how == "weighted") return {ratio(weighted, weights)};
  if (how == "macro") return {ratio(sum, count)};
  throw DataError("metrics: unknown averaging '" + how + "'");
}

}  // namespace

LabelCounts count_labels(const Evaluation& e) {
  LabelCounts c;
  const auto labels = static_cast<std::size_t>(e.classes);
  c.tp.assign(labels, 0), c.fp.assign(labels, 0), c.fn.assign(labels, 0);
  c.present.assign(labels, e.task == Task::multilabel);
  if (e.task == Task::multilabel) {
    for (int64_t i = 0; i < e.n; ++i)
      for (int64_t j = 0; j < e.width; ++j) {
        const bool t = e.labels[i * e.width + j] != 0, p = e.predicted[i * e.width + j] != 0;
        c.tp[j] += t && p, c.fp[j] += !t && p, c.fn[j] += t && !p;
      }
    return c;
  }
  for (int64_t i = 0; i < e.n; ++i) {
    const int32_t t = e.labels[i], p = e.predicted[i];
    c.present[t] = true;
    if (p == t) {
      ++c.tp[t];
      continue;
    }
    ++c.fn[t];
    if (p >= 0) {
      ++c.fp[p];
      c.present[p] = true;
    }
  }
  return c;
}

std::vector<double> accuracy(const Evaluation& e, const MetricParam&) {
  double hits = 0;
  const int64_t per = e.task == Task::multilabel ? e.width : 1;  // multilabel: every label right
  for (int64_t i = 0; i < e.n; ++i) {
    bool all = true;
    for (int64_t j = 0; j < per; ++j) all = all && e.predicted[i * per + j] == e.labels[i * per + j];
    hits += all;
  }
  return {hits / static_cast<double>(e.n)};
}

// A hit when fewer than k other classes score at least as high as the target class: ties
// count against the plugin (a constant output scores 0 unless k = classes).
std::vector<double> top_k_accuracy(const Evaluation& e, const MetricParam& p) {
  double hits = 0;
  for (int64_t i = 0; i < e.n; ++i) {
    const double* r = e.scores.data() + i * e.width;
    if (e.predicted[i] < 0) continue;  // a NaN row
    const double target = r[e.labels[i]];
    int64_t rivals = 0;
    for (int64_t j = 0; j < e.width; ++j) rivals += j != e.labels[i] && r[j] >= target;
    hits += rivals < p.k;
  }
  return {hits / static_cast<double>(e.n)};
}

// The mean recall over the classes present in the targets.
std::vector<double> balanced_accuracy(const Evaluation& e, const MetricParam&) {
  const LabelCounts c = count_labels(e);
  double sum = 0, classes = 0;
  for (std::size_t j = 0; j < c.tp.size(); ++j)
    if (c.tp[j] + c.fn[j] > 0) sum += c.tp[j] / (c.tp[j] + c.fn[j]), classes += 1;
  return {ratio(sum, classes)};
}

std::vector<double> precision(const Evaluation& e, const MetricParam& p) {
  return averaged(e, p, [](double tp, double fp, double) { return ratio(tp, tp + fp); });
}

std::vector<double> recall(const Evaluation& e, const MetricParam& p) {
  return averaged(e, p, [](double tp, double, double fn) { return ratio(tp, tp + fn); });
}

// 2TP / (2TP + FP + FN): scikit-learn's 2PR / (P + R), 0 where it is undefined.
std::vector<double> f1(const Evaluation& e, const MetricParam& p) {
  return averaged(e, p, [](double tp, double fp, double fn) { return ratio(2 * tp, 2 * tp + fp + fn); });
}

}  // namespace gauntlet::quality
