// What judging one plugin on one challenge produced: the result every layer above the judge
// (report, store, leaderboard, event) reads. Filled by judge_plugin() (judge.hpp).
#pragma once

#include "judge/verdict.hpp"
#include "judge/worker_client.hpp"
#include "metrics/metrics.hpp"
#include "sandbox/worker_policy.hpp"
#include "scoring/score.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::judge {

// Kernel accounting of the job, read by the host (never taken from the worker).
struct JobResources {
  std::optional<uint64_t> peak_memory_bytes;  // the job's cgroup; else ru_maxrss
  std::string peak_memory_source;             // e.g. "cgroup v1 memory.max_usage_in_bytes"
  uint64_t memory_limit_bytes = 0;            // limits.memory_mb
  uint64_t max_rss_bytes = 0;                 // wait4: largest resident set of a worker process
  uint64_t oom_kills = 0;                     // by the kernel, in the job's memory cgroup
  uint64_t threads_refused = 0;               // thread creations pids.max refused
  double cpu_seconds = 0;                     // user + system of every worker thread
  double wall_seconds = 0;                    // worker spawn to reap
  double spawn_to_ready_seconds = 0;          // spawn to hello (sandboxed, plugin loaded)
};

struct PhaseSeconds {
  double setup = 0;   // load + create + prepare (host wall clock)
  double train = 0;   // train() as measured by the host
  double eval = 0;    // the evaluation pass
  double timing = 0;  // the timed calls (warm-ups included)
  double total = 0;   // whole judging, wall clock
};

// How the calls of one timed batch size were measured, beyond their latencies.
struct BatchMeasurement {
  int64_t batch_size = 0;
  int64_t fresh_samples = 0;         // samples presented in this batch size's timed calls (each once)
  int64_t sample_budget = 0;         // how many it could have had (sample_schedule.hpp)
  int64_t disturbed_calls = 0;       // discarded and repeated (interference.hpp)
  double disturbed_wait_ms_max = 0;  // the longest run-queue wait of a discarded call
  double staging_p50_ms = 0;         // of each counted latency: the judge writing the inputs
  double cpu_seconds = 0;            // the job's CPU time over the timed calls (kernel)
  double wall_seconds = 0;           // their wall time
  bool reliable = true;
  std::string unreliable_reason;  // why not, one line
};

// Whether the latencies can be trusted, and what an auditor needs to check the run.
struct Measurement {
  bool reliable = true;
  std::string reason;          // the first unreliable batch size's reason
  std::string sample_key;      // the secret key of the sample draw and nonces, hex (after the fact)
  int64_t fresh_samples = 0;   // evaluation samples available for timing
  int64_t timed_samples = 0;   // of which presented in timed calls
  std::string warmup_samples;  // "training split" or "evaluation split (not timed afterwards)"
  uint64_t consistency_checked = 0, consistency_mismatched = 0;
  std::string consistency_rule;
  std::vector<BatchMeasurement> batches;  // one per timed batch size, in timing order
};

struct JudgeResult {
  // What was judged, under which rules.
  std::string challenge_id, challenge_title, challenge_sha256, challenge_file;
  std::string plugin_path, plugin_sha256;
  std::optional<PluginIdentity> plugin;
  std::string split;
  uint64_t seed = 0;
  int64_t eval_samples = 0, train_samples = 0;
  bool trained = false;

  // Outcome.
  Decision decision;
  std::vector<std::pair<std::string, double>> quality;  // metric variable -> value
  std::vector<LatencySummary> latency;                  // one per timed batch size (counted calls)
  Measurement measurement;
  PhaseSeconds seconds;
  std::map<std::string, double> variables;  // everything a formula may use
  std::optional<ScoreOutcome> score;        // set when the verdict is OK

  // What the worker said about itself: recorded, never scored.
  double self_reported_ratio = 0;  // sum of self-timed infer / host-timed infer (timed calls)
  std::vector<std::string> warnings;

  // The worker's output and how it ended.
  CapturedStream worker_stdout, worker_stderr;
  std::string worker_exit;

  // Which sandbox mechanisms were in force, and what the kernel counted.
  sandbox::Report sandbox;
  JobResources resources;

  std::string started_at, finished_at;  // ISO 8601, UTC
};

}  // namespace gauntlet::judge
