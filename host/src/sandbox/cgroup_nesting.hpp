// Host side: the judge's own place in the cgroup tree when it runs inside someone else's
// cgroup (a Slurm step's, a delegated systemd scope), and leaving that place clean.
//
// Job cgroups are created as children of the cgroup the judge runs in, so they nest inside
// whatever confines the judge (a Slurm task's memory and CPUs bound the job too). cgroup v1
// lets a cgroup hold processes and children at once. cgroup v2 does not let a cgroup that holds
// processes enable controllers for its children (the "no internal processes" rule: EBUSY):
// the judge then moves itself into a leaf of its own, <dir>/gauntlet-<pid>-judge, enables the
// controllers on <dir>, and moves back and removes the leaf when it ends (at exit, or on
// cancellation), so that no empty folder is left for the step's cleanup to trip on.
#pragma once

#include "sandbox/cgroup.hpp"

#include <string>
#include <vector>

namespace gauntlet::sandbox {

// Enables `controllers` (e.g. {"memory", "pids"}) in <dir>/cgroup.subtree_control (cgroup v2),
// moving this process into its leaf first when the kernel refuses because <dir> holds it.
// Returns "" on success, else why not (one line). A controller <dir> does not offer is not
// attempted (the caller reads cgroup.subtree_control afterwards).
std::string enable_for_children(const std::string& dir, const std::vector<std::string>& controllers);

// The leaf this process moved into ("" when it did not).
std::string judge_leaf();

// Undoes enable_for_children's move: disables the controllers it enabled, moves this process
// back into <dir> and removes the leaf. Best effort, idempotent; registered with atexit.
void release_judge_leaf();

// Kills every process of this process's job cgroups (gauntlet-<pid>-<n> in the folders
// `support` names) and removes the folders, waiting up to about a second for the kernel to
// empty them. Returns how many folders could not be removed. For a judge being cancelled
// (SIGTERM from scancel): nothing of its jobs outlives it.
int remove_own_job_cgroups(const CgroupSupport& support);

}  // namespace gauntlet::sandbox
