// judge_plugin(): the phases of one judging, in order (judge.hpp). Each phase is a method that
// returns false once something went wrong, having recorded the evidence; finish() then
// decides the verdict from the evidence alone (verdict.hpp). The units a phase uses live in
// their own files: the presentation of inputs, the output checks, the timed phase, the
// consistency check, the interference accounting, the post-mortem.
#include "common/sha256.hpp"
#include "common/text.hpp"
#include "common/utc_time.hpp"
#include "ipc/protocol.hpp"
#include "judge/call_site.hpp"
#include "judge/consistency.hpp"
#include "judge/cpu_budget.hpp"
#include "judge/interference.hpp"
#include "judge/judge.hpp"
#include "judge/output_slots.hpp"
#include "judge/plugin_status.hpp"
#include "judge/post_mortem.hpp"
#include "judge/presentation.hpp"
#include "judge/result_values.hpp"
#include "judge/sample_schedule.hpp"
#include "judge/secret_stream.hpp"
#include "judge/spin_policy.hpp"
#include "judge/thread_affinity.hpp"
#include "judge/timed_phase.hpp"
#include "sandbox/job_sandbox.hpp"
#include "sandbox/process_group_cpu.hpp"

#include <gauntlet/plugin_api.h>

#include <algorithm>
#include <csignal>
#include <cstring>

namespace gauntlet::judge {
namespace {

// The file-size limit, which is also the size of the private /tmp (memory): at most this.
constexpr uint64_t kMaxFileBytes = 64ull << 20;

std::string format_mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

sandbox::ResourceLimits job_limits(const Challenge& c) {
  sandbox::ResourceLimits l;
  l.memory_bytes = static_cast<uint64_t>(c.limits.memory_mb) << 20;
  l.threads = c.limits.threads;
  // A backstop only (RLIMIT_CPU): the budget is checked against the wall clock.
  l.cpu_seconds = c.limits.threads * c.limits.total_seconds + 1;
  l.file_bytes = std::min(kMaxFileBytes, l.memory_bytes);
  return l;
}

ipc::TensorSpecInfo spec_info(const TensorSpec& spec) {
  return {spec.name, std::string(dtype_name(spec.dtype)), spec.shape};
}

class Session {
 public:
  Session(const Challenge& c, const SessionData& d, const JudgeOptions& o, JudgeResult& r)
      : challenge_(c), data_(d), options_(o), result_(r), secret_(SecretStream::fresh()) {}

  void run() {
    start_ = Clock::now();
    total_deadline_ = start_ + seconds(challenge_.limits.total_seconds);
    if (!identify_plugin()) return;
    if (!start_worker()) return;
    if (!set_up()) return;
    if (!train()) return;
    if (!begin_serving()) return;
    if (!time_batch_sizes()) return;
    if (!evaluate()) return;
    shut_down();
  }

  // Only the judge's own failures (allocation, I/O) come here: they never blame the plugin.
  void judge_failed(const std::string& what) { evidence_.judge_failure = what; }

  void finish() {
    if (client_) {
      // A plugin that failed politely (an error status, a bad output) still gets its
      // destroy(), as the ABI promises; anything worse is killed outright.
      const bool polite_failure = (evidence_.plugin_error || evidence_.bad_output) && !evidence_.time_limit &&
                                  !evidence_.worker_death && !evidence_.protocol_violation;
      if (polite_failure && client_->process().alive()) {
        auto deadline = Clock::now() + std::chrono::seconds(2);
        if (!serving_ || client_->end_serving(secret_.next(), deadline).ok()) client_->destroy(deadline);
      } else if (!shut_down_cleanly_) {
        client_->process().kill_all();
      }
      // Whatever happened, the worker and everything it started are gone after this.
      ExitStatus exit = client_->process().wait(std::chrono::milliseconds(2000));
      result_.worker_exit = exit.describe();
      result_.worker_stdout = client_->process().stdout_capture();
      result_.worker_stderr = client_->process().stderr_capture();
      examine_remains(exit);
      client_.reset();
    }
    if (sandbox_) {
      result_.sandbox = sandbox_->report();
      sandbox_.reset();  // removes the job's cgroups, now empty
    }
    result_.decision = decide(evidence_);
    result_.seconds.total = std::chrono::duration<double>(Clock::now() - start_).count();
    if (result_.decision.verdict == Verdict::ok) compute_results();
    result_.finished_at = utc_timestamp();
  }

