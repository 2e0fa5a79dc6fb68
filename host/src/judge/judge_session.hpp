// Judging one plugin on one challenge: the whole life of one worker, phase by phase, with the
// host timing every call and deciding the verdict. Never throws for anything the plugin does.
#pragma once

#include "challenge/challenge.hpp"
#include "judge/session_data.hpp"
#include "judge/verdict.hpp"
#include "judge/worker_client.hpp"
#include "metrics/metrics.hpp"
#include "sandbox/policy.hpp"
#include "scoring/score.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::judge {

struct JudgeOptions {
  std::filesystem::path plugin;
  uint64_t seed = 1;
  std::filesystem::path worker_executable = default_worker_executable();
  // Called with a short line at each phase ("training", "timing batch 64"...), may be empty.
  std::function<void(const std::string&)> progress;
  // CPUs the worker is pinned to (gauntlet-worker --cpus), empty: not pinned. The caller pins
  // its own thread to the same CPUs (the event runner does) so that parallel jobs do not
  // disturb each other's timing.
  std::vector<int> cpus;
  // The worker's sandbox (sandbox/job_sandbox.hpp). strict: on a machine that lacks a
  // mechanism the plugin is not run (JUDGE_ERROR, saying which); relaxed: run with what there
  // is and record the rest in JudgeResult::sandbox.
  sandbox::Mode sandbox = sandbox::Mode::strict;
  // The plugin's own read-only files (create()'s asset_dir), or empty. The only folder, with
  // its private /tmp, that a loaded plugin can open anything in.
  std::filesystem::path asset_dir;
  // For a plugin under gdb (`gauntlet judge --debug`): no pid namespace, so that gdb, which
  // follows the judge's child, lands in the plugin process (recorded as missing).
  bool debuggable = false;
  // Have the next job's worker prepared in the background (judge/worker_pool.hpp); false when
  // no job follows (the last plugin of `gauntlet judge`): no spawn for nobody, which would also
  // compete with this job for the CPU.
  bool prepare_next_worker = true;
};

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
  double eval = 0;    // accuracy pass
  double timing = 0;  // timed passes
  double total = 0;   // whole judging, wall clock
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
  std::vector<LatencySummary> latency;                  // one per timed batch size
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

JudgeResult judge_plugin(const Challenge& challenge, const SessionData& data, const JudgeOptions& options);

// ISO 8601 UTC timestamp of now, e.g. 2026-11-29T14:22:33Z.
std::string utc_timestamp();

}  // namespace gauntlet::judge
