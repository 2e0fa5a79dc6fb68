// Slurm's own commands, run as programs (sbatch, squeue, scancel, scontrol): no library to
// link, the same clients an organizer uses, and whatever SLURM_CONF the environment names.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::cluster {

struct ProgramOutput {
  int exit_code = -1;  // -1: could not run, or killed (`error` says why)
  std::string out, err;
  std::string error;
  bool ok() const { return exit_code == 0; }
  // The first line of what it said on stderr (else stdout, else `error`), for a message.
  std::string first_line() const;
};

// Runs `argv` (argv[0] looked up in PATH) with no shell, stdin from /dev/null, and returns its
// output; killed after `timeout_seconds`.
ProgramOutput run_program(const std::vector<std::string>& argv, double timeout_seconds = 60);

// Where one array task is, from squeue.
struct TaskState {
  std::string state;  // PENDING, RUNNING, COMPLETING, ...
  std::string name;   // the job's name (gauntlet-<event>)
  std::string node;   // empty while pending
};

// The array tasks of `array_ids` still known to squeue, by "<array>_<index>". Nothing when
// squeue failed (`error` says why): the caller must not take that for "all ended".
std::optional<std::map<std::string, TaskState>> queued_tasks(const std::vector<std::string>& array_ids,
                                                             std::string& error);

// Parses `squeue -h -r -o %i|%T|%j|%N` output (exposed for tests).
std::map<std::string, TaskState> parse_squeue(const std::string& text);

// scancel of every array (whole arrays, every task). Returns "" or what scancel said.
std::string cancel_arrays(const std::vector<std::string>& array_ids);

// The cluster's MaxArraySize (scontrol show config), 1001 (Slurm's default) when unknown.
int max_array_size();

}  // namespace gauntlet::cluster
