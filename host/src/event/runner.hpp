// Runs an event's jobs: N at a time, each in a thread of the host pinned to its own cores,
// each judging one plugin in its own sandboxed worker (judge_plugin). A challenge's data is
// prepared once per run and shared read-only by all of its jobs. Every finished job is
// stored at once (atomically, durably), whatever its verdict, so that a run killed at any
// moment loses only the jobs in flight, and no job ever stops the event.
#pragma once

#include "event/job_plan.hpp"
#include "judge/judge.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::event {

struct RunSettings {
  std::vector<std::vector<int>> slots;  // one entry per parallel job: the CPUs it is pinned to
  bool rejudge = false;                 // judge stored jobs again (their records are replaced)
  // Last say over each job's options (e.g. the sandbox mode); may be empty.
  std::function<void(judge::JudgeOptions&)> configure;
  // A job worth another attempt is judged again at the end of this run. false: once (a Slurm
  // task; its submitter queues the retry, perhaps onto another node).
  bool retry_in_run = true;
  // Last look at each record before it is stored (it may add to it), may be empty. false: not
  // stored (a Slurm task being cancelled: its worker was killed by the cancellation).
  std::function<bool(const Job&, nlohmann::json& record)> keep_record;
};

struct JobOutcome {
  std::string verdict;  // OK, PLUGIN_ERROR, ...
  std::string reason;
  bool qualified = false;
  std::optional<double> score;      // when qualified
  double seconds = 0;               // wall clock of the job
  std::string store_error;          // the record could not be written (the job will run again)
  bool latency_unreliable = false;  // OK, but the judge could not measure its latencies cleanly
  int attempt = 1;                  // which judging of this job key this was
  int max_attempts = 3;             // the event's judge.attempts
  bool again = false;               // worth another attempt: queued again at the end of this run
};

// Called from the job threads, one call at a time (the runner serializes them).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void job_started(const Job&, std::size_t /*slot*/) {}
  // Started elsewhere (a Slurm task): `where` says where, e.g. "on node n17, Slurm task 41_3".
  virtual void job_started_at(const Job& job, const std::string& /*where*/) { job_started(job, 0); }
  virtual void job_phase(const Job&, const std::string& /*line*/) {}
  virtual void job_finished(const Job&, const JobOutcome&) {}
};

struct RunSummary {
  int total = 0;         // jobs in the plan
  int skipped = 0;       // already stored
  int judged = 0;        // judged in this run
  int judge_errors = 0;  // of which ended as JUDGE_ERROR after their last attempt
  int unreliable = 0;    // of which OK with latencies flagged unreliable after their last attempt
  int retried = 0;       // judgings repeated within this run (store::kMaxAttempts bounds them)
  int store_errors = 0;  // records that could not be written
  double seconds = 0;
};

// A JUDGE_ERROR with `why` for a job whose plugin never ran (its data could not be prepared,
// its node refused it, its Slurm task ended without a result).
judge::JudgeResult failed_before_judging(const Challenge& challenge, const Job& job, const std::string& why);

// The jobs to judge in this run: those without a stored result (or all with rejudge).
std::vector<const Job*> jobs_to_run(const Plan& plan, bool rejudge);

RunSummary run_event(const EventConfig& config, const Plan& plan, const RunSettings& settings,
                     RunObserver& observer);

}  // namespace gauntlet::event
