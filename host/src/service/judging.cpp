#include "service/judging.hpp"

#include "common/untrusted_text.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace gauntlet::service {
namespace {

// Marks each submission judged as the runner stores its record (a job worth another attempt
// stays in the batch: the runner judges it again before it returns).
class LedgerObserver : public event::RunObserver {
 public:
  LedgerObserver(Core& core, std::map<const event::Job*, Submission> jobs, std::string split,
                 const std::function<void(const std::string&)>& log)
      : core_(core), jobs_(std::move(jobs)), split_(std::move(split)), log_(log) {}

  // The submissions whose judging ended here with their record stored.
  const std::set<int64_t>& finished() const { return finished_; }
  // Why a submission's judging ended with no record stored, by submission.
  const std::map<int64_t, std::string>& failures() const { return failures_; }

  // Called on the runner's threads: nothing may escape (an exception would end the server).
  void job_finished(const event::Job& job, const event::JobOutcome& outcome) override {
    try {
      record(job, outcome);
    } catch (const std::exception& e) {
      log_(std::string("cannot record a judging in the ledger: ") + e.what());
    }
  }

 private:
  void record(const event::Job& job, const event::JobOutcome& outcome) {
    const auto it = jobs_.find(&job);
    if (it == jobs_.end()) return;
    const Submission& s = it->second;
    std::string line = "judged submission " + std::to_string(s.id) + " (" + s.team + " #" +
                       std::to_string(s.number) + " on " + s.challenge + ", " + split_ + " split, attempt " +
                       std::to_string(outcome.attempt) + "): " + outcome.verdict;
    // Nothing of the private split in the log: scores stay embargoed until publication.
    if (split_ == "public" && outcome.score) line += " score " + std::to_string(*outcome.score);
    if (!outcome.store_error.empty()) line += "; NOT STORED: " + outcome.store_error;
    if (outcome.again) line += "; judged again (" + untrusted::terminal_line(outcome.reason) + ")";
    log_(line);
    if (outcome.again) return;
    if (!outcome.store_error.empty()) {  // no record: judged again by unfinished(), boundedly
      failures_[s.id] = outcome.store_error;
      return;
    }
    finished_.insert(s.id);
    core_.forget(s, split_);
    core_.ledger().set_state(s.id, split_, "judged");
    if (split_ == "public") core_.bump();
  }

  Core& core_;
  std::map<const event::Job*, Submission> jobs_;
  std::string split_;
  const std::function<void(const std::string&)>& log_;
  std::set<int64_t> finished_;
  std::map<int64_t, std::string> failures_;
};

}  // namespace

Judging::Judging(Core& core, event::RunSettings settings, std::function<void(const std::string&)> log)
    : core_(core), settings_(std::move(settings)), log_(std::move(log)) {}

Judging::~Judging() {
  request_stop();
  if (thread_.joinable()) thread_.join();
}

void Judging::start() {
  thread_ = std::thread([this] { loop(); });
}

void Judging::request_stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_ = true;
  cv_.notify_all();
}

bool Judging::join(double seconds) {
  std::unique_lock<std::mutex> lock(mutex_);
  const bool ended =
      done_cv_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return done_; });
  lock.unlock();
  if (ended && thread_.joinable()) thread_.join();
  return ended;
}

void Judging::wake() {
  std::lock_guard<std::mutex> lock(mutex_);
  woken = true;
  cv_.notify_all();
}

