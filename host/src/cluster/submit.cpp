#include "cluster/submit.hpp"

#include "cluster/manifest.hpp"
#include "cluster/sbatch.hpp"
#include "cluster/slurm_commands.hpp"
#include "cluster/task_records.hpp"
#include "common/atomic_file.hpp"
#include "common/utc_time.hpp"
#include "report/environment.hpp"
#include "store/result_store.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <optional>

namespace gauntlet::cluster {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SIGINT, SIGTERM and SIGHUP are taken by the poll loop (sigtimedwait) instead of ending the
// process: the arrays are cancelled first. Restores the caller's mask when it goes.
class SignalsTaken {
 public:
  SignalsTaken() {
    sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, s);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  // A signal still pending is delivered now (a Ctrl-C while orphans were cancelled ends the
  // run there, as the person asked).
  ~SignalsTaken() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalsTaken(const SignalsTaken&) = delete;
  SignalsTaken& operator=(const SignalsTaken&) = delete;
  // Sleeps up to `seconds`; the signal that ended the wait, or 0.
  int wait(double seconds) const {
    timespec t{static_cast<time_t>(seconds),
               static_cast<long>((seconds - static_cast<double>(static_cast<time_t>(seconds))) * 1e9)};
    const int sig = sigtimedwait(&set_, nullptr, &t);
    return sig > 0 ? sig : 0;
  }

 private:
  sigset_t set_{}, old_{};
};

double median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// One array task of this run.
struct Task {
  const event::Job* job = nullptr;
  long index = 0;     // in the manifest
  std::string array;  // Slurm's array job id
  int task = 0;       // index in the array
  bool started = false, done = false, lost = false;
  std::string node;
  std::optional<Clock::time_point> gone_since;  // left the queue, no record yet
  std::string id() const { return array + "_" + std::to_string(task); }
};

// Waits until none of `arrays` is in the queue (after a scancel), at most `seconds`; a
// second signal stops the wait.
void wait_until_gone(const std::vector<std::string>& arrays, const SignalsTaken& signals, double seconds) {
  const auto until = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1e3));
  while (Clock::now() < until) {
    std::string error;
    const auto queued = queued_tasks(arrays, error);
    if (queued && queued->empty()) return;
    if (signals.wait(0.25)) return;
  }
}

class Submission {
 public:
  Submission(const event::EventConfig& config, const SlurmOptions& options, event::RunObserver& observer,
             std::ostream& log, SlurmRun& run)
      : config_(config), options_(options), observer_(observer), log_(log), run_(run) {}

  // Submits `jobs` as one round; false when sbatch failed (run_.error says why).
  bool submit(const std::vector<const event::Job*>& jobs, bool force, const std::string& split, int round);
  // Follows the round until every task is done or lost, or a signal came (true).
  bool follow(const SignalsTaken& signals);
  // The round's bookkeeping: lost tasks' records; the jobs worth another attempt.
  std::vector<const event::Job*> settle();
  void cancel(const SignalsTaken& signals);
  void finish();

 private:
  void check_record(Task& t);
  void lose(Task& t);

  const event::EventConfig& config_;
  const SlurmOptions& options_;
  event::RunObserver& observer_;
  std::ostream& log_;
  SlurmRun& run_;
  Manifest manifest_;
  std::vector<Task> tasks_;
  std::vector<const event::Job*> again_;
  Clock::time_point last_squeue_warning_{};

 public:
  // For the overhead figures: (submitted, started, recorded, seen, judging seconds) per task.
  struct Timing {
    int64_t submitted = 0, started = 0, recorded = 0, seen = 0;
    double judging = 0;
    std::string node;
  };
  std::vector<Timing> timings;
};

