// The service's judging loop: one thread that takes the ledger's queue in batches (the public
// queue first, teams in turn, then the finals on the private split) and judges each batch with
// the event runner (event::run_event: the same sandbox, pinning, store records and bounded
// re-judging as `gauntlet run`), marking each submission judged as its record is stored.
#pragma once

#include "event/runner.hpp"
#include "service/core.hpp"

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace gauntlet::service {

class Judging {
 public:
  // `settings`: the runner's slots and options (its `rejudge` is set per batch). `log` gets one
  // line per event worth a line in the server's log.
  Judging(Core& core, event::RunSettings settings, std::function<void(const std::string&)> log);
  ~Judging();
  Judging(const Judging&) = delete;
  Judging& operator=(const Judging&) = delete;

  void start();
  // Asks the loop to stop after the batch under way; returns at once.
  void request_stop();
  // Waits for the loop to end, at most `seconds`; whether it did.
  bool join(double seconds);
  // Something was queued.
  void wake();

 private:
  void loop();
  void judge_batch(std::vector<Ledger::Queued> batch);
  // A submission of a batch whose judging never ended (the runner threw, or a job failed
  // outside the judge): requeued, at most the event's judge.attempts times in all.
  void unfinished(const Submission& s, const std::string& split, const std::string& why);

  Core& core_;
  event::RunSettings settings_;
  std::function<void(const std::string&)> log_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false, woken = false, done_ = false;
  std::condition_variable done_cv_;
  std::thread thread_;
  std::map<std::pair<int64_t, std::string>, int> failures_;  // per (submission, split); loop thread only
};

}  // namespace gauntlet::service
