// What a challenge asks of its scored output, in the words of the metric registry: the task
// and, for the classification tasks, whether the output holds logits or probabilities.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet {

// classification: one of C classes, output [batch, C]; binary: one output per sample (the
// positive class's score), target 0/1; multilabel: L independent 0/1 labels, output
// [batch, L]; regression: real values, output and target of the same shape.
enum class Task { classification, binary, multilabel, regression };

// How the metrics read a classification output: logits (softmax for classification, sigmoid
// for binary and multilabel) or probabilities (used as they are).
enum class ScoreForm { logits, probabilities };

std::string_view task_name(Task task);  // "classification", "binary", "multilabel", "regression"
[[nodiscard]] std::optional<Task> parse_task(std::string_view name);
std::vector<std::string> task_names();
std::string_view score_form_name(ScoreForm form);  // "logits", "probabilities"

}  // namespace gauntlet
