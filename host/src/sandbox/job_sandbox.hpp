// Host side: the sandbox of one job (one worker). Built from the mode, the job's limits and
// what this machine offers; refuses strict mode when a mechanism is missing; owns the job's
// cgroups and private working directory; writes the policy the worker applies; and merges the
// worker's report of what it applied with its own.
#pragma once

#include "common/errors.hpp"
#include "sandbox/cgroup.hpp"
#include "sandbox/machine_probe.hpp"
#include "sandbox/worker_policy.hpp"

#include <sys/types.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace gauntlet::sandbox {

// Strict mode on a machine that lacks a mechanism. what() is one line for a person.
class SandboxUnavailable : public EnvironmentError {
 public:
  explicit SandboxUnavailable(const std::string& what) : EnvironmentError(what) {}
};

struct JobSpec {
  Mode mode = Mode::strict;
  std::filesystem::path plugin;     // absolute; empty for a self-test that loads nothing
  std::filesystem::path asset_dir;  // absolute, or empty
  ResourceLimits limits;
  // No pid namespace (and no worker prepared ahead of time): the plugin process is the one
  // the judge spawns, which a debugger following the judge's children reaches.
  bool debuggable = false;
};

// The one-line refusal of strict mode (empty when strict mode is possible here).
[[nodiscard]] std::optional<std::string> strict_refusal(const MachineProbe& caps);

// The namespaces every job's worker gets on this machine (each one it offers).
NamespaceRequest job_namespaces(const MachineProbe& caps);

class JobSandbox {
 public:
  // Throws SandboxUnavailable, or std::runtime_error when setting up the job fails.
  JobSandbox(const JobSpec& spec, const MachineProbe& caps);
  ~JobSandbox();
  JobSandbox(const JobSandbox&) = delete;
  JobSandbox& operator=(const JobSandbox&) = delete;

  NamespaceRequest namespaces() const;
  const ResourceLimits& limits() const { return spec_.limits; }
  // Extra environment of the worker: TMPDIR and HOME at its private working directory.
  std::vector<std::string> environment() const;

  // Host steps around the spawn: create the job's cgroups and move the worker in (throws
  // naming the step), then send it this.
  void attach(pid_t worker_pid);
  // Or take over the cgroups of a worker spawned ahead of time (judge/worker_pool.hpp), whose
  // environment is the one this job needs (a mount namespace: its private /tmp).
  [[nodiscard]] bool can_adopt() const;
  void adopt(std::unique_ptr<JobCgroup> cgroup);
  nlohmann::json policy_message(pid_t worker_pid) const;
  // Everything of the job, whatever process group it is in.
  void kill_all();

  // The worker's own report (untrusted text, but sent before any plugin code ran).
  void merge_worker_report(const Report& worker);
  const Report& report() const { return report_; }

  [[nodiscard]] bool has_memory_cgroup() const { return cgroup_ && cgroup_->has_memory(); }
  // Kernel accounting of the job; read after the worker is gone.
  JobCgroup::Stats cgroup_stats() const;
  // The job's processes: its cgroup's, else those of the worker's process group.
  std::vector<pid_t> processes(pid_t worker_pid) const;
  // CPU seconds of the whole job so far, from its cgroup (nullopt where there is no v2 one).
  [[nodiscard]] std::optional<double> cpu_seconds() const {
    return cgroup_ ? cgroup_->cpu_seconds() : std::nullopt;
  }

 private:
  [[nodiscard]] static bool has_cgroups(const MachineProbe& caps);
  void note_cgroup();  // the host-side mechanisms in the report, from cgroup_

  JobSpec spec_;
  const MachineProbe& caps_;
  std::unique_ptr<JobCgroup> cgroup_;
  std::filesystem::path host_workdir_;  // only without a mount namespace
  Report report_;
};

}  // namespace gauntlet::sandbox
