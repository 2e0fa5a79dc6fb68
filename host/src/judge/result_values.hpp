// The values of the result variables a score formula may use (challenge.hpp lists their names:
// result_variables()), from what one judging measured.
#pragma once

#include "metrics/metrics.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::judge {

// Quality metrics by their variable names; per timed batch size B the latency percentiles,
// mean and throughput suffixed _b<B>; latency_ms (p50 at the first batch size), throughput
// (at the last) and train_seconds.
[[nodiscard]] std::map<std::string, double> result_variable_values(
    const std::vector<std::pair<std::string, double>>& quality, const std::vector<LatencySummary>& latency,
    double train_seconds);

}  // namespace gauntlet::judge
