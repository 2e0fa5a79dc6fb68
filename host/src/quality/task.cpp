#include "quality/task.hpp"

#include <array>
#include <utility>

namespace gauntlet {
namespace {

constexpr std::array<std::pair<Task, std::string_view>, 4> kTasks = {
    {{Task::classification, "classification"},
     {Task::binary, "binary"},
     {Task::multilabel, "multilabel"},
     {Task::regression, "regression"}}};

}  // namespace

std::string_view task_name(Task task) {
  for (const auto& [t, name] : kTasks)
    if (t == task) return name;
  return "?";
}

std::optional<Task> parse_task(std::string_view name) {
  for (const auto& [t, n] : kTasks)
    if (n == name) return t;
  return std::nullopt;
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  names.reserve(kTasks.size());
  for (const auto& entry : kTasks) names.emplace_back(entry.second);
  return names;
}

std::string_view score_form_name(ScoreForm form) {
  return form == ScoreForm::logits ? "logits" : "probabilities";
}

}  // namespace gauntlet
