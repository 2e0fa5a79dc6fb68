// CPU pinning for parallel jobs: each job slot gets its own cores, so that jobs running side by
// side do not disturb each other's timing. The job's host thread pins itself to its slot (the
// judge's spin policy reads that affinity) and its worker is pinned to the same cores.
#pragma once

#include <string>
#include <vector>

namespace gauntlet::event {

// The CPUs this process may run on (its affinity mask), ascending.
std::vector<int> usable_cpus();

// One job per two usable cores (at least one): the judge's timing thread and a
// single-threaded plugin each get a core.
int default_jobs(std::size_t cpu_count);

// `jobs` disjoint sets of consecutive CPUs of equal size (leftovers unused). With more jobs
// than CPUs, slots share CPUs round-robin (timings are then disturbed; the caller says so).
std::vector<std::vector<int>> assign_cpus(const std::vector<int>& cpus, int jobs);

// Pins the calling thread. Returns false when the kernel refused.
[[nodiscard]] bool pin_current_thread(const std::vector<int>& cpus);

// "0,1", "0-3", "0,2,4", "3".
std::string cpu_list_text(const std::vector<int>& cpus);

}  // namespace gauntlet::event
