// The job manifest of a Slurm submission: which jobs its array tasks judge, written into the
// store (atomically) before sbatch, read by each task's `gauntlet run-job <manifest> <index>`.
//
//   <store>/slurm/<UTC time>-<split>-r<round>.json   the manifest (+ its .sbatch scripts)
//   <store>/slurm/logs/<manifest>-<array>_<task>.out  each task's output
//
// An entry holds all a node needs to judge the job exactly as the submitting machine planned
// it: the challenge id, team, plugin path, the job's identity and key and its record's path.
// The node checks what it sees against it (event file, challenge rules and data, plugin bytes)
// before judging. `arrays` lists the Slurm jobs it was submitted as; `finished` is set once
// the submitter saw them end, so that a later run can tell an orphaned array (its submitter
// was killed) from a finished one.
#pragma once

#include "event/job_plan.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gauntlet::cluster {

struct ManifestJob {
  std::string challenge_id, team;
  std::filesystem::path plugin, record;
  std::string key;
  store::JobIdentity identity;
  bool force = false;  // --rejudge: judged even when its record is stored
};

struct SubmittedArray {
  std::string job_id;           // Slurm's array job id
  int first = 0, tasks = 0;     // manifest entries first .. first + tasks - 1
  int64_t submitted_at_ns = 0;  // system clock, after sbatch answered
};

struct Manifest {
  std::filesystem::path file;  // where it is stored
  std::filesystem::path event_file;
  std::string event_sha256;
  std::string split;
  std::string sandbox = "strict";
  std::vector<ManifestJob> jobs;
  std::vector<SubmittedArray> arrays;
  bool finished = false;
};

ManifestJob manifest_job(const event::EventConfig& config, const event::Job& job, bool force);

// The job a manifest entry describes (state and attempts looked up in the store now).
// Throws std::runtime_error for an entry whose key does not match its identity or whose
// challenge the event does not have.
event::Job job_of(const event::EventConfig& config, const ManifestJob& entry);

nlohmann::json to_json(const Manifest& m);
// Throws std::runtime_error naming what is wrong.
Manifest manifest_from_json(const nlohmann::json& j);

std::filesystem::path slurm_folder(const std::filesystem::path& store);
// Atomic and durable (write_file_atomic). Throws std::runtime_error.
void write_manifest(const Manifest& m);
// Throws std::runtime_error when it cannot be read or is not a manifest.
Manifest read_manifest(const std::filesystem::path& file);
// Every manifest of the store not marked finished, oldest first.
std::vector<Manifest> unfinished_manifests(const std::filesystem::path& store);

}  // namespace gauntlet::cluster