 private:
  static Clock::duration seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  void progress(const std::string& line) {
    if (options_.progress) options_.progress(line);
  }
  // The deadline of a step: its own limit, unless the whole judging ends first.
  Clock::time_point deadline_in(double limit_seconds) const {
    return std::min(Clock::now() + seconds(limit_seconds), total_deadline_);
  }
  std::string limit_text(const std::string& own_limit, Clock::time_point deadline) const {
    if (deadline >= total_deadline_)
      return "the whole judging limit of " + format_number(challenge_.limits.total_seconds) +
             " s (limits.total_seconds)";
    return own_limit;
  }
  std::string setup_limit() const {
    return limit_text(
        "the setup limit of " + format_number(challenge_.limits.setup_seconds) + " s (limits.setup_seconds)",
        setup_deadline_);
  }
  std::string per_call_limit(Clock::time_point deadline) const {
    return limit_text("the per-call limit of " + format_number(challenge_.limits.ms_per_batch) +
                          " ms (limits.ms_per_batch)",
                      deadline);
  }

  // Turns a failed step into evidence. Returns true when the step succeeded. Everything the
  // worker reports after the plugin loaded is the plugin's doing (the worker is its process):
  // none of it can become JUDGE_ERROR.
  bool check(const CallOutcome& o, const std::string& step, const std::string& limit) {
    switch (o.kind) {
      case CallOutcome::Kind::ok:
        return true;
      case CallOutcome::Kind::plugin_error:
        evidence_.plugin_error = step + " failed (" + plugin_status_name(o.status) + "): " + o.message;
        // An allocation that failed is how the memory limit shows where it is RLIMIT_DATA (no
        // memory cgroup), and how a plugin that checks its allocations reports any limit.
        if (o.status == GAUNTLET_OUT_OF_MEMORY)
          evidence_.memory_limit = step + " ran out of memory under the limit of " +
                                   format_mib(sandbox_->limits().memory_bytes) +
                                   " (the plugin returned OUT_OF_MEMORY): " + o.message;
        break;
      case CallOutcome::Kind::worker_failure:
        evidence_.plugin_error =
            "the worker, which runs the plugin, could not carry out " + step + ": " + o.message;
        break;
      case CallOutcome::Kind::timed_out:
        client_->process().kill_all();
        evidence_.time_limit = step + " did not finish within " + limit;
        break;
      case CallOutcome::Kind::worker_died: {
        ExitStatus exit = client_->process().wait(std::chrono::milliseconds(500));
        evidence_.worker_death = "the worker died during " + step + " (" + exit.describe() + ")";
        died_during_ = step;
        break;
      }
      case CallOutcome::Kind::protocol_error:
        client_->process().kill_all();
        evidence_.protocol_violation = "the worker broke the protocol during " + step + ": " + o.message;
        break;
    }
    return false;
  }

  bool check_call(const CallReport& r, const std::string& call, Clock::time_point deadline) {
    CallOutcome c;
    c.kind = r.answer.kind;
    c.status = r.answer.status;
    c.message = r.answer.message;
    if (!check(c, call, per_call_limit(deadline))) return false;
    if (r.output_fault) {
      evidence_.bad_output = *r.output_fault;
      return false;
    }
    return true;
  }

  bool identify_plugin() {
    result_.plugin_path = options_.plugin.string();
    try {
      result_.plugin_sha256 = sha256_file_hex(options_.plugin);
    } catch (const std::exception& e) {
      // sha256_file_hex refuses anything but a regular file, saying what it is instead.
      evidence_.load_failure = std::string("cannot read the plugin file: ") + e.what();
      return false;
    }
    return true;
  }

