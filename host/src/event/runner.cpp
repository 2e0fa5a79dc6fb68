#include "event/runner.hpp"

#include "common/utc_time.hpp"
#include "event/cpu_slots.hpp"
#include "judge/session_data.hpp"
#include "models/model_job.hpp"
#include "report/environment.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace gauntlet::event {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// One challenge's data, prepared by the first job that needs it and dropped after its last.
struct SharedData {
  std::mutex mutex;
  bool prepared = false;
  std::unique_ptr<judge::SessionData> data;
  std::string error;  // why it could not be prepared
  int remaining = 0;  // jobs of this run that still need it
};

}  // namespace

judge::JudgeResult failed_before_judging(const Challenge& challenge, const Job& job, const std::string& why) {
  judge::JudgeResult r;
  r.started_at = r.finished_at = utc_timestamp();
  r.challenge_id = challenge.id;
  r.challenge_title = challenge.title;
  r.challenge_sha256 = challenge.sha256;
  r.challenge_file = challenge.file.string();
  r.plugin_path = job.plugin.string();
  r.plugin_sha256 = job.identity.plugin_sha256;
  r.split = job.identity.split;
  r.decision = judge::Decision{judge::Verdict::judge_error, why};
  return r;
}

std::vector<const Job*> jobs_to_run(const Plan& plan, bool rejudge) {
  std::vector<const Job*> out;
  for (const auto& j : plan.jobs)
    if (rejudge || j.state != store::RecordState::stored) out.push_back(&j);
  return out;
}

