// The table. Variables: a metric without a parameter defines its name; top_k_accuracy k
// defines top<k>_accuracy; an averaged metric defines <average>_<name> (macro_f1), its
// binary form <name>, its per-class form <name>_class_<c>; a regression metric defines its
// name, or <name>_target_<i> per target.
#include "quality/metric_registry.hpp"

#include "quality/metric_functions.hpp"

#include <algorithm>
#include <cctype>

namespace gauntlet::quality {
namespace {

constexpr Task kClassification = Task::classification, kBinary = Task::binary, kMultilabel = Task::multilabel,
               kRegression = Task::regression;

std::vector<std::string> plain(const std::string& name, const MetricParam&, Task, int64_t) { return {name}; }

std::vector<std::string> top_k(const std::string&, const MetricParam& p, Task, int64_t) {
  return {"top" + std::to_string(p.k) + "_accuracy"};
}

std::vector<std::string> averages(Task task) {
  if (task == Task::binary) return {"binary", "macro", "micro", "weighted", "per_class"};
  return {"macro", "micro", "weighted", "per_class"};
}

std::vector<std::string> averaged(const std::string& name, const MetricParam& p, Task task, int64_t width) {
  if (p.option == "binary") return {name};
  if (p.option != "per_class") return {p.option + "_" + name};
  std::vector<std::string> out;
  const int64_t labels = task == Task::binary ? 2 : width;
  for (int64_t c = 0; c < labels; ++c) out.push_back(name + "_class_" + std::to_string(c));
  return out;
}

std::vector<std::string> per_target_options(Task) { return {"uniform", "per_target"}; }

std::vector<std::string> per_target(const std::string& name, const MetricParam& p, Task, int64_t width) {
  if (p.option != "per_target") return {name};
  std::vector<std::string> out;
  for (int64_t t = 0; t < width; ++t) out.push_back(name + "_target_" + std::to_string(t));
  return out;
}

// Schema 1's name for f1 averaged over classes.
std::vector<double> macro_f1(const Evaluation& e, const MetricParam&) { return f1(e, {0, "macro"}); }

MetricEntry label_average(const std::string& name,
                          std::vector<double> (*fn)(const Evaluation&, const MetricParam&),
                          const std::string& summary) {
  return {name,
          {kClassification, kBinary, kMultilabel},
          true,
          ParamKind::choice,
          averages,
          {name, "macro_" + name, "micro_" + name, "weighted_" + name, name + "_class_#"},
          summary + "; `- " + name +
              ": macro|micro|weighted|per_class|binary` (default binary for task binary, else macro)",
          averaged,
          fn};
}

MetricEntry regression(const std::string& name, bool higher,
                       std::vector<double> (*fn)(const Evaluation&, const MetricParam&),
                       const std::string& summary) {
  return {name,
          {kRegression},
          higher,
          ParamKind::choice,
          per_target_options,
          {name, name + "_target_#"},
          summary + "; `- " + name + ": per_target` gives one variable per target",
          per_target,
          fn};
}

std::vector<MetricEntry> build() {
  return {
      {"accuracy",
       {kClassification, kBinary, kMultilabel},
       true,
       ParamKind::none,
       nullptr,
       {"accuracy"},
       "fraction of samples predicted right (multilabel: every label right)",
       plain,
       accuracy},
      {"top_k_accuracy",
       {kClassification},
       true,
       ParamKind::count,
       nullptr,
       {"top#_accuracy"},
       "`- top_k_accuracy: k`: the target among the k best scores, ties counting against",
       top_k,
       top_k_accuracy},
      {"balanced_accuracy",
       {kClassification, kBinary},
       true,
       ParamKind::none,
       nullptr,
       {"balanced_accuracy"},
       "mean recall over the classes present in the targets",
       plain,
       balanced_accuracy},
      label_average("precision", precision, "TP / (TP + FP)"),
      label_average("recall", recall, "TP / (TP + FN)"),
      label_average("f1", f1, "2TP / (2TP + FP + FN)"),
      {"macro_f1",
       {kClassification, kBinary, kMultilabel},
       true,
       ParamKind::none,
       nullptr,
       {"macro_f1"},
       "the same as `- f1: macro` (schema 1's name)",
       plain,
       macro_f1},
      {"roc_auc",
       {kBinary, kClassification, kMultilabel},
       true,
       ParamKind::none,
       nullptr,
       {"roc_auc"},
       "area under the ROC curve (binary; else one-vs-rest, macro)",
       plain,
       roc_auc},
      {"pr_auc",
       {kBinary, kClassification, kMultilabel},
       true,
       ParamKind::none,
       nullptr,
       {"pr_auc"},
       "average precision (binary; else one-vs-rest, macro)",
       plain,
       pr_auc},
      {"log_loss",
       {kClassification, kBinary},
       false,
       ParamKind::none,
       nullptr,
       {"log_loss"},
       "mean -log p(target), p clipped to [1e-15, 1 - 1e-15] and renormalised",
       plain,
       log_loss},
      {"brier", {kBinary}, false, ParamKind::none, nullptr, {"brier"}, "mean (p - target)^2", plain, brier},
      regression("mse", false, mse, "mean squared error"),
      regression("rmse", false, rmse, "root of each target's MSE, averaged over targets"),
      regression("mae", false, mae, "mean absolute error"),
      regression("r2", true, r2, "coefficient of determination"),
      regression("mape", false, mape, "mean |y - p| / max(|y|, 2^-52)"),
  };
}

// '#' matches one or more digits.
bool matches(std::string_view pattern, std::string_view name) {
  std::size_t i = 0, j = 0;
  while (i < pattern.size() && j < name.size()) {
    if (pattern[i] == '#') {
      if (!std::isdigit(static_cast<unsigned char>(name[j]))) return false;
      while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
      ++i;
    } else if (pattern[i++] != name[j++]) {
      return false;
    }
  }
  return i == pattern.size() && j == name.size();
}

}  // namespace

bool MetricEntry::applies_to(Task task) const {
  return std::find(tasks.begin(), tasks.end(), task) != tasks.end();
}

const std::vector<MetricEntry>& metric_registry() {
  static const std::vector<MetricEntry> table = build();
  return table;
}

const MetricEntry* find_metric(std::string_view name) {
  for (const MetricEntry& m : metric_registry())
    if (m.name == name) return &m;
  return nullptr;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const MetricEntry& m : metric_registry()) names.push_back(m.name);
  return names;
}

std::optional<bool> variable_higher_is_better(std::string_view variable) {
  for (const MetricEntry& m : metric_registry())
    for (const std::string& pattern : m.patterns)
      if (matches(pattern, variable)) return m.higher_is_better;
  return std::nullopt;
}

}  // namespace gauntlet::quality
