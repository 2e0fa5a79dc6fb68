// Timed answers against the evaluation pass (judge/consistency.hpp): a tolerance the plugin
// cannot widen by shifting or rescaling its outputs.
#include <doctest/doctest.h>

#include "judge/consistency.hpp"

#include <cmath>
#include <vector>

using gauntlet::Challenge;
using gauntlet::DType;
using gauntlet::HostTensor;
using gauntlet::Task;
using gauntlet::judge::answers_agree;
using gauntlet::judge::consistency_rule;
using gauntlet::judge::ConsistencyCheck;
using gauntlet::judge::ConsistencyRule;

namespace {

ConsistencyRule classes() {
  Challenge c;
  c.task = Task::classification;
  return consistency_rule(c, HostTensor{});
}

HostTensor targets(const std::vector<float>& values) {
  HostTensor t = HostTensor::allocate(DType::f32, {static_cast<int64_t>(values.size()), 1});
  std::copy(values.begin(), values.end(), t.as<float>());
  return t;
}

}  // namespace

TEST_CASE("class scores: shifting every logit changes nothing, and cannot hide a different answer") {
  const ConsistencyRule rule = classes();
  CHECK(rule.kind == ConsistencyRule::Kind::class_scores);
  const float honest[4] = {1.0f, 3.0f, -2.0f, 0.5f};
  const float shifted[4] = {1.0f + 1e3f, 3.0f + 1e3f, -2.0f + 1e3f, 0.5f + 1e3f};
  CHECK(answers_agree(rule, shifted, honest, 4));
  // The stretch attack: a constant answer, far from the evaluation's, shifted by 10^6. A
  // tolerance relative to the values (|v| ~ 10^6) would accept it; probabilities do not.
  const float constant[4] = {1e6f, 1e6f, 1e6f, 1e6f + 1};
  const float evaluated[4] = {1e6f + 1, 1e6f + 3, 1e6f - 2, 1e6f + 0.5f};
  CHECK_FALSE(answers_agree(rule, constant, evaluated, 4));
  // Rescaling the logits makes the probabilities sharper, not the comparison looser.
  const float scaled[4] = {10.0f, 30.0f, -20.0f, 5.0f};
  CHECK_FALSE(answers_agree(rule, scaled, honest, 4));
  // Noise of a different batch composition (last bits) is fine.
  const float noisy[4] = {1.0000002f, 2.9999998f, -2.0000005f, 0.5000001f};
  CHECK(answers_agree(rule, noisy, honest, 4));
}

TEST_CASE("class scores: another class is a disagreement, unless the evaluation itself hesitated") {
  const ConsistencyRule rule = classes();
  const float a[2] = {0.0f, 1e-5f}, b[2] = {1e-5f, 0.0f};  // a tie within 1e-3 in probability
  CHECK(answers_agree(rule, a, b, 2));
  const float c[2] = {0.0f, 2.0f}, d[2] = {2.0f, 0.0f};
  CHECK_FALSE(answers_agree(rule, c, d, 2));
}

TEST_CASE("regression values: an absolute tolerance from the scale of the judge's own targets") {
  Challenge c;
  c.task = Task::regression;
  const ConsistencyRule rule = consistency_rule(c, targets({10, 20, 30, 40}));  // std 11.18
  CHECK(rule.kind == ConsistencyRule::Kind::values);
  CHECK(rule.tolerance == doctest::Approx(1e-3 * 11.180339887));
  const float e[1] = {25.0f};
  const float close[1] = {25.005f}, far[1] = {25.05f};
  CHECK(answers_agree(rule, close, e, 1));
  CHECK_FALSE(answers_agree(rule, far, e, 1));
  // Large outputs do not widen it (the old relative rule did).
  const float big_e[1] = {1e6f}, big_t[1] = {1e6f + 100};
  CHECK_FALSE(answers_agree(rule, big_t, big_e, 1));
  // Constant targets: the scale is their magnitude.
  CHECK(consistency_rule(c, targets({5, 5, 5})).tolerance == doctest::Approx(5e-3));
  CHECK(consistency_rule(c, targets({0, 0})).tolerance == doctest::Approx(1e-3));
  const float nan[1] = {std::nanf("")};
  CHECK_FALSE(answers_agree(rule, nan, e, 1));
}

