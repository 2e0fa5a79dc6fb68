#include "judge/consistency.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gauntlet::judge {
namespace {

constexpr double kProbabilityTolerance = 1e-3;
constexpr double kRelativeToTargets = 1e-3;

// Softmax of a row, in double (stable: shifted by the row's maximum).
void softmax(const float* row, std::size_t n, std::vector<double>& out) {
  out.resize(n);
  double top = -INFINITY;
  for (std::size_t i = 0; i < n; ++i) top = std::max(top, static_cast<double>(row[i]));
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += out[i] = std::exp(static_cast<double>(row[i]) - top);
  for (double& p : out) p /= sum;
}

std::size_t argmax(const std::vector<double>& p) {
  return static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Class probabilities: close, and the same class unless the evaluation hesitated.
bool classes_agree(const std::vector<double>& p, const std::vector<double>& q, double tolerance) {
  for (std::size_t e = 0; e < p.size(); ++e)
    if (!(std::abs(p[e] - q[e]) <= tolerance)) return false;
  const std::size_t a = argmax(p), b = argmax(q);
  return a == b || std::abs(q[b] - q[a]) <= tolerance;
}

// Label probabilities: each close, and on the same side of 0.5 unless the evaluation was at it.
bool labels_agree(const std::vector<double>& p, const std::vector<double>& q, double tolerance) {
  for (std::size_t e = 0; e < p.size(); ++e) {
    if (!(std::abs(p[e] - q[e]) <= tolerance)) return false;
    if ((p[e] >= 0.5) != (q[e] >= 0.5) && std::abs(q[e] - 0.5) > tolerance) return false;
  }
  return true;
}

}  // namespace

std::string ConsistencyRule::describe() const {
  const char* what = "values within %g (absolute)";
  switch (kind) {
    case Kind::class_scores:
      what = "same class, softmax probabilities within %g";
      break;
    case Kind::class_probabilities:
      what = "same class, probabilities within %g";
      break;
    case Kind::label_scores:
      what = "same decisions, sigmoid probabilities within %g";
      break;
    case Kind::label_probabilities:
      what = "same decisions, probabilities within %g";
      break;
    case Kind::values:
      break;
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, what, tolerance);
  return buf;
}

ConsistencyRule consistency_rule(const Challenge& challenge, const HostTensor& targets) {
  ConsistencyRule rule;
  if (challenge.task != Task::regression) {
    const bool probabilities = challenge.output_form == ScoreForm::probabilities;
    // A binary task with two outputs per sample is a two-class classification.
    const bool labels = challenge.task == Task::multilabel ||
                        (challenge.task == Task::binary && challenge.outputs.front().shape.back() == 1);
    using Kind = ConsistencyRule::Kind;
    rule.kind = labels ? (probabilities ? Kind::label_probabilities : Kind::label_scores)
                       : (probabilities ? Kind::class_probabilities : Kind::class_scores);
    rule.tolerance = kProbabilityTolerance;
    return rule;
  }
  rule.kind = ConsistencyRule::Kind::values;
  // The scale of what is predicted, from the judge's own data.
  double sum = 0, sum_sq = 0;
  int64_t n = 0;
  if (targets.dtype == DType::f32) {
    const float* t = targets.as<float>();
    for (int64_t i = 0; i < targets.numel(); ++i, ++n) {
      sum += t[i];
      sum_sq += static_cast<double>(t[i]) * t[i];
    }
  }
  const double mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
  const double var = n > 1 ? std::max(0.0, sum_sq / static_cast<double>(n) - mean * mean) : 0.0;
  const double scale = var > 0 ? std::sqrt(var) : std::max(1.0, std::abs(mean));
  rule.tolerance = kRelativeToTargets * scale;
  return rule;
}

bool answers_agree(const ConsistencyRule& rule, const float* timed, const float* evaluated,
                   std::size_t per_sample) {
  using Kind = ConsistencyRule::Kind;
  if (rule.kind == Kind::values) {
    for (std::size_t e = 0; e < per_sample; ++e)
      if (!(std::abs(static_cast<double>(timed[e]) - evaluated[e]) <= rule.tolerance)) return false;
    return true;
  }
  thread_local std::vector<double> p, q;
  p.assign(timed, timed + per_sample);
  q.assign(evaluated, evaluated + per_sample);
  switch (rule.kind) {
    case Kind::class_scores:
      softmax(timed, per_sample, p);
      softmax(evaluated, per_sample, q);
      return classes_agree(p, q, rule.tolerance);
    case Kind::class_probabilities:
      return classes_agree(p, q, rule.tolerance);
    case Kind::label_scores:
      for (std::size_t e = 0; e < per_sample; ++e) {
        p[e] = sigmoid(p[e]);
        q[e] = sigmoid(q[e]);
      }
      return labels_agree(p, q, rule.tolerance);
    case Kind::label_probabilities:
      return labels_agree(p, q, rule.tolerance);
    case Kind::values:
      break;
  }
  return true;
}

ConsistencyCheck::ConsistencyCheck(ConsistencyRule rule, int64_t samples, std::size_t per_sample)
    : rule_(rule),
      per_sample_(per_sample),
      timed_(static_cast<std::size_t>(samples) * per_sample),
      recorded_(static_cast<std::size_t>(samples), 0) {}

void ConsistencyCheck::record(int64_t sample, const float* answer) {
  std::copy_n(answer, per_sample_, timed_.data() + static_cast<std::size_t>(sample) * per_sample_);
  recorded_[static_cast<std::size_t>(sample)] = 1;
}

void ConsistencyCheck::compare(const float* evaluated) {
  for (std::size_t s = 0; s < recorded_.size(); ++s) {
    if (!recorded_[s]) continue;
    ++checked_;
    const float* t = timed_.data() + s * per_sample_;
    const float* e = evaluated + s * per_sample_;
    if (answers_agree(rule_, t, e, per_sample_)) continue;
    if (mismatched_++ == 0) {
      std::size_t worst = 0;
      for (std::size_t i = 1; i < per_sample_; ++i)
        if (std::abs(static_cast<double>(t[i]) - e[i]) > std::abs(static_cast<double>(t[worst]) - e[worst]))
          worst = i;
      char buf[200];
      std::snprintf(buf, sizeof buf, "e.g. evaluation sample %zu, element %zu: timed %.6g, evaluation %.6g",
                    s, worst, static_cast<double>(t[worst]), static_cast<double>(e[worst]));
      example_ = buf;
    }
  }
}

std::optional<std::string> ConsistencyCheck::failure() const {
  if (mismatched_ * 100 <= checked_) return std::nullopt;
  return "timed calls answered " + std::to_string(mismatched_) + " of " + std::to_string(checked_) +
         " samples differently from the evaluation pass (" + example_ + "; rule: " + rule_.describe() +
         "): outputs must not depend on timing or on earlier calls";
}

}  // namespace gauntlet::judge
