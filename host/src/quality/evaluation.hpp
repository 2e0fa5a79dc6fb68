// The plugin's outputs and the hidden targets, read once into the forms every metric of the
// registry needs (probabilities, predicted labels, values), all in double.
#pragma once

#include "common/host_tensor.hpp"
#include "quality/task.hpp"

#include <cstdint>
#include <vector>

namespace gauntlet::quality {

// Decision rule: classification predicts the first maximal class (numpy's argmax; a row with a
// NaN predicts no class, -1); binary and multilabel predict 1 when the probability is > 0.5
// (a logit > 0). Probabilities: softmax (classification) or sigmoid (binary, multilabel) of
// logits, in double; probabilities are taken as given.
struct Evaluation {
  Task task = Task::classification;
  ScoreForm form = ScoreForm::logits;
  int64_t n = 0;                      // samples
  int64_t width = 0;                  // output values per sample (classes, 1 for binary, labels, targets)
  int64_t classes = 0;                // classification: width; binary: 2; multilabel: width
  std::vector<double> scores;         // [n, width] the outputs
  std::vector<double> probabilities;  // [n, width]; classification tasks only
  std::vector<int32_t> labels;        // [n] (classification, binary) or [n, width] (multilabel)
  std::vector<int32_t> predicted;     // same shape as labels
  std::vector<double> values;         // regression targets [n, width]

  // The positive-class probability of each sample for label (or class) `c`.
  std::vector<double> column(const std::vector<double>& m, int64_t c) const;
  // 1 where the target of sample i is label (or class) c.
  std::vector<int32_t> indicator(int64_t c) const;
};

// `outputs`: f32 [n, ...]; `targets`: class indices (any integer dtype, [n] or [n, 1]) for
// classification and binary, 0/1 [n, L] for multilabel, values of the outputs' shape for
// regression. Throws DataError naming what does not fit.
Evaluation make_evaluation(Task task, ScoreForm form, const HostTensor& outputs, const HostTensor& targets);

}  // namespace gauntlet::quality
