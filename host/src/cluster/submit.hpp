// `gauntlet run --backend slurm`: the submitting side. The jobs planned as for a local run are
// written into a manifest in the store and submitted as Slurm job arrays (one task per job;
// jobs whose tasks need the same resources share an array, cluster/sbatch.hpp); the submitter
// then follows them (squeue, and each record as it lands in the shared store), shows the
// progress as the local runner does, and judges again, in a new array, what is worth another
// attempt (judge.attempts). A task that ended without a result becomes a JUDGE_ERROR record.
// SIGINT/SIGTERM cancel the arrays (scancel); a rerun judges what is missing, after
// cancelling any array a killed submitter left behind.
#pragma once

#include "event/runner.hpp"
#include "sandbox/worker_policy.hpp"

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace gauntlet::cluster {

struct SlurmOptions {
  std::string partition, account;  // the event's judge.slurm values, unless given on the command line
  int max_running = 0;             // --max-array: tasks of one array running at once (0: Slurm decides)
  sandbox::Mode sandbox = sandbox::Mode::strict;
  bool rejudge = false;  // tasks replace stored records (which jobs: the plan, mark_for_rejudging)
  std::filesystem::path gauntlet;  // the judge the nodes run (this executable, on a shared path)
  double poll_seconds = 0.5;
  // How long a task that left the queue may take for its record to show on the shared
  // filesystem (NFS caches lookups) before it counts as ended without a result.
  double record_grace_seconds = 30;
  std::function<void()> tick;  // called at every poll (the progress display's redraw), may be empty
};

// What Slurm added, measured from the records (docs/cluster.md): medians over the tasks.
struct SlurmOverhead {
  int tasks = 0;
  double first_start = -1;  // the first array's submission -> its first task running
  double gap = -1;          // the previous task's record -> the next task running (a slot freed)
  double in_task = -1;      // a task's run besides the judging: node checks, data, record
  double seen = -1;         // a record written -> the submitter saw it
};

struct SlurmRun {
  event::RunSummary summary;
  bool interrupted = false;
  std::string error;                // could not submit: nothing is running
  std::vector<std::string> arrays;  // every array submitted, in order
  SlurmOverhead overhead;
};

// "" when Slurm's commands answer here, else why not (one line).
std::string slurm_unavailable();

// Arrays of earlier submissions to this store that are still queued or running although their
// submitter is gone (the caller holds the store lock): cancelled, and waited for until they
// left the queue, so that what they did not judge is judged now and nothing twice. Returns
// their ids; `error` says when Slurm could not be asked.
std::vector<std::string> cancel_orphaned_arrays(const event::EventConfig& config, std::ostream& log,
                                                std::string& error);

SlurmRun run_on_slurm(const event::EventConfig& config, const event::Plan& plan, const SlurmOptions& options,
                      event::RunObserver& observer, std::ostream& log);

}  // namespace gauntlet::cluster
