// The sandbox self-test of `gauntlet doctor`, also run by each Slurm task before it judges
// (docs/cluster.md): a real worker confines itself under the policy a job would get here and
// reports each step, exactly as when judging; it loads no plugin.
#pragma once

#include "sandbox/machine_probe.hpp"
#include "sandbox/worker_policy.hpp"

#include <string>

namespace gauntlet::judge {

struct SandboxSelfTest {
  bool ran = false;
  std::string failure;  // why the self-test could not run or failed
  double confined_ms = 0;
  sandbox::Report report;
  // Ran, did not fail, and (strict mode) every mechanism is active.
  bool ok(sandbox::Mode mode) const {
    return ran && failure.empty() && (mode != sandbox::Mode::strict || report.inactive().empty());
  }
};

SandboxSelfTest sandbox_self_test(const sandbox::MachineProbe& caps, sandbox::Mode mode);

}  // namespace gauntlet::judge
