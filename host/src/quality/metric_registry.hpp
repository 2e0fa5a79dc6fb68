// The metric registry: one table (metric_registry.cpp) with, for each metric, its name in
// challenge YAML, the tasks it applies to, its direction, its parameter, the result variables
// it defines and the function computing them. The challenge loader, the judge, the event
// planner and the leaderboard all read it; adding a metric is one row plus its function and
// a line in tests/metrics/sklearn_reference.py.
#pragma once

#include "quality/evaluation.hpp"
#include "quality/task.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::quality {

// A metric's parameter as written in YAML (`- top_k_accuracy: 3`, `- f1: macro`).
enum class ParamKind { none, count, choice };

struct MetricParam {
  int64_t k = 0;       // ParamKind::count
  std::string option;  // ParamKind::choice
};

struct MetricEntry {
  std::string name;
  std::vector<Task> tasks;
  bool higher_is_better = true;
  ParamKind param = ParamKind::none;
  // ParamKind::choice: the options for a task, the first being the default.
  std::vector<std::string> (*options)(Task) = nullptr;
  // Every variable name it can define, '#' standing for a number (direction look-ups).
  std::vector<std::string> patterns;
  std::string summary;  // one line, for documentation and `gauntlet validate` messages
  // The variables it defines for a parameter, a task and an output width.
  std::vector<std::string> (*variables)(const std::string& name, const MetricParam&, Task,
                                        int64_t width) = nullptr;
  // Their values, in the order of variables().
  std::vector<double> (*compute)(const Evaluation&, const MetricParam&) = nullptr;

  [[nodiscard]] bool applies_to(Task task) const;
};

const std::vector<MetricEntry>& metric_registry();
const MetricEntry* find_metric(std::string_view name);
std::vector<std::string> metric_names();

// The direction of a result variable some metric defines ("macro_f1", "f1_class_3",
// "top3_accuracy", "r2_target_0"); nothing for other variables (latencies, ...).
[[nodiscard]] std::optional<bool> variable_higher_is_better(std::string_view variable);

}  // namespace gauntlet::quality
