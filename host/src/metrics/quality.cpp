// The judge's entry to the metric registry: a challenge's metrics over one evaluation.
#include "metrics/metrics.hpp"

#include "common/errors.hpp"
#include "quality/metric_registry.hpp"

#include <cmath>
#include <stdexcept>

namespace gauntlet {

std::vector<std::pair<std::string, double>> compute_quality_metrics(const Challenge& challenge,
                                                                    const HostTensor& outputs,
                                                                    const HostTensor& targets) {
  const quality::Evaluation e =
      quality::make_evaluation(challenge.task, challenge.output_form, outputs, targets);
  if (challenge.task == Task::classification && e.width != challenge.num_classes)
    throw DataError("metrics: outputs have " + std::to_string(e.width) +
                    " scores per sample, the challenge has " + std::to_string(challenge.num_classes) +
                    " classes");
  std::vector<std::pair<std::string, double>> out;
  for (const MetricSpec& m : challenge.metrics) {
    const quality::MetricEntry* entry = quality::find_metric(m.kind);
    if (!entry || !entry->applies_to(challenge.task))
      throw DataError("metrics: metric " + m.kind + " does not apply to a " +
                      std::string(task_name(challenge.task)) + " task");
    quality::MetricParam param{m.k, m.option};
    if (param.option.empty() && entry->param == quality::ParamKind::choice)
      param.option = entry->options(challenge.task).front();
    const std::vector<double> values = entry->compute(e, param);
    std::vector<std::string> names = m.variables;
    if (names.empty()) names = entry->variables(m.kind, param, challenge.task, e.width);
    for (std::size_t i = 0; i < values.size() && i < names.size(); ++i) out.emplace_back(names[i], values[i]);
  }
  return out;
}

}  // namespace gauntlet
