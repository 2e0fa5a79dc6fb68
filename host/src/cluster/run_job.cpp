#include "cluster/run_job.hpp"

#include "cluster/manifest.hpp"
#include "cluster/task_records.hpp"
#include "common/errors.hpp"
#include "common/sha256.hpp"
#include "event/cpu_slots.hpp"
#include "event/event_loader.hpp"
#include "event/runner.hpp"
#include "judge/sandbox_self_test.hpp"
#include "models/model_job.hpp"
#include "report/environment.hpp"
#include "sandbox/cgroup_nesting.hpp"
#include "sandbox/job_sandbox.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

namespace gauntlet::cluster {
namespace {

using json = nlohmann::json;

std::atomic<bool> g_cancelled{false};
std::atomic<const sandbox::MachineProbe*> g_probe{nullptr};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// scancel sends SIGTERM (to every process of the task), then SIGKILL after KillWait. On the
// first, nothing of the job may outlive the task: its worker is killed through its cgroups,
// the folders removed, the judge's own cgroup leaf released; no record is stored.
void watch_for_cancellation() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started after this
  std::thread([set] {
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    g_cancelled = true;
    int left = 0;
    if (const sandbox::MachineProbe* probe = g_probe.load())
      left = sandbox::remove_own_job_cgroups(probe->cgroups);
    sandbox::release_judge_leaf();
    const std::string line = "[gauntlet] cancelled (signal " + std::to_string(sig) +
                             "): the job's processes killed, " +
                             (left ? std::to_string(left) + " cgroup folders could not be removed"
                                   : std::string("its cgroups removed")) +
                             "; nothing stored\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    ::_exit(128 + sig);
  }).detach();
}

class LogObserver : public event::RunObserver {
 public:
  explicit LogObserver(std::ostream& out) : out_(out) {}
  void job_phase(const event::Job&, const std::string& line) override {
    out_ << "[gauntlet] " << line << "\n" << std::flush;
  }
  void job_finished(const event::Job&, const event::JobOutcome& o) override {
    out_ << "[gauntlet] " << o.verdict << (o.reason.empty() ? "" : ": " + o.reason) << " in " << o.seconds
         << " s" << (o.store_error.empty() ? "" : " [" + o.store_error + "]") << "\n"
         << std::flush;
  }

