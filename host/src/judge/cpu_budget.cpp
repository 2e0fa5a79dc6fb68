#include "judge/cpu_budget.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace gauntlet::judge {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kIdleInterval = std::chrono::milliseconds(25);
constexpr auto kIdleGrace = std::chrono::milliseconds(400);
constexpr double kIdleCpuShare = 0.2;  // of one core

}  // namespace

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

std::optional<std::string> wait_for_idle(const std::function<std::optional<double>()>& demand) {
  std::optional<double> before = demand();
  if (!before) return std::nullopt;
  const auto give_up = Clock::now() + kIdleGrace;
  double share = 0;
  for (auto t0 = Clock::now();;) {
    std::this_thread::sleep_for(kIdleInterval);
    const std::optional<double> now = demand();
    const auto t1 = Clock::now();
    if (!now) return std::nullopt;
    share = (*now - *before) / std::chrono::duration<double>(t1 - t0).count();
    if (share < kIdleCpuShare) return std::nullopt;
    if (t1 >= give_up) break;
    before = now;
    t0 = t1;
  }
  char buf[240];
  std::snprintf(
      buf, sizeof buf,
      "plugin threads kept running after the last call returned (%.0f%% of a core, still after %lld ms): "
      "threads must be idle between calls",
      100 * share, static_cast<long long>(kIdleGrace.count()));
  return std::string(buf);
}

}  // namespace gauntlet::judge
