// The timing of one batch size (README, How the judge times): warm-up calls, then timed calls
// on fresh samples until enough undisturbed ones are counted.
//
// - Warm-ups are untimed and may take the per-call limit like any call. They present training
//   samples when the challenge has a training split (the plugin may have seen those anyway),
//   else fresh evaluation samples, which are then not timed.
// - Each timed call presents `batch` samples never shown before (sample_schedule.hpp). A call
//   whose threads waited on a run queue (interference.hpp) is disturbed: not counted, and
//   repeated on new samples, up to twice as many as there are counted calls (at least
//   2 x min_batches). Its answers still count for the consistency check.
// - The batch size is unreliable when fewer than min_batches calls could be counted (fresh
//   samples ran out, or the machine kept disturbing them), or when more than a quarter of its
//   calls were disturbed: the latencies are then still recorded, flagged, never silently.
// - Over the timed calls, the job's CPU time (kernel accounting) must fit limits.threads.
#pragma once

#include "challenge/challenge.hpp"
#include "common/host_tensor.hpp"
#include "judge/call_site.hpp"
#include "judge/consistency.hpp"
#include "judge/judge_result.hpp"
#include "judge/sample_schedule.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::judge {

// More than this share of disturbed calls makes a batch size unreliable even when enough
// calls were counted: the machine was too busy for the counted ones to be trusted.
inline constexpr double kMaxDisturbedShare = 0.25;

struct TimedPhaseSpec {
  int64_t batch = 0;
  int64_t budget = 0;  // fresh samples this batch size may use
  const Challenge* challenge = nullptr;
  Clock::time_point total_deadline;
  const std::vector<HostTensor>* warmup_inputs = nullptr;  // training inputs, or null
  const std::vector<HostTensor>* eval_inputs = nullptr;
  std::function<std::optional<double>()> job_cpu_seconds;  // kernel accounting of the job
  std::function<void()> watch_job_threads;                 // (re)reads the job's threads
  uint64_t disturbance_floor_ns = kDisturbanceFloorNs;     // kSharedCoreFloorNs on a shared core
};

// A call that did not come back as it should: what the session turns into evidence.
struct CallFailure {
  CallReport report;
  std::string call;  // "timed infer() with batch 64"
  Clock::time_point deadline;
  bool first_of_batch = false;
};

struct TimedPhaseResult {
  LatencySummary latency;  // counted calls
  BatchMeasurement measurement;
  uint64_t self_reported_ns = 0, host_ns = 0;  // counted calls: the worker's claim against ours
  std::optional<CallFailure> failure;
  std::optional<std::string> cpu_excess;  // TIME_LIMIT's reason
};

// Reliability of a batch size from its counts (pure: unit-tested).
[[nodiscard]] std::optional<std::string> unreliable_reason(int64_t counted, int64_t disturbed,
                                                           int64_t min_batches, bool samples_ran_out,
                                                           int64_t budget);

// `consistency`: where the answers are recorded for the check after the evaluation pass
// (null when the output cannot be compared).
TimedPhaseResult run_timed_phase(CallSite& site, SampleSchedule& schedule, ConsistencyCheck* consistency,
                                 const TimedPhaseSpec& spec);

}  // namespace gauntlet::judge