  // The judge's own core, when the job has one to spare beyond the plugin's budget: the two
  // never share a core (on a shared one, each waits for the other's time slice). Without
  // given CPUs, the job's are those this thread may run on.
  std::vector<int> worker_cpus() {
    const std::vector<int> cpus = options_.cpus.empty() ? affinity_.cpus() : options_.cpus;
    if (static_cast<int>(cpus.size()) > challenge_.limits.threads && affinity_.pin_to(cpus.front())) {
      judge_has_own_core_ = true;
      return {cpus.begin() + 1, cpus.end()};
    }
    return options_.cpus;
  }

  bool start_worker() {
    progress("loading " + options_.plugin.filename().string());
    try {
      sandbox::JobSpec spec;
      spec.mode = options_.sandbox;
      spec.plugin = std::filesystem::absolute(options_.plugin);
      if (!options_.asset_dir.empty()) spec.asset_dir = std::filesystem::absolute(options_.asset_dir);
      spec.limits = job_limits(challenge_);
      const std::vector<int> cpus = worker_cpus();
      spec.limits.cpus = cpus;  // a cpuset keeps the plugin on them
      spec.debuggable = options_.debuggable;
      sandbox_ = std::make_unique<sandbox::JobSandbox>(
          spec, options_.debuggable ? sandbox::machine_probe_without_spawning()
                                    : sandbox::cached_machine_probe(options_.worker_executable));
      client_ = std::make_unique<WorkerClient>(options_.worker_executable, spec.plugin, cpus, sandbox_.get(),
                                               /*pooled=*/true, options_.prepare_next_worker);
    } catch (const std::exception& e) {
      evidence_.judge_failure = e.what();
      return false;
    }
    setup_deadline_ = deadline_in(challenge_.limits.setup_seconds);
    HelloOutcome hello = client_->hello(setup_deadline_);
    result_.resources.spawn_to_ready_seconds = hello.ready_seconds;
    if (hello.sandbox_failure) {
      // Reported before any plugin code ran: the judge's machine, not the plugin.
      evidence_.judge_failure = "the worker could not set up the strict sandbox: " + *hello.sandbox_failure;
      return false;
    }
    if (hello.load_failure) {
      evidence_.load_failure = *hello.load_failure;
      return false;
    }
    if (hello.abi_mismatch) {
      evidence_.abi_mismatch = *hello.abi_mismatch;
      return false;
    }
    if (!check(hello.call, "loading the plugin", setup_limit())) return false;
    result_.plugin = hello.identity;
    return true;
  }

  // The job's own copy of the training tensors, truncated when train() returns.
  std::vector<RegionSpec> training_regions() {
    std::vector<RegionSpec> regions;
    auto add = [&](const HostTensor& t, const std::string& role, const std::string& name) {
      RegionSpec r;
      r.role = role;
      r.name = name;
      r.dtype = std::string(dtype_name(t.dtype));
      r.shape = t.shape;
      r.samples = t.samples();
      r.memory = ipc::SharedMemory::create("train." + name, t.bytes());
      std::memcpy(r.memory->data(), t.raw(), t.bytes());
      r.memory->seal_read_only_revocable();
      training_memory_.push_back(r.memory);
      regions.push_back(std::move(r));
    };
    const auto& train = data_.data.train;
    for (std::size_t i = 0; i < train.inputs.size(); ++i)
      add(train.inputs[i], ipc::role::kTrainInput, challenge_.inputs[i].name);
    add(train.targets, ipc::role::kTrainTarget, challenge_.target.name);
    return regions;
  }