RunSummary run_event(const EventConfig& config, const Plan& plan, const RunSettings& settings,
                     RunObserver& observer) {
  const auto t0 = Clock::now();
  const std::vector<const Job*> todo = jobs_to_run(plan, settings.rejudge);
  RunSummary summary;
  summary.total = static_cast<int>(plan.jobs.size());
  summary.skipped = summary.total - static_cast<int>(todo.size());

  std::vector<SharedData> shared(config.challenges.size());
  for (const Job* j : todo) ++shared[j->challenge].remaining;

  const report::Environment environment = report::current_environment();
  const store::EventIdentity identity{config.name, config.title, config.sha256};
  std::mutex observer_mutex;
  // The jobs still to judge; a job worth another attempt (a JUDGE_ERROR, latencies measured on
  // a busy machine) goes to the back, as long as store::kMaxAttempts allows.
  std::mutex queue_mutex;
  std::deque<const Job*> queue(todo.begin(), todo.end());
  std::map<const Job*, int> attempts;  // judgings of each job's key so far, stored ones included
  for (const Job* j : todo) attempts[j] = settings.rejudge ? 0 : j->attempts;
  auto next_job = [&]() -> const Job* {
    std::lock_guard<std::mutex> lock(queue_mutex);
    if (queue.empty()) return nullptr;
    const Job* j = queue.front();
    queue.pop_front();
    return j;
  };

  auto run_one = [&](const Job& job, std::size_t slot) {
    const Challenge& challenge = config.challenges[job.challenge];
    SharedData& sd = shared[job.challenge];
    {
      std::lock_guard<std::mutex> lock(observer_mutex);
      observer.job_started(job, slot);
    }
    const auto started = Clock::now();
    judge::JudgeResult result;
    {
      std::unique_lock<std::mutex> lock(sd.mutex);
      if (!sd.prepared) {
        sd.prepared = true;
        {
          std::lock_guard<std::mutex> olock(observer_mutex);
          observer.job_phase(job, "preparing the " + challenge.id + " data (" + plan.split + " split)");
        }
        try {
          DataRequest request;
          request.split = plan.split == "private" ? SplitName::private_split : SplitName::public_split;
          request.eval_limit = config.judge.limit;
          request.train_limit = config.judge.train_limit;
          request.include_train = challenge.training_allowed;
          sd.data = std::make_unique<judge::SessionData>(judge::prepare_session_data(challenge, request));
        } catch (const std::exception& e) {
          sd.error = std::string("could not prepare the challenge data: ") + e.what();
        }
      }
    }
    // An ONNX model goes to the runner, from a copy of its own for this job.
    std::optional<models::StagedModel> staged;
    std::string stage_error;
    if (sd.data && !job.identity.model_sha256.empty()) {
      try {
        staged.emplace(job.plugin);
      } catch (const std::exception& e) {
        stage_error = e.what();
      }
    }
    if (!sd.data || !stage_error.empty()) {
      result = failed_before_judging(challenge, job, sd.data ? stage_error : sd.error);
    } else {
      judge::JudgeOptions options;
      options.plugin = job.plugin;
      options.asset_dir = job.assets;
      options.seed = config.judge.seed;
      options.cpus =
          settings.slots.empty() ? std::vector<int>{} : settings.slots[slot % settings.slots.size()];
      options.progress = [&](const std::string& line) {
        std::lock_guard<std::mutex> lock(observer_mutex);
        observer.job_phase(job, line);
      };
      if (settings.configure) settings.configure(options);
      if (staged) models::judge_with_runner(options, *staged);
      result = judge::judge_plugin(challenge, *sd.data, options);
    }
    result.split = plan.split;

    JobOutcome outcome;
    outcome.verdict = std::string(judge::verdict_name(result.decision.verdict));
    outcome.reason = result.decision.reason;
    outcome.latency_unreliable =
        result.decision.verdict == judge::Verdict::ok && !result.measurement.reliable;
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      outcome.attempt = ++attempts[&job];
      outcome.max_attempts = config.judge.attempts;
    }
    if (result.score) {
      outcome.qualified = result.score->qualified;
      if (result.score->qualified)
        outcome.score = result.score->score;
      else if (outcome.reason.empty())
        outcome.reason = result.score->reason;
    }
    json record;
    try {
      record = store::make_record(result, environment, challenge, job.team, identity, job.identity,
                                  outcome.attempt);
      if (staged)
        record["result"]["model"] = models::model_json(job.plugin, staged->sha256(), staged->bytes(), result);
      if (!job.bundle.is_null()) record["result"]["bundle"] = job.bundle;
      if (settings.keep_record && !settings.keep_record(job, record))
        outcome.store_error = "not stored: the job was cancelled";
      else
        store::write_record(job.record, record);
    } catch (const std::exception& e) {
      outcome.store_error = e.what();
    }
    outcome.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    outcome.again = settings.retry_in_run && outcome.store_error.empty() &&
                    store::worth_another_attempt(record["result"]) && outcome.attempt < config.judge.attempts;
    {
      // The last job of the challenge frees its data (a job judged again still needs it).
      std::lock_guard<std::mutex> lock(sd.mutex);
      if (!outcome.again && --sd.remaining == 0) sd.data.reset();
    }
    if (outcome.again) {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push_back(&job);
    }
    std::lock_guard<std::mutex> lock(observer_mutex);
    ++summary.judged;
    if (outcome.again) ++summary.retried;
    if (!outcome.again && result.decision.verdict == judge::Verdict::judge_error) ++summary.judge_errors;
    if (!outcome.again && outcome.latency_unreliable) ++summary.unreliable;
    if (!outcome.store_error.empty()) ++summary.store_errors;
    observer.job_finished(job, outcome);
  };

  const std::size_t slots = std::max<std::size_t>(1, settings.slots.size());
  const std::size_t threads = std::min(slots, todo.size());
  std::vector<std::thread> pool;
  for (std::size_t s = 0; s < threads; ++s) {
    pool.emplace_back([&, s] {
      // The whole thread stays on the slot's cores: data preparation, the judge's timing
      // loop and (by inheritance and --cpus) the worker. Unpinned (a cpuset that refuses), the
      // slot still judges: a shared core then shows in the judge's interference watch.
      if (!settings.slots.empty()) static_cast<void>(pin_current_thread(settings.slots[s]));
      while (const Job* job = next_job()) {
        try {
          run_one(*job, s);
        } catch (const std::exception& e) {
          // Only a bug gets here; the event goes on and the job runs again next time.
          std::lock_guard<std::mutex> lock(observer_mutex);
          JobOutcome outcome;
          outcome.verdict = "JUDGE_ERROR";
          outcome.reason = e.what();
          outcome.store_error = std::string("the judging failed: ") + e.what();
          ++summary.judge_errors;
          observer.job_finished(*job, outcome);
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  summary.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return summary;
}

}  // namespace gauntlet::event
