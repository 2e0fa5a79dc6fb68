// The thread budget (limits.threads) as the kernel saw it. The task limit already leaves the
// plugin no thread beyond its budget (sandbox/policy.hpp, task_limit); these checks are the
// second line, over the kernel's CPU accounting of the whole job: per timed batch size, and
// over the worker's whole life (threads left busy between calls).
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace gauntlet::judge {

// A job may use up to `threads` cores for `wall_seconds`, plus this share and this slack: the
// kernel's accounting of a running thread lags by up to a scheduler tick, and the worker's own
// supervisor processes use a few milliseconds.
inline constexpr double kCpuTolerance = 1.05;
inline constexpr double kCpuSlackSeconds = 0.02;

// TIME_LIMIT's reason when `cpu_seconds` over `wall_seconds` exceeds the budget of `threads`,
// naming `what` was measured ("the timed calls with batch 64"), else nothing.
[[nodiscard]] std::optional<std::string> cpu_over_budget(double cpu_seconds, double wall_seconds, int threads,
                                                         const std::string& what);

// After the last call the plugin must fall idle. `demand` reads the job's CPU seconds so far
// (plus its run-queue wait), or nothing when it cannot. OpenMP runtimes spin a while after a
// parallel region (Intel's KMP_BLOCKTIME: 200 ms), so this samples `demand` in short intervals
// for up to 400 ms and accepts the first quiet one. Returns TIME_LIMIT's reason when none was.
[[nodiscard]] std::optional<std::string> wait_for_idle(const std::function<std::optional<double>()>& demand);

}  // namespace gauntlet::judge