  bool set_up() {
    ipc::CreateRequest create;
    create.threads = static_cast<uint32_t>(challenge_.limits.threads);
    create.challenge_id = challenge_.id;
    create.seed = options_.seed;
    create.config = {challenge_.plugin_config.begin(), challenge_.plugin_config.end()};
    if (!check(client_->create(create, setup_deadline_), "create()", setup_limit())) return false;

    will_train_ = challenge_.training_allowed && result_.plugin &&
                  (result_.plugin->capabilities & GAUNTLET_CAP_TRAIN) && !data_.data.train.inputs.empty() &&
                  data_.train_samples > 0;
    std::vector<RegionSpec> regions;
    try {
      std::vector<std::string> names;
      for (const auto& spec : challenge_.inputs) names.push_back(spec.name);
      presentation_ = std::make_unique<Presentation>(names, data_.data.eval.inputs, data_.max_batch);
      outputs_ = std::make_unique<OutputSlots>(challenge_.outputs, data_.max_batch);
      regions = presentation_->regions();
      for (auto& r : outputs_->regions()) regions.push_back(std::move(r));
      if (will_train_)
        for (auto& r : training_regions()) regions.push_back(std::move(r));
    } catch (const std::exception& e) {
      evidence_.judge_failure = e.what();
      return false;
    }
    if (!check(client_->send_regions(regions, setup_deadline_), "mapping the data", setup_limit()))
      return false;

    ipc::PrepareRequest prepare;
    for (const auto& s : challenge_.inputs) prepare.inputs.push_back(spec_info(s));
    for (const auto& s : challenge_.outputs) prepare.outputs.push_back(spec_info(s));
    prepare.batch_sizes = announced_batch_sizes(challenge_);
    if (!check(client_->prepare(prepare, setup_deadline_), "prepare()", setup_limit())) return false;
    result_.seconds.setup = std::chrono::duration<double>(Clock::now() - start_).count();
    return true;
  }

  bool train() {
    if (!will_train_) return true;
    progress("training on " + std::to_string(data_.train_samples) + " samples");
    const double limit = challenge_.limits.train_seconds;
    auto deadline = deadline_in(limit);
    // should_cancel() turns on at 90% of the budget: a cooperative plugin stops in time.
    auto cancel_at = Clock::now() + seconds(0.9 * limit);
    CallOutcome o = client_->train(limit, cancel_at, deadline);
    result_.seconds.train = o.host_seconds;
    // The ABI: training data is valid during train() only. Truncated now, so that a plugin
    // that kept the pointers (to train on in its first infer(), say) faults instead.
    revoke_training_data();
    if (o.kind == CallOutcome::Kind::plugin_error && o.status == GAUNTLET_CANCELLED &&
        Clock::now() >= cancel_at) {
      // The ABI's promise: stopping when asked is not a failure; the model is judged as is.
      result_.warnings.push_back("training stopped early at the judge's request (should_cancel)");
      o.kind = CallOutcome::Kind::ok;
    }
    result_.trained = o.ok();
    return check(
        o, "train()",
        limit_text("the training limit of " + format_number(limit) + " s (limits.train_seconds)", deadline));
  }

  void revoke_training_data() {
    for (auto& memory : training_memory_)
      if (!memory->revoke())
        evidence_.judge_failure = "cannot revoke the training data (" + memory->name() + ")";
    training_revoked_ = !training_memory_.empty();
    training_memory_.clear();
  }

  bool begin_serving() {
    double batch_input_bytes = 0;
    for (const auto& t : data_.data.eval.inputs) batch_input_bytes += static_cast<double>(t.sample_bytes());
    batch_input_bytes *= static_cast<double>(data_.max_batch);
    const int judge_cores = judge_has_own_core_ ? challenge_.limits.threads + 1 : affinity_.cores();
    CallOutcome serving =
        client_->begin_serving(host_spin(challenge_, judge_cores),
                               worker_spin_us(challenge_, batch_input_bytes, !judge_has_own_core_),
                               deadline_in(challenge_.limits.setup_seconds));
    if (!check(serving, "starting to serve", setup_limit())) return false;
    serving_ = true;
    site_ = std::make_unique<CallSite>(CallSite{*client_, *presentation_, *outputs_, secret_, watch_});
    return true;
  }

