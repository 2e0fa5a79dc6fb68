// What `gauntlet run --backend slurm` asks Slurm for: one array task per job, sized from the
// challenge's limits, and the batch script each task runs. Pure functions of their inputs
// (tests/unit/test_cluster.cpp checks them), kept apart from running sbatch.
#pragma once

#include "challenge/challenge.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

namespace gauntlet::cluster {

// Memory for the judge itself on top of the plugin's limits.memory_mb: the challenge's data,
// preprocessed, and the judge's code (Fashion-MNIST's whole sets need about 600 MB).
inline constexpr int64_t kJudgeMemoryMb = 1024;
// Time on top of limits.total_seconds: the node's checks, loading and preprocessing the data,
// writing the record.
inline constexpr int kTaskHeadroomSeconds = 300;

// One array task's resources. Jobs with equal resources share an array.
struct TaskResources {
  int cpus = 2;            // --cpus-per-task: the plugin's limits.threads + the judge's own core
  int64_t memory_mb = 0;   // --mem: limits.memory_mb + kJudgeMemoryMb
  int minutes = 1;         // --time: limits.total_seconds + kTaskHeadroomSeconds, rounded up
  std::string constraint;  // --constraint (judge.slurm.constraint), may be empty
  bool operator==(const TaskResources&) const = default;
  // An order for grouping jobs into arrays (spelt out: clang-tidy 14 misreads a defaulted <=>).
  bool operator<(const TaskResources& o) const {
    return std::tie(cpus, memory_mb, minutes, constraint) <
           std::tie(o.cpus, o.memory_mb, o.minutes, o.constraint);
  }
};

// The Slurm job name of an event's arrays: gauntlet-<event name>.
inline std::string array_job_name(const std::string& event_name) { return "gauntlet-" + event_name; }

TaskResources task_resources(const Challenge& challenge, const std::string& constraint);

// "20:00", "1:05:00": sbatch's --time in [hours:]minutes:seconds.
std::string time_limit_text(int minutes);

struct ArrayRequest {
  TaskResources resources;
  std::string job_name;              // --job-name (gauntlet-<event>)
  std::string partition, account;    // may be empty
  int tasks = 1;                     // indices 0..tasks-1
  int first_job = 0;                 // manifest index of task 0
  int max_running = 0;               // --max-array: tasks of this array running at once (0: no limit)
  std::filesystem::path gauntlet;    // the judge on the nodes (the same build, shared path)
  std::filesystem::path manifest;    // the job manifest (shared path)
  std::filesystem::path log_folder;  // one log per task: <manifest stem>-<array>_<task>.out
};

// sbatch's arguments (without the program name, the script file last: `script_file`).
std::vector<std::string> sbatch_arguments(const ArrayRequest& q, const std::filesystem::path& script_file);

// The batch script: exec the judge on one manifest entry, the task's index plus first_job.
std::string batch_script(const ArrayRequest& q);

}  // namespace gauntlet::cluster