bool Submission::submit(const std::vector<const event::Job*>& jobs_in, bool force, const std::string& split,
                        int round) {
  // Jobs needing the same resources side by side: one array each (the demo's challenges
  // differ in memory and time, so they are two).
  std::vector<std::pair<TaskResources, const event::Job*>> jobs;
  for (const event::Job* j : jobs_in) {
    const Challenge& c = config_.challenges[j->challenge];
    jobs.emplace_back(task_resources(c, config_.judge.slurm.constraint_of(c.id)), j);
  }
  std::stable_sort(jobs.begin(), jobs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  manifest_ = Manifest{};
  // Named by time (a listing reads in order); a second run within the same second gets "-2".
  const std::string stem = utc_file_stamp() + "-" + split + "-r" + std::to_string(round);
  manifest_.file = slurm_folder(config_.store) / (stem + ".json");
  for (int n = 2; fs::exists(manifest_.file); ++n)
    manifest_.file = slurm_folder(config_.store) / (stem + "-" + std::to_string(n) + ".json");
  manifest_.event_file = config_.file;
  manifest_.event_sha256 = config_.sha256;
  manifest_.split = split;
  manifest_.sandbox = std::string(sandbox::mode_name(options_.sandbox));
  for (const auto& [r, j] : jobs) manifest_.jobs.push_back(manifest_job(config_, *j, force && j->rejudge));
  tasks_.clear();
  const fs::path logs = slurm_folder(config_.store) / "logs";
  try {
    fs::create_directories(logs);
    write_manifest(manifest_);
  } catch (const std::exception& e) {
    run_.error = std::string("cannot write the job manifest: ") + e.what();
    return false;
  }

  const int max_size = max_array_size();
  for (std::size_t first = 0; first < jobs.size();) {
    std::size_t end = first;
    while (end < jobs.size() && jobs[end].first == jobs[first].first &&
           end - first < static_cast<std::size_t>(max_size))
      ++end;
    ArrayRequest q;
    q.resources = jobs[first].first;
    q.job_name = array_job_name(config_.name);
    q.partition = options_.partition;
    q.account = options_.account;
    q.tasks = static_cast<int>(end - first);
    q.first_job = static_cast<int>(first);
    q.max_running = options_.max_running;
    q.gauntlet = options_.gauntlet;
    q.manifest = manifest_.file;
    q.log_folder = logs;
    const fs::path script = manifest_.file.parent_path() /
                            (manifest_.file.stem().string() + "-" + std::to_string(first) + ".sbatch");
    ProgramOutput out;
    try {
      write_file_atomic(script, batch_script(q));
      std::vector<std::string> argv{"sbatch"};
      const auto args = sbatch_arguments(q, script);
      argv.insert(argv.end(), args.begin(), args.end());
      out = run_program(argv);
    } catch (const std::exception& e) {
      out.error = e.what();
    }
    const std::string id = out.out.substr(0, out.out.find_first_of(";\n"));
    if (!out.ok() || id.empty() || !std::all_of(id.begin(), id.end(), ::isdigit)) {
      run_.error = "sbatch refused the array for " + config_.challenges[jobs[first].second->challenge].id +
                   ": " + out.first_line();
      return false;
    }
    const int64_t submitted = now_ns();
    manifest_.arrays.push_back(SubmittedArray{id, q.first_job, q.tasks, submitted});
    run_.arrays.push_back(id);
    try {
      write_manifest(manifest_);  // its arrays known at once: a killed submitter's are found
    } catch (const std::exception& e) {
      log_ << "[gauntlet] warning: cannot update the manifest: " << e.what() << "\n";
    }
    for (std::size_t k = first; k < end; ++k) {
      Task& t = tasks_.emplace_back();
      t.job = jobs[k].second;
      t.index = static_cast<long>(k);
      t.array = id;
      t.task = static_cast<int>(k - first);
    }
    log_ << "[gauntlet] Slurm array " << id << ": " << q.tasks << " task" << (q.tasks == 1 ? "" : "s")
         << " of " << config_.challenges[jobs[first].second->challenge].id
         << (end - first > 1 ? " and alike" : "") << ", " << q.resources.cpus << " CPUs, "
         << q.resources.memory_mb << " MB, " << time_limit_text(q.resources.minutes) << " each"
         << (q.resources.constraint.empty() ? "" : ", constraint " + q.resources.constraint) << "; logs "
         << (logs / (manifest_.file.stem().string() + "-" + id + "_<task>.out")).string() << "\n"
         << std::flush;
    first = end;
  }
  return true;
}

void Submission::check_record(Task& t) {
  const auto record = store::read_record(t.job->record);
  if (!record || (*record)["key"] != t.job->key) return;
  const bool ours = written_by(*record, manifest_.file, t.index);
  // A task that found its job stored already (Slurm ran it twice) wrote nothing.
  if (!ours && !(t.gone_since && store::record_state(t.job->record, t.job->key, config_.judge.attempts) ==
                                     store::RecordState::stored))
    return;
  t.done = true;
  if (!t.started) {
    observer_.job_started_at(*t.job, "Slurm task " + t.id());
    t.started = true;
  }
  event::JobOutcome o = outcome_of(*record, config_.judge.attempts);
  observer_.job_finished(*t.job, o);
  event::RunSummary& s = run_.summary;
  ++s.judged;
  if (o.again) {
    ++s.retried;
    again_.push_back(t.job);
  } else {
    if (o.verdict == "JUDGE_ERROR") ++s.judge_errors;
    if (o.latency_unreliable) ++s.unreliable;
  }
  if (ours) {
    Timing timing;
    for (const auto& a : manifest_.arrays)
      if (a.job_id == t.array) timing.submitted = a.submitted_at_ns;
    timing.started = task_started_ns(*record);
    timing.recorded = recorded_ns(*record);
    timing.seen = now_ns();
    timing.judging = record->at("result").value("seconds", json::object()).value("total", 0.0);
    timing.node = record->at("result").value("environment", json::object()).value("node", t.node);
    timings.push_back(timing);
  }
}

// Ended without a result: a JUDGE_ERROR record, an attempt like any other.
void Submission::lose(Task& t) {
  t.lost = true;
  const Challenge& challenge = config_.challenges[t.job->challenge];
  const std::string log_file =
      (slurm_folder(config_.store) / "logs" / (manifest_.file.stem().string() + "-" + t.id() + ".out"))
          .string();
  const std::string why =
      "the Slurm task " + t.id() + (t.node.empty() ? "" : " on node " + t.node) +
      " ended without a result (cancelled, out of time or memory, or its node failed); its log: " + log_file;
  event::Job job = *t.job;
  event::look_up(job, config_.judge.attempts);
  const bool replaced = std::any_of(manifest_.jobs.begin(), manifest_.jobs.end(),
                                    [&](const ManifestJob& m) { return m.record == job.record && m.force; });
  const int attempt = (replaced ? 0 : job.attempts) + 1;
  report::Environment env = report::current_environment();
  env.node = t.node;
  env.slurm_job_id.clear();
  env.slurm_array_job_id = t.array;
  env.slurm_array_task_id = std::to_string(t.task);
  event::JobOutcome o;
  o.verdict = "JUDGE_ERROR";
  o.reason = why;
  o.attempt = attempt;
  o.max_attempts = config_.judge.attempts;
  try {
    json record = store::make_record(
        event::failed_before_judging(challenge, job, why), env, challenge, job.team,
        store::EventIdentity{config_.name, config_.title, config_.sha256}, job.identity, attempt);
    record["slurm"] = {{"manifest", manifest_.file.string()}, {"index", t.index}, {"lost", true}};
    store::write_record(job.record, record);
  } catch (const std::exception& e) {
    o.store_error = e.what();
    ++run_.summary.store_errors;
  }
  o.again = o.store_error.empty() && attempt < config_.judge.attempts;
  if (!t.started) observer_.job_started_at(*t.job, "Slurm task " + t.id());
  observer_.job_finished(*t.job, o);
  ++run_.summary.judged;
  if (o.again) {
    ++run_.summary.retried;
    again_.push_back(t.job);
  } else {
    ++run_.summary.judge_errors;
  }
}

bool Submission::follow(const SignalsTaken& signals) {
  std::vector<std::string> arrays;
  for (const auto& a : manifest_.arrays) arrays.push_back(a.job_id);
  for (;;) {
    if (options_.tick) options_.tick();
    std::string error;
    const auto queued = queued_tasks(arrays, error);
    if (!queued && Clock::now() - last_squeue_warning_ > std::chrono::minutes(1)) {
      log_ << "[gauntlet] warning: " << error << " (asking again)\n" << std::flush;
      last_squeue_warning_ = Clock::now();
    }
    bool all = true;
    for (Task& t : tasks_) {
      if (t.done || t.lost) continue;
      if (queued) {
        const auto it = queued->find(t.id());
        if (it != queued->end()) {
          t.gone_since.reset();
          if (it->second.state != "PENDING" && !t.started) {
            t.started = true;
            t.node = it->second.node;
            observer_.job_started_at(*t.job, "on node " + t.node + ", Slurm task " + t.id());
          }
          if (it->second.state == "PENDING") {
            all = false;
            continue;
          }
        } else if (!t.gone_since) {
          t.gone_since = Clock::now();
        }
      }
      check_record(t);
      if (!t.done && t.gone_since &&
          Clock::now() - *t.gone_since >
              std::chrono::milliseconds(static_cast<int64_t>(options_.record_grace_seconds * 1e3)))
        lose(t);
      all = all && (t.done || t.lost);
    }
    if (all) return false;
    if (signals.wait(options_.poll_seconds)) return true;
  }
}

std::vector<const event::Job*> Submission::settle() {
  std::vector<const event::Job*> out;
  out.swap(again_);
  return out;
}

void Submission::cancel(const SignalsTaken& signals) {
  std::vector<std::string> arrays;
  for (const auto& a : manifest_.arrays) arrays.push_back(a.job_id);
  log_ << "[gauntlet] interrupted: cancelling the Slurm array" << (arrays.size() == 1 ? " " : "s ")
       << join(arrays) << " (scancel); `gauntlet run` again resumes with what is missing\n"
       << std::flush;
  if (std::string e = cancel_arrays(arrays); !e.empty()) log_ << "[gauntlet] warning: " << e << "\n";
  wait_until_gone(arrays, signals, 60);
}

void Submission::finish() {
  manifest_.finished = true;
  try {
    write_manifest(manifest_);
  } catch (const std::exception& e) {
    log_ << "[gauntlet] warning: cannot update the manifest: " << e.what() << "\n";
  }
}

SlurmOverhead overhead_of(const std::vector<Submission::Timing>& timings) {
  SlurmOverhead o;
  o.tasks = static_cast<int>(timings.size());
  if (timings.empty()) return o;
  std::vector<double> gaps, in_task, seen;
  int64_t first_submitted = timings.front().submitted, first_start = timings.front().started;
  for (const auto& t : timings) {
    first_submitted = std::min(first_submitted, t.submitted);
    first_start = std::min(first_start, t.started);
    if (t.started <= 0 || t.recorded <= 0) continue;
    // The slot this task took was free since the latest record written before it started
    // (or since its submission): the time in between is the scheduler's.
    int64_t free_since = t.submitted;
    for (const auto& u : timings)
      if (u.recorded < t.started && u.node == t.node) free_since = std::max(free_since, u.recorded);
    gaps.push_back(static_cast<double>(t.started - free_since) / 1e9);
    in_task.push_back(static_cast<double>(t.recorded - t.started) / 1e9 - t.judging);
    seen.push_back(static_cast<double>(t.seen - t.recorded) / 1e9);
  }
  o.first_start = first_start > 0 ? static_cast<double>(first_start - first_submitted) / 1e9 : -1;
  o.gap = median(gaps);
  o.in_task = median(in_task);
  o.seen = median(seen);
  return o;
}

}  // namespace

