#include "challenge/challenge.hpp"

namespace gauntlet {

std::vector<std::string> result_variables(const Challenge& challenge) {
  std::vector<std::string> names;
  for (const MetricSpec& metric : challenge.metrics)
    names.insert(names.end(), metric.variables.begin(), metric.variables.end());
  for (const int64_t batch : challenge.timing.batch_sizes) {
    const std::string suffix = "_b" + std::to_string(batch);
    for (const char* stat :
         {"latency_ms_p50", "latency_ms_p90", "latency_ms_p99", "latency_ms_mean", "throughput"})
      names.push_back(stat + suffix);
  }
  names.push_back("latency_ms");
  names.push_back("throughput");
  names.push_back("train_seconds");
  return names;
}

}  // namespace gauntlet
