// Once the worker is gone: what the kernel saw of it, turned into evidence. A pure function
// of the exit status and the accounting, so that every case is a unit test
// (tests/unit/test_post_mortem.cpp); decide() then sorts out which verdict wins.
#pragma once

#include "judge/judge_result.hpp"
#include "judge/verdict.hpp"
#include "judge/worker_process.hpp"
#include "sandbox/cgroup.hpp"
#include "sandbox/worker_policy.hpp"

#include <optional>
#include <string>
#include <vector>

namespace gauntlet::judge {

struct PostMortemInput {
  ExitStatus exit;
  ResourceUsage usage;              // wait4 (cpu_seconds raised to the cgroup's, when larger)
  sandbox::JobCgroup::Stats stats;  // empty without cgroups
  sandbox::ResourceLimits limits;
  std::optional<int> violation;   // the system call the worker reported before dying of SIGSYS
  std::string died_during;        // the step the worker died in, if it did
  bool training_revoked = false;  // the training tensors had been truncated (sigbus tells why)
  bool timed_out = false;         // a wall-clock limit was already recorded
};

struct PostMortem {
  Evidence evidence;  // only the fields set here
  JobResources resources;
  std::vector<std::string> warnings;
};

PostMortem post_mortem(const PostMortemInput& in);

}  // namespace gauntlet::judge