TEST_CASE("the check fails a plugin when more than 1% of its timed samples disagree, naming one") {
  Challenge c;
  c.task = Task::regression;
  const ConsistencyRule rule = consistency_rule(c, targets({0, 1}));
  std::vector<float> evaluated(300);
  for (int i = 0; i < 300; ++i) evaluated[static_cast<std::size_t>(i)] = static_cast<float>(i);
  ConsistencyCheck check(rule, 300, 1);
  for (int64_t i = 0; i < 300; i += 2) {
    float answer = static_cast<float>(i);
    if (i < 4) answer += 1;  // two samples differ: 2 of 150, more than 1%
    check.record(i, &answer);
  }
  check.compare(evaluated.data());
  CHECK(check.checked() == 150);
  CHECK(check.mismatched() == 2);
  REQUIRE(check.failure());
  CHECK(check.failure()->find("timed calls answered 2 of 150 samples differently") == 0);
  CHECK(check.failure()->find("evaluation sample 0, element 0: timed 1, evaluation 0") != std::string::npos);

  ConsistencyCheck tolerant(rule, 300, 1);
  for (int64_t i = 0; i < 300; ++i) {
    float answer = static_cast<float>(i) + (i == 7 ? 1.0f : 0.0f);  // 1 of 300
    tolerant.record(i, &answer);
  }
  tolerant.compare(evaluated.data());
  CHECK(tolerant.mismatched() == 1);
  CHECK_FALSE(tolerant.failure());
}

TEST_CASE("labels (binary with one output, multilabel) compare as sigmoid probabilities and decisions") {
  Challenge c;
  c.task = Task::binary;
  c.outputs = {gauntlet::TensorSpec{"p", DType::f32, {-1, 1}, {}, {}}};
  const ConsistencyRule logits = consistency_rule(c, HostTensor{});
  CHECK(logits.kind == ConsistencyRule::Kind::label_scores);
  const float yes[1] = {3.0f}, no[1] = {-3.0f}, close[1] = {3.0001f};
  CHECK(answers_agree(logits, close, yes, 1));
  CHECK_FALSE(answers_agree(logits, no, yes, 1));
  // A softmax of one value is always 1: the old rule could not tell these apart.
  const float big[1] = {1e6f}, small[1] = {-1e6f};
  CHECK_FALSE(answers_agree(logits, big, small, 1));
  c.output_form = gauntlet::ScoreForm::probabilities;
  const ConsistencyRule probs = consistency_rule(c, HostTensor{});
  CHECK(probs.kind == ConsistencyRule::Kind::label_probabilities);
  const float p1[1] = {0.9f}, p2[1] = {0.9005f}, p3[1] = {0.4f};
  CHECK(answers_agree(probs, p2, p1, 1));
  CHECK_FALSE(answers_agree(probs, p3, p1, 1));
  // Two outputs for a binary task: two classes.
  c.output_form = gauntlet::ScoreForm::logits;
  c.outputs = {gauntlet::TensorSpec{"logits", DType::f32, {-1, 2}, {}, {}}};
  CHECK(consistency_rule(c, HostTensor{}).kind == ConsistencyRule::Kind::class_scores);
  c.task = Task::multilabel;
  c.outputs = {gauntlet::TensorSpec{"labels", DType::f32, {-1, 3}, {}, {}}};
  const ConsistencyRule multi = consistency_rule(c, HostTensor{});
  CHECK(multi.kind == ConsistencyRule::Kind::label_scores);
  const float a[3] = {2, -2, 0.5f}, b[3] = {2, 2, 0.5f};
  CHECK_FALSE(answers_agree(multi, a, b, 3));
  CHECK(answers_agree(multi, a, a, 3));
}

TEST_CASE("class probabilities are compared as they are") {
  Challenge c;
  c.task = Task::classification;
  c.output_form = gauntlet::ScoreForm::probabilities;
  const ConsistencyRule rule = consistency_rule(c, HostTensor{});
  CHECK(rule.kind == ConsistencyRule::Kind::class_probabilities);
  const float p[3] = {0.2f, 0.7f, 0.1f}, q[3] = {0.2004f, 0.6996f, 0.1f}, r[3] = {0.7f, 0.2f, 0.1f};
  CHECK(answers_agree(rule, q, p, 3));
  CHECK_FALSE(answers_agree(rule, r, p, 3));
}