  // The processes whose threads run the plugin's calls: the job's, less the worker's own
  // supervisor and pid-namespace init (idle, and not the plugin's), whose waits would only
  // cost reads.
  std::vector<pid_t> plugin_processes() const {
    const pid_t supervisor = client_->process().pid();
    std::vector<pid_t> all = sandbox_->processes(supervisor), out;
    for (pid_t p : all)
      if (all.size() < 3 || (p != supervisor && sandbox::parent_of(p) != supervisor)) out.push_back(p);
    return out.empty() ? all : out;
  }

  std::optional<double> job_cpu_seconds() const {
    if (std::optional<double> cgroup = sandbox_->cpu_seconds()) return cgroup;
    return sandbox::process_group_cpu_seconds(client_->process().pid());
  }

  bool time_batch_sizes() {
    const auto t_all = Clock::now();
    const bool warm_on_training = !data_.data.train.inputs.empty() && data_.train_samples > 0;
    Measurement& m = result_.measurement;
    m.sample_key = secret_.key_hex();
    m.warmup_samples =
        warm_on_training ? "training split" : "evaluation split (those are not timed afterwards)";
    const auto& sizes = challenge_.timing.batch_sizes;
    schedule_ = std::make_unique<SampleSchedule>(data_.eval_samples, secret_);
    int64_t available = data_.eval_samples;
    if (!warm_on_training)
      for (int64_t b : sizes) available -= b * challenge_.timing.warmup_batches;
    available = std::max<int64_t>(0, available);
    m.fresh_samples = available;
    const std::vector<int64_t> budgets = plan_sample_budgets(sizes, challenge_.timing.min_batches, available);
    if (challenge_.outputs.front().dtype == DType::f32)
      consistency_ =
          std::make_unique<ConsistencyCheck>(consistency_rule(challenge_, data_.data.eval.targets),
                                             data_.eval_samples, outputs_->sample_bytes(0) / sizeof(float));

    uint64_t self_ns = 0, host_ns = 0;
    int64_t carried = 0;  // fresh samples a smaller batch size left unused
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      progress("timing batch " + std::to_string(sizes[i]));
      TimedPhaseSpec spec;
      spec.batch = sizes[i];
      spec.budget = budgets[i] + carried;
      spec.challenge = &challenge_;
      spec.total_deadline = total_deadline_;
      spec.warmup_inputs = warm_on_training ? &data_.data.train.inputs : nullptr;
      spec.eval_inputs = &data_.data.eval.inputs;
      spec.job_cpu_seconds = [this] { return job_cpu_seconds(); };
      spec.watch_job_threads = [this] { watch_.watch_processes(plugin_processes()); };
      spec.disturbance_floor_ns = judge_has_own_core_ ? kDisturbanceFloorNs : kSharedCoreFloorNs;
      TimedPhaseResult phase = run_timed_phase(*site_, *schedule_, consistency_.get(), spec);
      if (phase.failure) {
        const CallFailure& f = *phase.failure;
        check_call(f.report, f.call, f.deadline);
        return false;
      }
      if (phase.cpu_excess) {
        evidence_.time_limit = *phase.cpu_excess;
        client_->process().kill_all();
        return false;
      }
      carried = std::max<int64_t>(0, spec.budget - phase.measurement.fresh_samples);
      self_ns += phase.self_reported_ns;
      host_ns += phase.host_ns;
      if (!phase.measurement.reliable) {
        result_.warnings.push_back("latency at batch " + std::to_string(sizes[i]) +
                                   " is unreliable: " + phase.measurement.unreliable_reason);
        if (m.reliable)
          m.reason = "batch " + std::to_string(sizes[i]) + ": " + phase.measurement.unreliable_reason;
        m.reliable = false;
      }
      result_.latency.push_back(phase.latency);
      m.batches.push_back(phase.measurement);
    }
    m.timed_samples = schedule_->used();
    result_.seconds.timing = std::chrono::duration<double>(Clock::now() - t_all).count();
    note_self_report(self_ns, host_ns);
    return true;
  }

