// The real judge, driven by the benchmarks: challenges loaded from YAML and adjusted in memory,
// data prepared as `gauntlet judge` prepares it, judge_plugin() with the strict sandbox, and a
// bare WorkerClient session for figures the judge does not report per call.
#pragma once

#include "challenge/challenge.hpp"
#include "data/dataset.hpp"
#include "in_process.hpp"
#include "judge/judge.hpp"
#include "judge/output_slots.hpp"
#include "judge/presentation.hpp"
#include "judge/session_data.hpp"
#include "judge/worker_client.hpp"

#include <functional>
#include <memory>
#include <string>

namespace gauntlet::bench {

// challenges/fashion-mnist/challenge.yaml (or another file under the source tree).
Challenge load_challenge_file(const std::string& relative);

// Evaluation data as `gauntlet judge` prepares it (no training data). Every timed call needs
// fresh samples: a benchmark that times thousands of calls asks for the whole test split.
judge::SessionData prepare_data(const Challenge& challenge, int64_t eval_limit = -1,
                                SplitName split = SplitName::whole_test);

// judge_plugin() in the strict sandbox; throws when the verdict is not OK. `progress` gets the
// judge's phase lines.
judge::JudgeResult judge(const Challenge& challenge, const judge::SessionData& data,
                         const std::string& plugin,
                         const std::function<void(const std::string&)>& progress = {},
                         const std::string& asset_dir = {});

// One sandboxed worker serving infer() through the control page, set up step by step as the
// judge does (hello, create, regions, prepare, serve), without the judge's per-call checks.
class DirectWorker {
 public:
  DirectWorker(const Challenge& challenge, const judge::SessionData& data, const std::string& plugin,
               const ConfigList& config, std::chrono::nanoseconds host_spin, uint32_t worker_spin_us);
  ~DirectWorker();
  // Samples [first, first + batch) of the evaluation inputs, presented as the judge does
  // (written into the input regions inside the timed window).
  judge::WorkerClient::Answer infer(int64_t batch, int64_t first);

 private:
  const judge::SessionData& data_;
  std::unique_ptr<sandbox::JobSandbox> box_;
  std::unique_ptr<judge::WorkerClient> client_;
  std::unique_ptr<judge::Presentation> presentation_;
  std::unique_ptr<judge::OutputSlots> outputs_;
  uint64_t nonce_ = 1;
};

}  // namespace gauntlet::bench
