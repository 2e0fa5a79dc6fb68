// `gauntlet run --backend slurm` in the run command (run_command.cpp): the steps that differ
// from a local run, around cluster/submit.hpp.
#pragma once

#include "cluster/submit.hpp"
#include "event/job_plan.hpp"
#include "event/progress.hpp"

#include <optional>
#include <string>

namespace gauntlet::cli {

struct SlurmArgs {
  std::string partition, account;  // empty: the event's judge.slurm values
  int max_array = 0;
};

// Before anything is written: whether Slurm's commands answer here (false: the message printed).
[[nodiscard]] bool slurm_answers();

// Before anything is judged, with the store locked: arrays a killed earlier run left behind
// are cancelled (the plan is then made again: they may have stored results meanwhile).
// Whether the plan was made again (its --rejudge marks are then gone).
[[nodiscard]] bool prepare_slurm(const event::EventConfig& config, event::Plan& plan);

// The header line for the run ("each job one array task...").
std::string slurm_header(const event::EventConfig& config, const SlurmArgs& args);

// Submits and follows; prints the Slurm overhead line at the end. Nothing when submitting
// failed (the message printed).
std::optional<cluster::SlurmRun> run_slurm(const event::EventConfig& config, const event::Plan& plan,
                                           const SlurmArgs& args, sandbox::Mode mode, bool rejudge,
                                           event::ProgressDisplay& progress);

}  // namespace gauntlet::cli