  // The worker times each call too (recorded, never scored). Its time cannot exceed the
  // judge's, which includes it; far below means the judge's overhead or a false report.
  void note_self_report(uint64_t self_ns, uint64_t host_ns) {
    if (host_ns == 0) return;
    result_.self_reported_ratio = static_cast<double>(self_ns) / static_cast<double>(host_ns);
    char buf[200];
    if (result_.self_reported_ratio > 1.05) {
      std::snprintf(
          buf, sizeof buf,
          "the worker's self-reported infer time is %.0f%% of the judge's measurement (more than the "
          "whole call): the self-report is false",
          100 * result_.self_reported_ratio);
      result_.warnings.push_back(buf);
    }
  }

  // Every sample, in order, untimed: the answers that are scored, and what the timed answers
  // are checked against.
  bool evaluate() {
    const int64_t batch = challenge_.timing.eval_batch_size;
    progress("evaluating " + std::to_string(data_.eval_samples) + " samples (batch " + std::to_string(batch) +
             ")");
    const auto t0 = Clock::now();
    const TensorSpec& out_spec = challenge_.outputs[0];
    std::vector<int64_t> shape = out_spec.shape;
    shape[0] = data_.eval_samples;
    eval_outputs_ = HostTensor::allocate(out_spec.dtype, shape);
    const std::size_t out_sample = outputs_->sample_bytes(0);
    for (int64_t first = 0; first < data_.eval_samples; first += batch) {
      const int64_t real = std::min(batch, data_.eval_samples - first);
      presentation_->stage_range(data_.data.eval.inputs, first, real);
      const auto deadline = deadline_in(challenge_.limits.ms_per_batch / 1000);
      const std::string call =
          "infer() on evaluation samples " + std::to_string(first) + ".." + std::to_string(first + real - 1);
      const CallReport r = site_->call(batch, real, deadline, call, /*timed=*/false);
      if (!check_call(r, call, deadline)) return false;
      std::memcpy(eval_outputs_.raw() + static_cast<std::size_t>(first) * out_sample,
                  outputs_->snapshot_data(0), static_cast<std::size_t>(real) * out_sample);
    }
    result_.seconds.eval = std::chrono::duration<double>(Clock::now() - t0).count();
    if (consistency_) {
      consistency_->compare(eval_outputs_.as<float>());
      Measurement& m = result_.measurement;
      m.consistency_checked = consistency_->checked();
      m.consistency_mismatched = consistency_->mismatched();
      m.consistency_rule = consistency_->rule().describe();
      if (auto why = consistency_->failure()) {
        evidence_.bad_output = *why;
        return false;
      }
    }
    return true;
  }

  // Between calls a plugin's threads must be idle; the worker itself now blocks on its
  // socket. Any CPU time the job still uses is the plugin's (kernel accounting). A thread
  // that wants a CPU but waits for one (a busy machine) is not idle either: its run-queue
  // wait counts with its CPU time.
  bool check_idle() {
    watch_.watch_processes(sandbox_->processes(client_->process().pid()));
    // CPU time plus run-queue wait: a thread waiting for a CPU on a busy machine is not idle.
    std::optional<std::string> busy = wait_for_idle([this]() -> std::optional<double> {
      const std::optional<double> cpu = job_cpu_seconds();
      if (!cpu) return std::nullopt;
      return *cpu + static_cast<double>(watch_.job_run_delay_ns()) * 1e-9;
    });
    if (!busy) return true;
    evidence_.time_limit = std::move(busy);
    client_->process().kill_all();
    return false;
  }