 private:
  std::ostream& out_;
};

// The first mismatch between what was planned and what this node sees, or "".
std::string what_differs(const Challenge& challenge, const event::Job& job) {
  const store::JobIdentity& id = job.identity;
  if (challenge.sha256 != id.challenge_sha256 || challenge.rules_sha256 != id.rules_sha256)
    return "its challenge file " + challenge.file.string() + " differs from the planned one";
  std::string data;
  try {
    data = data_sha256(challenge);
  } catch (const std::exception& e) {
    return std::string("it cannot read the challenge data: ") + e.what();
  }
  if (data != id.data_sha256) return "the challenge data differ from the planned data";
  const bool model = !id.model_sha256.empty();
  try {
    if (sha256_file_hex(job.plugin) != (model ? id.model_sha256 : id.plugin_sha256))
      return "the file " + job.plugin.string() + " differs from the planned one";
    if (model && sha256_file_hex(models::runner_library()) != id.plugin_sha256)
      return "its ONNX runner differs from the planned one (not the same Gauntlet build)";
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace

int run_job(const std::filesystem::path& manifest_file, long index, std::ostream& log) {
  const int64_t started_ns = now_ns();
  watch_for_cancellation();

  Manifest manifest;
  event::EventConfig config;
  event::Job job;
  ManifestJob entry;
  try {
    manifest = read_manifest(manifest_file);
    if (index < 0 || index >= static_cast<long>(manifest.jobs.size()))
      throw std::runtime_error("no job " + std::to_string(index) + " in the manifest (it has " +
                               std::to_string(manifest.jobs.size()) + ")");
    entry = manifest.jobs[static_cast<std::size_t>(index)];
    config = event::load_event(manifest.event_file);
    if (config.sha256 != manifest.event_sha256)
      throw std::runtime_error("the event file " + manifest.event_file.string() +
                               " changed since the jobs were submitted (or this node sees another one): run "
                               "`gauntlet run --backend slurm` again");
    job = job_of(config, entry);
  } catch (const ConfigError& e) {
    log << "gauntlet run-job: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    log << "gauntlet run-job: " << manifest_file.string() << ": " << e.what() << "\n";
    return kExitBadInput;
  }
  const report::Environment env = report::current_environment();
  const Challenge& challenge = config.challenges[job.challenge];
  log << "[gauntlet] node " << env.node << " (" << env.cpu_model << ", " << env.kernel << "), CPUs "
      << env.cpus_allowed << ": " << job.team << " on " << challenge.id << " (" << manifest.split
      << " split)\n"
      << std::flush;
  if (job.state == store::RecordState::stored && !entry.force) {
    log << "[gauntlet] already stored (an earlier run of this task): " << job.record.string() << "\n";
    return kExitOk;
  }

  const auto mode = sandbox::parse_mode(manifest.sandbox).value_or(sandbox::Mode::strict);
  const sandbox::MachineProbe& caps = sandbox::cached_machine_probe(judge::default_worker_executable());
  g_probe = &caps;
  // gauntlet doctor's checks, then what this node sees against the plan.
  std::string refusal;
  sandbox::Report report = sandbox::expected_report(caps, mode);
  if (mode == sandbox::Mode::strict) refusal = sandbox::strict_refusal(caps).value_or("");
  if (refusal.empty()) {
    const judge::SandboxSelfTest test = judge::sandbox_self_test(caps, mode);
    report = test.report;
    if (!test.ok(mode))
      refusal = !test.failure.empty()
                    ? "the sandbox self-test failed: " + test.failure
                    : "the sandbox self-test could not activate: " + join(test.report.inactive());
  }
  if (!refusal.empty())
    refusal = "node " + env.node + " cannot judge with the " + manifest.sandbox + " sandbox: " + refusal;
  if (refusal.empty())
    if (const std::string differs = what_differs(challenge, job); !differs.empty())
      refusal = "node " + env.node + " sees other inputs than were planned: " + differs +
                " (is it on a filesystem every node shares?)";

  const json slurm{
      {"manifest", manifest_file.string()}, {"index", index}, {"task_started_at_ns", started_ns}};
  if (!refusal.empty()) {
    log << "[gauntlet] JUDGE_ERROR: " << refusal << "\n";
    judge::JudgeResult result = event::failed_before_judging(challenge, job, refusal);
    result.sandbox = report;
    try {
      json record = store::make_record(result, env, challenge, job.team,
                                       store::EventIdentity{config.name, config.title, config.sha256},
                                       job.identity, entry.force ? 1 : job.attempts + 1);
      record["slurm"] = slurm;
      if (g_cancelled) return kExitFailure;
      store::write_record(job.record, record);
    } catch (const std::exception& e) {
      log << "gauntlet run-job: cannot store the result: " << e.what() << "\n";
      return kExitFailure;
    }
    return kExitOk;
  }

  event::Plan plan;
  plan.split = manifest.split;
  plan.jobs.push_back(job);
  event::RunSettings settings;
  // The CPUs Slurm allotted this task (task/affinity or task/cgroup bind it to them): the
  // judge's thread takes the first, the worker the rest.
  settings.slots = {event::usable_cpus()};
  settings.rejudge = entry.force;
  settings.retry_in_run = false;
  settings.configure = [mode](judge::JudgeOptions& options) {
    options.sandbox = mode;
    options.prepare_next_worker = false;  // one job per task: no worker for nobody
  };
  settings.keep_record = [&](const event::Job&, json& record) {
    // A worker killed by the cancellation dies a moment before the judge is told: a failure
    // seen then is the cancellation's, not the plugin's.
    if (!g_cancelled && record["result"].value("verdict", "") != "OK")
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (g_cancelled) return false;
    record["slurm"] = slurm;
    return true;
  };
  LogObserver observer(log);
  const event::RunSummary summary = event::run_event(config, plan, settings, observer);
  // Cancelled: the watching thread is removing the job's cgroups and ends the process when it
  // is done; returning now would exit under it.
  while (g_cancelled) ::pause();
  return summary.store_errors || summary.judged == 0 ? kExitFailure : kExitOk;
}

}  // namespace gauntlet::cluster