void Judging::loop() {
  // A batch holds a few jobs per slot: data is prepared once per batch and challenge, and a
  // submission arriving meanwhile waits at most one batch.
  const std::size_t batch_size = 2 * std::max<std::size_t>(1, settings_.slots.size());
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (stop_) break;
    }
    std::vector<Ledger::Queued> batch;
    try {
      batch = core_.ledger().next_batch(batch_size);
    } catch (const std::exception& e) {
      log_(std::string("cannot read the queue: ") + e.what());
    }
    if (batch.empty()) {
      // A frozen event's finals are fixed once every public result is in (a default final is a
      // best public result), then judged on the private split.
      try {
        Ledger& ledger = core_.ledger();
        if (ledger.frozen() && !ledger.finals_fixed() && ledger.queued("public") == 0) {
          ledger.fix_finals(core_.all_finals());
          log_("finals fixed: " + std::to_string(ledger.queued("private")) +
               " to judge on the private split");
          continue;
        }
      } catch (const std::exception& e) {
        log_(std::string("cannot fix the finals: ") + e.what());
      }
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait_for(lock, std::chrono::seconds(2), [this] { return stop_ || woken; });
      woken = false;
      continue;
    }
    judge_batch(std::move(batch));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = true;
  done_cv_.notify_all();
}

void Judging::judge_batch(std::vector<Ledger::Queued> batch) {
  // One runner call per (split, rejudge): the runner's rejudge applies to a whole plan.
  std::map<std::pair<std::string, bool>, std::vector<Submission>> groups;
  for (auto& q : batch) groups[{q.split, q.rejudge}].push_back(std::move(q.submission));
  for (auto& [what, subs] : groups) {
    const auto& [split, rejudge] = what;
    event::Plan plan;
    plan.split = split;
    plan.jobs.reserve(subs.size());
    std::vector<Submission> judged;
    for (auto& s : subs) {
      core_.ledger().set_state(s.id, split, "judging");
      try {
        event::Job j = core_.job(s, split);
        // Already stored (the server was killed after the record, before the ledger): judged.
        if (!rejudge && j.state == store::RecordState::stored) {
          core_.ledger().set_state(s.id, split, "judged");
          if (split == "public") core_.bump();
          continue;
        }
        plan.jobs.push_back(std::move(j));
        judged.push_back(std::move(s));
      } catch (const std::exception& e) {
        log_("submission " + std::to_string(s.id) + " cannot be judged: " + e.what());
        core_.ledger().set_state(s.id, split, "judged");
      }
    }
    if (plan.jobs.empty()) continue;
    if (split == "public") core_.bump();  // "judging" shows on the pages
    std::map<const event::Job*, Submission> by_job;
    for (std::size_t i = 0; i < plan.jobs.size(); ++i) by_job.emplace(&plan.jobs[i], judged[i]);
    LedgerObserver observer(core_, std::move(by_job), split, log_);
    event::RunSettings settings = settings_;
    settings.rejudge = rejudge;
    std::string failure = "the runner ended without judging it";
    try {
      (void)event::run_event(core_.config(), plan, settings, observer);
    } catch (const std::exception& e) {
      failure = e.what();
      log_("judging failed: " + failure);
    }
    for (const Submission& s : judged) {
      if (observer.finished().count(s.id)) continue;
      const auto why = observer.failures().find(s.id);
      unfinished(s, split, why == observer.failures().end() ? failure : why->second);
    }
  }
}

void Judging::unfinished(const Submission& s, const std::string& split, const std::string& why) {
  // Queued again, a bounded number of times (the event's judge.attempts, as for a JUDGE_ERROR);
  // then left judged without a record, which the team's status says and an organizer's rejudge
  // (or the next start) takes up again. Either way nothing stays "judging".
  const int failures = ++failures_[{s.id, split}];
  const int attempts = std::max(1, core_.config().judge.attempts);
  const std::string which = "submission " + std::to_string(s.id) + " (" + split + " split)";
  try {
    if (failures < attempts) {
      core_.ledger().set_state(s.id, split, "queued");
      log_(which + " queued again after a failed judging (" + std::to_string(failures) + " of " +
           std::to_string(attempts) + " attempts): " + untrusted::terminal_line(why));
    } else {
      core_.ledger().set_state(s.id, split, "judged");
      log_(which + " not judged after " + std::to_string(attempts) +
           " attempts; no result stored: " + untrusted::terminal_line(why));
    }
  } catch (const std::exception& e) {
    log_(which + ": cannot update the ledger: " + e.what());
  }
  if (split == "public") core_.bump();
}

}  // namespace gauntlet::service
