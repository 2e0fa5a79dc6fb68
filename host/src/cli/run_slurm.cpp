#include "cli/run_slurm.hpp"

#include "common/errors.hpp"
#include "report/text_table.hpp"

#include <unistd.h>

#include <climits>
#include <iostream>

namespace gauntlet::cli {
namespace {

std::filesystem::path this_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path("gauntlet") : p;
}

std::string seconds_text(double s) { return s < 0 ? "-" : report::format_number(s, 2) + " s"; }

}  // namespace

bool slurm_answers() {
  if (const std::string why = cluster::slurm_unavailable(); !why.empty()) {
    std::cerr << "gauntlet run: --backend slurm: Slurm does not answer here (" << why
              << "); see docs/cluster.md\n";
    return false;
  }
  return true;
}

bool prepare_slurm(const event::EventConfig& config, event::Plan& plan) {
  std::string error;
  const auto orphans = cluster::cancel_orphaned_arrays(config, std::cerr, error);
  if (!error.empty())
    std::cerr << "[gauntlet] warning: could not look for arrays of an earlier run: " << error << "\n";
  if (orphans.empty()) return false;
  plan = event::plan_jobs(config, plan.split);
  return true;
}

std::string slurm_header(const event::EventConfig& config, const SlurmArgs& args) {
  const std::string partition = args.partition.empty() ? config.judge.slurm.partition : args.partition;
  std::string s =
      "Slurm: one array task per job, each with its challenge's threads + 1 CPUs (the judge's own core)";
  s += partition.empty() ? ", default partition" : ", partition " + partition;
  if (args.max_array > 0) s += ", at most " + std::to_string(args.max_array) + " tasks of an array at once";
  return s;
}

std::optional<cluster::SlurmRun> run_slurm(const event::EventConfig& config, const event::Plan& plan,
                                           const SlurmArgs& args, sandbox::Mode mode, bool rejudge,
                                           event::ProgressDisplay& progress) {
  cluster::SlurmOptions options;
  options.partition = args.partition.empty() ? config.judge.slurm.partition : args.partition;
  options.account = args.account.empty() ? config.judge.slurm.account : args.account;
  options.max_running = args.max_array;
  options.sandbox = mode;
  options.rejudge = rejudge;
  options.gauntlet = this_executable();
  // NFS may take this long to show a new file to another machine (docs/cluster.md).
  if (const char* grace = std::getenv("GAUNTLET_SLURM_RECORD_GRACE")) {
    try {
      options.record_grace_seconds = std::max(0.0, std::stod(grace));
    } catch (const std::exception&) {
      std::cerr << "[gauntlet] warning: GAUNTLET_SLURM_RECORD_GRACE is not a number of seconds: ignored\n";
    }
  }
  options.tick = [&progress] { progress.tick(); };
  cluster::SlurmRun run = cluster::run_on_slurm(config, plan, options, progress, std::cerr);
  progress.finish();
  if (!run.error.empty()) {
    std::cerr << "gauntlet run: " << run.error << "\n";
    return std::nullopt;
  }
  const cluster::SlurmOverhead& o = run.overhead;
  if (o.tasks > 0)
    std::cerr << "[gauntlet] Slurm overhead over " << o.tasks << " task" << (o.tasks == 1 ? "" : "s")
              << ": submission to first start " << seconds_text(o.first_start)
              << "; medians: a slot free to its next task running " << seconds_text(o.gap)
              << ", in a task besides judging (node checks, data, record) " << seconds_text(o.in_task)
              << ", record to seen here " << seconds_text(o.seen) << "\n";
  return run;
}

}  // namespace gauntlet::cli
