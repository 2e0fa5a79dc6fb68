// Host side: what this machine offers the sandbox. Probed once per process (cheap: a couple
// of milliseconds, most of it one short-lived gauntlet-worker that tries each namespace), then
// used to build every job's policy and printed by `gauntlet doctor`.
#pragma once

#include "sandbox/cgroup.hpp"
#include "sandbox/worker_policy.hpp"

#include <filesystem>
#include <string>

namespace gauntlet::sandbox {

struct MachineProbe {
  bool root = false;  // effective uid 0 (namespaces then need no user namespace)
  // Namespaces: "" when unshare(2) of it worked in a probe process, else why not.
  std::string user_ns, mount_ns, net_ns, ipc_ns, pid_ns, uts_ns;
  int landlock_abi = 0;
  std::string seccomp;              // "" when seccomp filters with SECCOMP_RET_TRAP work, else why not
  bool seccomp_user_notif = false;  // SECCOMP_RET_USER_NOTIF too (Linux >= 5.0)
  CgroupSupport cgroups;

  [[nodiscard]] bool has_user_ns() const { return user_ns.empty(); }
  // A namespace other than the user one is usable with a user namespace, or as root.
  [[nodiscard]] bool can(const std::string& probe) const { return probe.empty() && (has_user_ns() || root); }
};

// Runs `worker --probe-namespaces` for the namespace part. Never throws: a failed probe
// reads as "missing" with its reason.
MachineProbe probe_machine(const std::filesystem::path& worker_executable);

// The same, computed on first use and then shared by every job of this process.
const MachineProbe& cached_machine_probe(const std::filesystem::path& worker_executable);

// For a plugin under a debugger that follows the judge's first child (gdb's follow-fork-mode
// child): the same probes but the namespace one, which would spawn a process the debugger
// would follow instead of the worker. Namespaces are assumed available; a worker that cannot
// enter them reports so (relaxed mode).
const MachineProbe& machine_probe_without_spawning();

// What each mechanism would be for a job on this machine, before any job runs: "active"
// where the machine offers it. Used by the strict-mode check and by `gauntlet doctor`.
Report expected_report(const MachineProbe& caps, Mode mode);

}  // namespace gauntlet::sandbox
