#include "judge/cpu_budget.hpp"

#include <cstdio>

namespace gauntlet::judge {

std::optional<std::string> cpu_over_budget(double cpu_seconds, double wall_seconds, int threads,
                                           const std::string& what) {
  if (cpu_seconds <= threads * wall_seconds * kCpuTolerance + kCpuSlackSeconds) return std::nullopt;
  char buf[320];
  std::snprintf(
      buf, sizeof buf,
      "%s used %.3f s of CPU time in %.3f s of wall time: %.2f cores, more than limits.threads = %d "
      "allows (threads must be idle between calls, and no more than the budget within them)",
      what.c_str(), cpu_seconds, wall_seconds, wall_seconds > 0 ? cpu_seconds / wall_seconds : 0.0, threads);
  return std::string(buf);
}

}  // namespace gauntlet::judge
