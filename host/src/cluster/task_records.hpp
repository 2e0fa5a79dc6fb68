// Records of Slurm tasks, read by the submitter: which task wrote a record, what it says for
// the progress display, and when the task started and wrote it. A job whose task did not judge
// it (refused by its node, or ended without a result: cancelled, out of time or memory, its
// node lost) gets a JUDGE_ERROR record (event::failed_before_judging) that counts as an
// attempt, so that the bounded retry (judge.attempts) also bounds a job that keeps killing its
// task.
#pragma once

#include "event/runner.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace gauntlet::cluster {

// Whether the record was written by the task judging entry `index` of `manifest`.
bool written_by(const nlohmann::json& record, const std::filesystem::path& manifest, long index);

// What the progress display shows for a stored record (JobOutcome, as the local runner's).
event::JobOutcome outcome_of(const nlohmann::json& record, int max_attempts);

// The record's "slurm" section figures (0 when absent): the task's start, and the record's
// writing, system clock in ns.
int64_t task_started_ns(const nlohmann::json& record);
int64_t recorded_ns(const nlohmann::json& record);

}  // namespace gauntlet::cluster
