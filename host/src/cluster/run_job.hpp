// One Slurm array task: `gauntlet run-job <manifest> <index>` judges the manifest's entry
// <index> on this node, through the event runner (run_event: the local runner's code path,
// record written atomically into the shared store), after the node's own checks:
//   - `gauntlet doctor`'s: the machine probe and the sandbox self-test. A node that cannot
//     confine a strict judging gets a JUDGE_ERROR naming it and the missing mechanism (the
//     node's failure, never the team's: the bounded retry judges it again, perhaps elsewhere).
//   - what the node sees against what was planned: the event file, the challenge's rules and
//     data, the plugin's bytes (a JUDGE_ERROR when they differ: a filesystem not shared).
// The task judges once (its submitter queues a retry). SIGTERM (scancel) kills the job's
// worker, removes its cgroups and stores nothing.
#pragma once

#include <filesystem>
#include <ostream>

namespace gauntlet::cluster {

// The process exit code: 0 when the result is stored (or already was), 1 when it could not
// be, 2 for a manifest or index that is not valid here (nothing written).
int run_job(const std::filesystem::path& manifest_file, long index, std::ostream& log);

}  // namespace gauntlet::cluster
