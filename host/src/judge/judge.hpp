// Judging one plugin on one challenge: the whole life of one worker, phase by phase, with the
// host timing every call and deciding the verdict. Never throws for anything the plugin does.
#pragma once

#include "challenge/challenge.hpp"
#include "judge/judge_result.hpp"
#include "judge/session_data.hpp"
#include "judge/worker_process.hpp"
#include "sandbox/worker_policy.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace gauntlet::judge {

struct JudgeOptions {
  std::filesystem::path plugin;
  uint64_t seed = 1;  // create()'s seed, for reproducible training; nothing the judge draws
  std::filesystem::path worker_executable = default_worker_executable();
  // Called with a short line at each phase ("training", "timing batch 64"...), may be empty.
  std::function<void(const std::string&)> progress;
  // CPUs of the job, empty: not pinned. When there are more than limits.threads of them, the
  // judge's thread takes the first for the judging and the worker the rest, so that the two
  // never share a core; else both use them all. The caller pins its own thread to them (the
  // event runner does) so that parallel jobs do not disturb each other's timing.
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

JudgeResult judge_plugin(const Challenge& challenge, const SessionData& data, const JudgeOptions& options);

}  // namespace gauntlet::judge