std::string slurm_unavailable() {
  const ProgramOutput r = run_program({"squeue", "-h", "-o", "%i", "-j", "1"}, 30);
  if (r.ok() || r.err.find("Invalid job id") != std::string::npos) return {};
  return r.error.empty() ? "squeue: " + r.first_line() : r.error;
}

std::vector<std::string> cancel_orphaned_arrays(const event::EventConfig& config, std::ostream& log,
                                                std::string& error) {
  const fs::path& store = config.store;
  const std::string job_name = array_job_name(config.name);
  std::vector<Manifest> manifests = unfinished_manifests(store);
  std::vector<std::string> ids;
  for (const auto& m : manifests)
    for (const auto& a : m.arrays) ids.push_back(a.job_id);
  const auto queued = queued_tasks(ids, error);
  if (!queued) return {};
  // Only arrays still named as this event's (a test cluster started afresh reuses job ids).
  std::vector<std::string> orphans;
  for (const auto& id : ids)
    for (const auto& [task, state] : *queued)
      if ((task.rfind(id + "_", 0) == 0 || task == id) && state.name == job_name) {
        orphans.push_back(id);
        break;
      }
  if (!orphans.empty()) {
    log << "[gauntlet] the Slurm array" << (orphans.size() == 1 ? " " : "s ") << join(orphans)
        << " of an earlier `gauntlet run` of this store (killed before it could cancel them) "
        << (orphans.size() == 1 ? "is" : "are") << " still queued or running: cancelling, then judging what "
        << "they did not\n"
        << std::flush;
    if (std::string e = cancel_arrays(orphans); !e.empty()) log << "[gauntlet] warning: " << e << "\n";
    const SignalsTaken signals;
    wait_until_gone(orphans, signals, 120);
  }
  for (auto& m : manifests) {
    m.finished = true;
    try {
      write_manifest(m);
    } catch (const std::exception&) {
      // Looked at again next time: harmless.
    }
  }
  return orphans;
}

