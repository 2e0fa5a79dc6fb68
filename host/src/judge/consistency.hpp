// Timed answers checked against the evaluation pass (README, Integrity of the measurement).
//
// Timed calls run first, on samples the plugin has not seen; the evaluation pass then presents
// every sample again, untimed, and its answers are the ones scored. A plugin that answered
// timed calls differently (cheaply, from a guess, from a cache) is caught here. The tolerance
// is fixed by the judge, never by the plugin's own outputs: class scores are compared as
// probabilities (softmax of logits for classes, sigmoid per label for binary and multilabel
// tasks, or the probabilities a challenge says its outputs are), which no shift or rescaling of
// the logits can widen, and regression values with an absolute tolerance set by the scale of
// the evaluation targets. Only the first output is scored, and only it is compared.
#pragma once

#include "challenge/challenge.hpp"
#include "common/host_tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::judge {

struct ConsistencyRule {
  enum class Kind {
    class_scores,         // class logits: softmax probabilities, and the same class
    class_probabilities,  // the same, the outputs being probabilities already
    label_scores,         // binary/multilabel logits: sigmoid per label, and the same side of 0.5
    label_probabilities,  // the same, the outputs being probabilities already
    values,               // regression: element by element
  };
  Kind kind = Kind::values;
  double tolerance = 1e-3;  // probability (classes, labels) or absolute value (regression)
  std::string describe() const;
};

// The rule for `challenge`: probabilities within 1e-3 and the same decision (class, or side of
// 0.5 for a label) unless the evaluation itself was that close to another; regression values
// within 1e-3 of the evaluation targets' standard deviation (of their magnitude when they are
// constant).
ConsistencyRule consistency_rule(const Challenge& challenge, const HostTensor& eval_targets);

// Whether two answers for one sample agree under `rule` (`per_sample` floats each).
[[nodiscard]] bool answers_agree(const ConsistencyRule& rule, const float* timed, const float* evaluated,
                                 std::size_t per_sample);

class ConsistencyCheck {
 public:
  ConsistencyCheck(ConsistencyRule rule, int64_t samples, std::size_t per_sample);

  // The timed answer for evaluation sample `sample` (each sample is timed at most once).
  void record(int64_t sample, const float* answer);
  // After the evaluation pass: every recorded answer against `evaluated` [samples x per_sample].
  void compare(const float* evaluated);

  const ConsistencyRule& rule() const { return rule_; }
  uint64_t checked() const { return checked_; }
  uint64_t mismatched() const { return mismatched_; }
  // BAD_OUTPUT's reason when more than 1% of the timed samples disagree (a rare flip at a
  // decision boundary is tolerated), else nothing.
  [[nodiscard]] std::optional<std::string> failure() const;

 private:
  ConsistencyRule rule_;
  std::size_t per_sample_;
  std::vector<float> timed_;
  std::vector<uint8_t> recorded_;
  uint64_t checked_ = 0, mismatched_ = 0;
  std::string example_;
};

}  // namespace gauntlet::judge
