// Private to the quality layer: the functions the registry table points at. Conventions (all
// scikit-learn's, checked against it by tests/metrics): zero_division = 0; averages over the
// labels present in targets or predictions (classification, binary) or over every label
// (multilabel); ROC and PR AUC average over the classes that have both positive and negative
// targets.
#pragma once

#include "quality/evaluation.hpp"
#include "quality/metric_registry.hpp"

#include <vector>

namespace gauntlet::quality {

std::vector<double> accuracy(const Evaluation&, const MetricParam&);
std::vector<double> top_k_accuracy(const Evaluation&, const MetricParam&);
std::vector<double> balanced_accuracy(const Evaluation&, const MetricParam&);
std::vector<double> precision(const Evaluation&, const MetricParam&);
std::vector<double> recall(const Evaluation&, const MetricParam&);
std::vector<double> f1(const Evaluation&, const MetricParam&);

std::vector<double> roc_auc(const Evaluation&, const MetricParam&);
std::vector<double> pr_auc(const Evaluation&, const MetricParam&);
std::vector<double> log_loss(const Evaluation&, const MetricParam&);
std::vector<double> brier(const Evaluation&, const MetricParam&);

std::vector<double> mse(const Evaluation&, const MetricParam&);
std::vector<double> rmse(const Evaluation&, const MetricParam&);
std::vector<double> mae(const Evaluation&, const MetricParam&);
std::vector<double> r2(const Evaluation&, const MetricParam&);
std::vector<double> mape(const Evaluation&, const MetricParam&);

// Per-label counts of the decision rule, for the averaging options.
struct LabelCounts {
  std::vector<double> tp, fp, fn;
  std::vector<bool> present;  // in the targets or the predictions
};
LabelCounts count_labels(const Evaluation& e);

}  // namespace gauntlet::quality
