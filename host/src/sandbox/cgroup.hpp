// Host side: one control group per job, created before the worker starts and removed after
// it is gone. The host moves the worker in (the worker waits for its policy message, which is
// sent only afterwards), so every process and thread of the job is accounted from the start.
//
// Both hierarchies are supported, because machines differ (isolate took years to move to v2;
// hybrid hosts are common, where v2 lacks a controller that v1 still holds, e.g. memory):
//   memory  cgroup v2 memory.max (where delegated), else v1 memory.limit_in_bytes.
//           Peak from memory.peak (v2, Linux >= 5.19) or memory.max_usage_in_bytes (v1);
//           OOM kills from memory.events / memory.oom_control.
//   pids    pids.max (v2 or v1): caps processes + threads.
//   kill    cgroup.kill (v2, Linux >= 5.14), else SIGKILL to every pid in cgroup.procs.
//   cpuset  when the job has CPUs of its own (the event runner pins parallel jobs): the
//           kernel then keeps every thread on them, whatever sched_setaffinity() asks.
#pragma once

#include "sandbox/worker_policy.hpp"

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::sandbox {

// Where this process may create job cgroups, per controller. Empty: not available, and
// why_* says why.
struct CgroupSupport {
  std::string memory_parent;  // folder to create job cgroups in
  int memory_version = 0;     // 1 or 2
  std::string pids_parent;
  int pids_version = 0;
  std::string kill_parent;  // a v2 folder with cgroup.kill
  std::string cpuset_parent;
  int cpuset_version = 0;
  std::string why_no_memory, why_no_pids, why_no_kill;
};

// Reads /proc/self/cgroup and /proc/self/mountinfo and tries to create (and remove) a probe
// cgroup in each candidate folder.
CgroupSupport probe_cgroups();

class JobCgroup {
 public:
  // Creates the job's folders under what `support` offers and sets the limits. Throws
  // std::runtime_error naming the step (e.g. "cgroup: write memory.limit_in_bytes: ...").
  JobCgroup(const CgroupSupport& support, const ResourceLimits& limits);
  ~JobCgroup();  // kills what is left and removes the folders
  JobCgroup(const JobCgroup&) = delete;
  JobCgroup& operator=(const JobCgroup&) = delete;

  // Sets (or changes) the memory and task limits. Throws naming the step.
  void set_limits(const ResourceLimits& limits);

  [[nodiscard]] bool has_memory() const { return !memory_.empty(); }
  [[nodiscard]] bool has_cpuset() const { return !cpuset_.empty(); }
  [[nodiscard]] bool has_pids() const { return !pids_.empty(); }
  [[nodiscard]] bool has_kill() const { return !kill_.empty() || has_memory() || has_pids(); }
  std::string memory_detail() const;
  std::string pids_detail() const;
  std::string kill_detail() const;

  // Moves `pid` (and so all it will start) into every folder. Throws naming the step.
  void attach(pid_t pid);
  // SIGKILL to everything in the job, whatever its process group.
  void kill_all();
  // The job's processes (cgroup.procs of its first folder).
  std::vector<pid_t> processes() const;

  struct Stats {
    std::optional<uint64_t> peak_bytes;  // kernel accounting of the whole job
    std::string peak_source;             // e.g. "cgroup v1 memory.max_usage_in_bytes"
    uint64_t oom_kills = 0;              // processes the kernel's OOM killer killed in the job
    uint64_t memory_failcnt = 0;         // times the limit was hit (v1) / memory.events max (v2)
    uint64_t pids_refused = 0;           // thread/process creations refused by pids.max
  };
  Stats stats() const;

  // CPU time of everything in the job so far (cgroup v2 cpu.stat, present in every v2 cgroup
  // even without the cpu controller); nullopt without a v2 job folder.
  [[nodiscard]] std::optional<double> cpu_seconds() const;

 private:
  std::vector<std::string> folders() const;  // distinct job folders

  std::string memory_, pids_, kill_, cpuset_;  // job folders (empty when not used)
  int memory_version_ = 0, pids_version_ = 0, cpuset_version_ = 0;
  uint64_t memory_limit_ = 0;
  int task_limit_ = 0;
  int limits_threads_ = 0;
  std::string cpus_;  // the cpuset's list, when set
};

}  // namespace gauntlet::sandbox