  void shut_down() {
    auto deadline = deadline_in(std::max(5.0, challenge_.limits.setup_seconds));
    if (!check(client_->end_serving(secret_.next(), deadline), "leaving the serving loop", setup_limit()))
      return;
    serving_ = false;
    if (!check_idle()) return;
    shut_down_cleanly_ = check(client_->destroy(deadline), "destroy()", setup_limit());
  }

  // What the kernel saw, once the worker is gone (post_mortem.hpp).
  void examine_remains(const ExitStatus& exit) {
    PostMortemInput in;
    in.exit = exit;
    in.usage = client_->process().usage();
    // The cgroup counts every thread of the job, reaped or not.
    if (std::optional<double> cpu = sandbox_->cpu_seconds())
      in.usage.cpu_seconds = std::max(in.usage.cpu_seconds, *cpu);
    in.stats = sandbox_->cgroup_stats();
    in.limits = sandbox_->limits();
    if (!exit.exited && exit.code == SIGSYS) in.violation = client_->violation();
    in.died_during = died_during_;
    in.training_revoked = training_revoked_;
    in.timed_out = evidence_.time_limit.has_value();
    PostMortem pm = post_mortem(in);
    const double ready = result_.resources.spawn_to_ready_seconds;
    result_.resources = pm.resources;
    result_.resources.spawn_to_ready_seconds = ready;
    using Field = std::optional<std::string> Evidence::*;
    for (Field field : {&Evidence::security_violation, &Evidence::memory_limit, &Evidence::time_limit,
                        &Evidence::worker_death})
      if (pm.evidence.*field) evidence_.*field = pm.evidence.*field;
    for (auto& w : pm.warnings) result_.warnings.push_back(std::move(w));
  }

  void compute_results() {
    result_.quality = compute_quality_metrics(challenge_, eval_outputs_, data_.data.eval.targets);
    result_.variables = result_variable_values(result_.quality, result_.latency, result_.seconds.train);
    result_.score = evaluate_score(challenge_.score, result_.variables);
  }

  const Challenge& challenge_;
  const SessionData& data_;
  const JudgeOptions& options_;
  JudgeResult& result_;

  Evidence evidence_;
  SecretStream secret_;
  ThreadAffinity affinity_;
  bool judge_has_own_core_ = false;
  std::unique_ptr<sandbox::JobSandbox> sandbox_;  // outlives the client (cgroups, /tmp)
  std::unique_ptr<WorkerClient> client_;
  std::unique_ptr<Presentation> presentation_;
  std::unique_ptr<OutputSlots> outputs_;
  std::vector<std::shared_ptr<ipc::SharedMemory>> training_memory_;
  RunDelayWatch watch_;
  std::unique_ptr<CallSite> site_;
  std::unique_ptr<SampleSchedule> schedule_;
  std::unique_ptr<ConsistencyCheck> consistency_;
  HostTensor eval_outputs_;
  std::string died_during_;
  Clock::time_point start_, total_deadline_, setup_deadline_;
  bool will_train_ = false;
  bool training_revoked_ = false;
  bool serving_ = false;
  bool shut_down_cleanly_ = false;
};

}  // namespace

JudgeResult judge_plugin(const Challenge& challenge, const SessionData& data, const JudgeOptions& options) {
  JudgeResult result;
  result.started_at = utc_timestamp();
  result.challenge_id = challenge.id;
  result.challenge_title = challenge.title;
  result.challenge_sha256 = challenge.sha256;
  result.challenge_file = challenge.file.string();
  result.seed = options.seed;
  result.eval_samples = data.eval_samples;
  try {
    Session session(challenge, data, options, result);
    try {
      session.run();
    } catch (const std::exception& e) {
      session.judge_failed(e.what());
    }
    session.finish();
  } catch (const std::exception& e) {
    // The session itself could not be set up (no randomness from the kernel, say).
    result.decision = Decision{Verdict::judge_error, e.what()};
    result.finished_at = utc_timestamp();
  }
  result.train_samples = result.trained ? data.train_samples : 0;
  return result;
}

}  // namespace gauntlet::judge
