#include "quality/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include "common/errors.hpp"

namespace gauntlet::quality {
namespace {

[[noreturn]] void bad(const std::string& message) { throw DataError("metrics: " + message); }

std::vector<double> as_doubles(const HostTensor& t) {
  std::vector<double> v(static_cast<std::size_t>(t.numel()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = t.value(i);
  return v;
}

// Integer targets only: a float label would hide a rounding question.
std::vector<int32_t> as_labels(const HostTensor& t, int64_t limit, const char* what) {
  if (t.dtype == DType::f32) bad(std::string(what) + " targets must be integers, got f32");
  const std::vector<double> v = as_doubles(t);
  std::vector<int32_t> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] < 0 || v[i] >= static_cast<double>(limit))
      bad("target " + std::to_string(static_cast<int64_t>(v[i])) + " at element " + std::to_string(i) +
          " is outside [0, " + std::to_string(limit) + ")");
    out[i] = static_cast<int32_t>(v[i]);
  }
  return out;
}

double sigmoid(double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }

void softmax_rows(const std::vector<double>& x, int64_t n, int64_t w, std::vector<double>& out) {
  out.resize(x.size());
  for (int64_t i = 0; i < n; ++i) {
    const double* r = x.data() + i * w;
    double* o = out.data() + i * w;
    const double m = *std::max_element(r, r + w);
    double sum = 0;
    for (int64_t j = 0; j < w; ++j) sum += (o[j] = std::exp(r[j] - m));
    for (int64_t j = 0; j < w; ++j) o[j] /= sum;
  }
}

}  // namespace

std::vector<double> Evaluation::column(const std::vector<double>& m, int64_t c) const {
  std::vector<double> out(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[i] = m[i * width + c];
  return out;
}

std::vector<int32_t> Evaluation::indicator(int64_t c) const {
  std::vector<int32_t> out(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    out[i] = task == Task::multilabel ? labels[i * width + c] : static_cast<int32_t>(labels[i] == c);
  return out;
}

Evaluation make_evaluation(Task task, ScoreForm form, const HostTensor& outputs, const HostTensor& targets) {
  Evaluation e;
  e.task = task;
  e.form = form;
  e.n = outputs.samples();
  e.width = outputs.sample_numel();
  if (e.n <= 0) bad("no samples to score");
  if (!outputs.raw() || !targets.raw()) bad("outputs or targets without memory");
  if (outputs.dtype != DType::f32) bad("outputs must be f32");
  if (targets.samples() != e.n)
    bad(std::to_string(e.n) + " outputs but " + std::to_string(targets.samples()) + " targets");
  e.scores = as_doubles(outputs);

  switch (task) {
    case Task::regression:
      if (targets.sample_numel() != e.width)
        bad("outputs have " + std::to_string(e.width) + " values per sample, targets " +
            std::to_string(targets.sample_numel()));
      e.values = as_doubles(targets);
      return e;
    case Task::classification:
      if (e.width < 2) bad("a classification output needs at least 2 scores per sample");
      if (targets.sample_numel() != 1) bad("classification targets must be one class index per sample");
      e.classes = e.width;
      e.labels = as_labels(targets, e.classes, "classification");
      if (form == ScoreForm::logits)
        softmax_rows(e.scores, e.n, e.width, e.probabilities);
      else
        e.probabilities = e.scores;
      e.predicted.resize(static_cast<std::size_t>(e.n));
      for (int64_t i = 0; i < e.n; ++i) {
        const double* r = e.scores.data() + i * e.width;
        const bool nan = std::any_of(r, r + e.width, [](double v) { return std::isnan(v); });
        e.predicted[i] = nan ? -1 : static_cast<int32_t>(std::max_element(r, r + e.width) - r);
      }
      return e;
    case Task::binary:
    case Task::multilabel:
      break;
  }
  if (task == Task::binary && e.width != 1) bad("a binary output must be one value per sample");
  if (task == Task::binary && targets.sample_numel() != 1) bad("binary targets must be one 0/1 per sample");
  if (task == Task::multilabel && targets.sample_numel() != e.width)
    bad("outputs have " + std::to_string(e.width) + " labels per sample, targets " +
        std::to_string(targets.sample_numel()));
  e.classes = task == Task::binary ? 2 : e.width;
  e.labels = as_labels(targets, 2, task == Task::binary ? "binary" : "multilabel");
  e.probabilities.resize(e.scores.size());
  e.predicted.resize(e.scores.size());
  for (std::size_t i = 0; i < e.scores.size(); ++i) {
    e.probabilities[i] = form == ScoreForm::logits ? sigmoid(e.scores[i]) : e.scores[i];
    e.predicted[i] = form == ScoreForm::logits ? e.scores[i] > 0 : e.scores[i] > 0.5;
  }
  return e;
}

}  // namespace gauntlet::quality