SlurmRun run_on_slurm(const event::EventConfig& config, const event::Plan& plan, const SlurmOptions& options,
                      event::RunObserver& observer, std::ostream& log) {
  const auto t0 = Clock::now();
  SlurmRun run;
  // --rejudge's choice is in the plan already (event::mark_for_rejudging): its jobs are pending
  // like new ones, and `force` makes the tasks of those marked (only) replace a stored record.
  std::vector<const event::Job*> pending = event::jobs_to_run(plan, /*rejudge=*/false);
  run.summary.total = static_cast<int>(plan.jobs.size());
  run.summary.skipped = run.summary.total - static_cast<int>(pending.size());
  const SignalsTaken signals;
  Submission submission(config, options, observer, log, run);
  bool force = options.rejudge;
  for (int round = 0; !pending.empty(); ++round) {
    if (round > 0)
      log << "[gauntlet] " << pending.size() << " job" << (pending.size() == 1 ? "" : "s")
          << " worth another attempt: submitting again\n"
          << std::flush;
    if (!submission.submit(pending, force, plan.split, round)) {
      // Whatever part of the round was submitted is cancelled: all or nothing.
      if (!run.arrays.empty()) cancel_arrays(run.arrays);
      submission.finish();
      break;
    }
    if (submission.follow(signals)) {
      run.interrupted = true;
      submission.cancel(signals);
      submission.finish();
      break;
    }
    submission.finish();
    pending = submission.settle();
    force = false;  // retries are jobs whose records say so
  }
  run.overhead = overhead_of(submission.timings);
  run.summary.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return run;
}

}  // namespace gauntlet::cluster
