#include "judge/result_values.hpp"

namespace gauntlet::judge {

std::map<std::string, double> result_variable_values(
    const std::vector<std::pair<std::string, double>>& quality, const std::vector<LatencySummary>& latency,
    double train_seconds) {
  std::map<std::string, double> vars(quality.begin(), quality.end());
  for (const LatencySummary& l : latency) {
    const std::string b = "_b" + std::to_string(l.batch_size);
    vars["latency_ms_p50" + b] = l.p50_ms;
    vars["latency_ms_p90" + b] = l.p90_ms;
    vars["latency_ms_p99" + b] = l.p99_ms;
    vars["latency_ms_mean" + b] = l.mean_ms;
    vars["throughput" + b] = l.throughput;
  }
  if (!latency.empty()) {
    vars["latency_ms"] = latency.front().p50_ms;
    vars["throughput"] = latency.back().throughput;
  }
  vars["train_seconds"] = train_seconds;
  return vars;
}

}  // namespace gauntlet::judge
