// Host side: CPU time of a job without cgroups, from /proc. The worker runs in its own process
// group (kill_all relies on it too) and its plugin cannot leave it (setsid and setpgid are
// denied), so the group's tasks are the job's: the judge sums their scheduler run time.
#pragma once

#include <sys/types.h>

#include <optional>
#include <vector>

namespace gauntlet::sandbox {

// Seconds on a CPU of every live thread of every process in process group `pgid`, from each
// task's /proc/<pid>/task/<tid>/schedstat (nanoseconds, unlike the 10 ms ticks of /proc/<pid>/stat).
// Threads that already exited are not counted: meant for differences over short intervals
// (the judge's idle check), not for totals. nullopt when no process of the group is found.
[[nodiscard]] std::optional<double> process_group_cpu_seconds(pid_t pgid);

// The processes of process group `pgid` (a scan of /proc).
std::vector<pid_t> process_group_members(pid_t pgid);

// The parent of `pid` (/proc/<pid>/stat), when it still exists.
[[nodiscard]] std::optional<pid_t> parent_of(pid_t pid);

}  // namespace gauntlet::sandbox
