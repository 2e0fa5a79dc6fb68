#include "judge/judge_session.hpp"

#include "common/sha256.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"
#include "judge/timing_inputs.hpp"
#include "sandbox/job_sandbox.hpp"
#include "sandbox/process_group_cpu.hpp"
#include "sandbox/seccomp_policy.hpp"

#include <gauntlet/plugin_api.h>

#include <sched.h>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>
#include <random>
#include <thread>

namespace gauntlet::judge {

std::string utc_timestamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

using json = nlohmann::json;

// How long `spin_us: auto` spins before sleeping when the plugin needs every core.
constexpr int64_t kAutoSpinUs = 50;

// Written into every output element before each call: a quiet NaN with a payload no
// arithmetic produces, so that an element the plugin did not write is told apart from a NaN
// it computed.
constexpr uint32_t kUnwrittenPattern = 0x7fc0dead;

std::string status_name(int32_t status) {
  switch (status) {
    case GAUNTLET_ERROR:
      return "ERROR";
    case GAUNTLET_INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case GAUNTLET_UNSUPPORTED:
      return "UNSUPPORTED";
    case GAUNTLET_OUT_OF_MEMORY:
      return "OUT_OF_MEMORY";
    case GAUNTLET_CANCELLED:
      return "CANCELLED";
    default:
      return "status " + std::to_string(status);
  }
}

std::string format_ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", ms);
  return buf;
}

// The file-size limit, which is also the size of the private /tmp (memory): at most this.
constexpr uint64_t kMaxFileBytes = 64ull << 20;

// A plugin may use up to limits.threads cores; beyond this much more CPU time than that over
// the worker's life, threads were kept busy between calls (or the budget was ignored). The
// slack covers the worker's own supervisor processes (a few milliseconds).
constexpr double kCpuTolerance = 1.05;
constexpr double kCpuSlackSeconds = 0.05;

// After the last call the plugin must fall idle. OpenMP runtimes spin a while after a
// parallel region (Intel's KMP_BLOCKTIME: 200 ms), so the judge samples the job's CPU time in
// short intervals for up to kIdleGrace and accepts the first quiet one.
constexpr auto kIdleInterval = std::chrono::milliseconds(25);
constexpr auto kIdleGrace = std::chrono::milliseconds(400);
constexpr double kIdleCpuShare = 0.2;  // of one core

// Timed outputs must match the evaluation pass's for the same samples within this (relative
// to max(1, |value|)): timed inputs differ from those by one unit in the last place.
constexpr double kConsistencyTolerance = 1e-3;

std::string format_mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

sandbox::ResourceLimits job_limits(const Challenge& c) {
  sandbox::ResourceLimits l;
  l.memory_bytes = static_cast<uint64_t>(c.limits.memory_mb) << 20;
  l.threads = c.limits.threads;
  // A backstop only (RLIMIT_CPU): the budget is checked against the wall clock at the end.
  l.cpu_seconds = c.limits.threads * c.limits.total_seconds + 1;
  l.file_bytes = std::min(kMaxFileBytes, l.memory_bytes);
  return l;
}

json spec_json(const TensorSpec& spec) {
  return json{{"name", spec.name}, {"dtype", std::string(dtype_name(spec.dtype))}, {"shape", spec.shape}};
}

class Session {
 public:
  Session(const Challenge& c, const SessionData& d, const JudgeOptions& o, JudgeResult& r)
      : challenge_(c), data_(d), options_(o), result_(r) {}

  void run() {
    start_ = Clock::now();
    total_deadline_ = start_ + seconds(challenge_.limits.total_seconds);
    if (!identify_plugin()) return;
    if (!start_worker()) return;
    if (!setup()) return;
    if (!train()) return;
    if (!evaluate()) return;
    if (!time_batches()) return;
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
        if (!serving_ || client_->end_serving(deadline).ok()) client_->destroy(deadline);
      } else if (!shut_down_cleanly_) {
        client_->process().kill_all();
      }
      // Whatever happened, the worker and everything it started are gone after this.
      ExitStatus exit = client_->process().wait(std::chrono::milliseconds(2000));
      result_.worker_exit = exit.describe();
      result_.worker_stdout = client_->process().stdout_capture();
      result_.worker_stderr = client_->process().stderr_capture();
      post_mortem(exit);
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
  Clock::time_point deadline_in(double limit_seconds) {
    return std::min(Clock::now() + seconds(limit_seconds), total_deadline_);
  }
  std::string limit_text(const std::string& own_limit, Clock::time_point deadline) const {
    if (deadline >= total_deadline_)
      return "the whole judging limit of " + format_ms(challenge_.limits.total_seconds) +
             " s (limits.total_seconds)";
    return own_limit;
  }

  // Turns a failed step into evidence. Returns true when the step succeeded.
  bool check(const CallOutcome& o, const std::string& step, const std::string& limit) {
    switch (o.kind) {
      case CallOutcome::Kind::ok:
        return true;
      case CallOutcome::Kind::plugin_error:
        evidence_.plugin_error = step + " failed (" + status_name(o.status) + "): " + o.message;
        // An allocation that failed is how the memory limit shows where it is RLIMIT_DATA (no
        // memory cgroup), and how a plugin that checks its allocations reports any limit.
        if (o.status == GAUNTLET_OUT_OF_MEMORY)
          evidence_.memory_limit = step + " ran out of memory under the limit of " +
                                   format_mib(sandbox_->limits().memory_bytes) +
                                   " (the plugin returned OUT_OF_MEMORY): " + o.message;
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
      case CallOutcome::Kind::worker_failure:
        client_->process().kill_all();
        evidence_.judge_failure = "the worker could not carry out " + step + ": " + o.message;
        break;
    }
    return false;
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

  bool start_worker() {
    progress("loading " + options_.plugin.filename().string());
    try {
      sandbox::JobSpec spec;
      spec.mode = options_.sandbox;
      spec.plugin = std::filesystem::absolute(options_.plugin);
      if (!options_.asset_dir.empty()) spec.asset_dir = std::filesystem::absolute(options_.asset_dir);
      spec.limits = job_limits(challenge_);
      spec.limits.cpus = options_.cpus;  // a cpuset keeps the plugin on them
      spec.debuggable = options_.debuggable;
      sandbox_ = std::make_unique<sandbox::JobSandbox>(
          spec, options_.debuggable ? sandbox::capabilities_without_spawning()
                                    : sandbox::cached_capabilities(options_.worker_executable));
      client_ = std::make_unique<WorkerClient>(options_.worker_executable, spec.plugin, options_.cpus,
                                               sandbox_.get(), /*pooled=*/true, options_.prepare_next_worker);
    } catch (const std::exception& e) {
      evidence_.judge_failure = e.what();
      return false;
    }
    setup_deadline_ = deadline_in(challenge_.limits.setup_seconds);
    HelloOutcome hello = client_->hello(setup_deadline_);
    result_.resources.spawn_to_ready_seconds = hello.ready_seconds;
    if (hello.sandbox_failure) {
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

  std::string setup_limit() const {
    return limit_text(
        "the setup limit of " + format_ms(challenge_.limits.setup_seconds) + " s (limits.setup_seconds)",
        setup_deadline_);
  }

  bool setup() {
    json config = json::array();
    for (const auto& [k, v] : challenge_.plugin_config) config.push_back({k, v});
    json create{{"threads", challenge_.limits.threads},
                {"challenge_id", challenge_.id},
                {"seed", options_.seed},
                {"config", config}};
    if (!check(client_->create(create, setup_deadline_), "create()", setup_limit())) return false;

    // Output regions: one per output, as large as the largest batch.
    std::vector<RegionSpec> regions = data_.eval_regions;
    for (const auto& spec : challenge_.outputs) {
      RegionSpec r;
      r.role = ipc::role::kOutput;
      r.name = spec.name;
      r.dtype = std::string(dtype_name(spec.dtype));
      r.shape = spec.shape;
      r.shape[0] = data_.max_batch;
      r.samples = data_.max_batch;
      std::size_t sample = dtype_size(spec.dtype);
      for (std::size_t d = 1; d < spec.shape.size(); ++d) sample *= static_cast<std::size_t>(spec.shape[d]);
      output_sample_bytes_.push_back(sample);
      try {
        r.memory = ipc::SharedMemory::create("output." + spec.name,
                                             sample * static_cast<std::size_t>(data_.max_batch));
      } catch (const std::exception& e) {
        evidence_.judge_failure = e.what();
        return false;
      }
      outputs_.push_back(r.memory);
      snapshot_.emplace_back(sample * static_cast<std::size_t>(data_.max_batch));
      regions.push_back(r);
    }
    // Fresh inputs for timed calls (the caching defence, see fill_timing_inputs()).
    for (std::size_t i = 0; i < data_.eval_regions.size(); ++i) {
      const RegionSpec& in = data_.eval_regions[i];
      const HostTensor& source = data_.data.eval.inputs[i];  // what `in` was laid out from
      RegionSpec t = in;
      t.role = ipc::role::kTimingInput;
      t.shape[0] = data_.max_batch;
      t.samples = data_.max_batch;
      const std::size_t sample = source.sample_bytes();
      try {
        t.memory = ipc::SharedMemory::create("timing." + in.name,
                                             sample * static_cast<std::size_t>(data_.max_batch));
        t.memory->seal_read_only_for_others();
      } catch (const std::exception& e) {
        evidence_.judge_failure = e.what();
        return false;
      }
      timing_inputs_.push_back({t.memory, in.memory, sample, source.dtype == DType::f32});
      regions.push_back(t);
    }
    will_train_ = challenge_.training_allowed && result_.plugin &&
                  (result_.plugin->capabilities & GAUNTLET_CAP_TRAIN) && !data_.train_regions.empty();
    if (will_train_) regions.insert(regions.end(), data_.train_regions.begin(), data_.train_regions.end());
    if (!check(client_->send_regions(regions, setup_deadline_), "mapping the data", setup_limit()))
      return false;

    json inputs = json::array(), outputs = json::array();
    for (const auto& s : challenge_.inputs) inputs.push_back(spec_json(s));
    for (const auto& s : challenge_.outputs) outputs.push_back(spec_json(s));
    json prepare{
        {"inputs", inputs}, {"outputs", outputs}, {"batch_sizes", announced_batch_sizes(challenge_)}};
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
    if (o.kind == CallOutcome::Kind::plugin_error && o.status == GAUNTLET_CANCELLED &&
        Clock::now() >= cancel_at) {
      // The ABI's promise: stopping when asked is not a failure; the model is judged as is.
      result_.warnings.push_back("training stopped early at the judge's request (should_cancel)");
      o.kind = CallOutcome::Kind::ok;
    }
    result_.trained = o.ok();
    return check(
        o, "train()",
        limit_text("the training limit of " + format_ms(limit) + " s (limits.train_seconds)", deadline));
  }

  // Fills the output regions with the unwritten marker (only float outputs can carry it).
  void mark_outputs_unwritten(int64_t batch) {
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      if (challenge_.outputs[i].dtype != DType::f32) continue;
      auto* words = reinterpret_cast<uint32_t*>(outputs_[i]->data());
      std::fill_n(words, static_cast<std::size_t>(batch) * output_sample_bytes_[i] / 4, kUnwrittenPattern);
    }
  }

  // Copies the first `samples` outputs of the call that just returned: what a plugin thread
  // writes afterwards changes nothing that is checked, compared or scored.
  void snapshot_outputs(int64_t samples) {
    for (std::size_t i = 0; i < outputs_.size(); ++i)
      std::memcpy(snapshot_[i].data(), outputs_[i]->data(),
                  static_cast<std::size_t>(samples) * output_sample_bytes_[i]);
  }

  // Checks the first `samples` outputs of the last call's snapshot.
  bool outputs_valid(int64_t samples, const std::string& call) {
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      if (challenge_.outputs[i].dtype != DType::f32) continue;
      const std::size_t per_sample = output_sample_bytes_[i] / 4;
      const std::size_t n = static_cast<std::size_t>(samples) * per_sample;
      const auto* words = reinterpret_cast<const uint32_t*>(snapshot_[i].data());
      const auto* values = reinterpret_cast<const float*>(snapshot_[i].data());
      // One branch-free pass first: the unwritten marker is a NaN, so outputs without any
      // Inf or NaN are valid and need no closer look.
      uint32_t special = 0;
      for (std::size_t k = 0; k < n; ++k)
        special |= static_cast<uint32_t>((words[k] & 0x7f800000u) == 0x7f800000u);
      if (special == 0) continue;
      for (std::size_t k = 0; k < n; ++k) {
        if (words[k] == kUnwrittenPattern) {
          evidence_.bad_output = "output '" + challenge_.outputs[i].name + "' was not written at sample " +
                                 std::to_string(k / per_sample) + " of the batch (element " +
                                 std::to_string(k % per_sample) + ") by " + call;
          return false;
        }
        if (!std::isfinite(values[k])) {
          evidence_.bad_output = "output '" + challenge_.outputs[i].name + "' holds " +
                                 (std::isnan(values[k]) ? "NaN" : "Inf") + " at sample " +
                                 std::to_string(k / per_sample) + " of the batch (element " +
                                 std::to_string(k % per_sample) + ") after " + call;
          return false;
        }
      }
    }
    return true;
  }

  bool infer_ok(const WorkerClient::InferOutcome& o, const std::string& call, Clock::time_point deadline,
                const std::string& own_limit) {
    CallOutcome c;
    c.kind = o.kind;
    c.status = o.status;
    c.message = o.message;
    return check(c, call, limit_text(own_limit, deadline));
  }

  std::string per_batch_limit() const {
    return "the per-call limit of " + format_ms(challenge_.limits.ms_per_batch) + " ms (limits.ms_per_batch)";
  }

  // Untimed calls at batch size `batch`. The first call of a batch size may take as long as
  // setup (lazy initialisation, JIT compilation); the others have the per-call limit.
  // `timed`: the warm-up of a timed batch size, on timing inputs.
  bool warm_up(int64_t batch, bool timed = false) {
    for (int i = 0; i < challenge_.timing.warmup_batches; ++i) {
      const bool first = i == 0;
      const double limit_s =
          first ? std::max(challenge_.limits.setup_seconds, challenge_.limits.ms_per_batch / 1000)
                : challenge_.limits.ms_per_batch / 1000;
      auto deadline = deadline_in(limit_s);
      mark_outputs_unwritten(batch);
      if (timed) fill_timing_inputs(batch);
      auto o = timed ? client_->infer(batch, 0, deadline, 1)
                     : client_->infer(batch, window_start(batch), deadline);
      std::string call = "infer() warm-up call with batch " + std::to_string(batch);
      std::string own = first ? "the first-call limit of " + format_ms(limit_s) + " s (limits.setup_seconds)"
                              : per_batch_limit();
      if (!infer_ok(o, call, deadline, own)) return false;
      // Untimed, but still a call: every element written, nothing late.
      const int64_t checked = timed ? batch : std::min(batch, data_.eval_samples);
      snapshot_outputs(checked);
      if (!outputs_valid(checked, call)) return false;
      if (timed) compare_with_evaluation(batch);
    }
    return true;
  }

  // The caching defence (MLPerf's TEST04 idea, made strict). Every timed call reads inputs
  // the plugin has never seen: `batch` evaluation samples drawn at random (with replacement),
  // each normal float nudged by one unit in the last place at random, written into the timing
  // region just before the call. A plugin that remembers outputs by input content or by
  // address gains nothing; and compare_with_evaluation() checks that timed calls answer as the
  // evaluation pass did for the same samples, so that it cannot answer them differently either.
  void fill_timing_inputs(int64_t batch) {
    timing_samples_.resize(static_cast<std::size_t>(batch));
    for (auto& sample : timing_samples_)
      sample = static_cast<int64_t>(rng_() % static_cast<uint64_t>(data_.eval_samples));
    // One fused copy-and-perturb pass per region, at close to memcpy speed (timing_inputs.hpp).
    for (auto& t : timing_inputs_)
      refresh_timing_inputs(t.timing->data(), t.eval->data(), t.sample_bytes, timing_samples_.data(),
                            static_cast<std::size_t>(batch), t.f32, rng_);
  }

  // After a call on timing inputs: its outputs against the evaluation pass's for the same
  // samples. Counted here, judged at the end of the timed passes.
  void compare_with_evaluation(int64_t batch) {
    if (challenge_.outputs[0].dtype != DType::f32) return;
    const std::size_t per_sample = output_sample_bytes_[0] / 4;
    const auto* got = reinterpret_cast<const float*>(snapshot_[0].data());
    const auto* want = reinterpret_cast<const float*>(eval_outputs_.raw());
    for (int64_t k = 0; k < batch; ++k) {
      const int64_t sample = timing_samples_[static_cast<std::size_t>(k)];
      ++consistency_checked_;
      const float* g = got + static_cast<std::size_t>(k) * per_sample;
      const float* w = want + static_cast<std::size_t>(sample) * per_sample;
      // Branch-free first (vectorised); a sample that differs is looked at element by element.
      bool differs = false;
      for (std::size_t e = 0; e < per_sample; ++e)
        differs |= !(std::abs(static_cast<double>(g[e]) - w[e]) <=
                     kConsistencyTolerance * std::max(1.0, std::abs(static_cast<double>(w[e]))));
      if (!differs) continue;
      for (std::size_t e = 0; e < per_sample; ++e) {
        const double a = g[e];
        const double b = w[e];
        if (std::abs(a - b) <= kConsistencyTolerance * std::max(1.0, std::abs(b))) continue;
        if (consistency_mismatched_++ == 0) {
          char buf[160];
          std::snprintf(buf, sizeof buf,
                        "e.g. evaluation sample %lld, element %zu: timed %.6g, evaluation %.6g",
                        static_cast<long long>(sample), e, a, b);
          consistency_example_ = buf;
        }
        break;
      }
    }
  }

  // Where a batch of `batch` samples starts: a seeded random window of the evaluation set,
  // so that consecutive timed calls do not replay the same inputs.
  int64_t window_start(int64_t batch) {
    const int64_t last = std::max<int64_t>(0, data_.eval_samples - batch);
    if (last == 0) return 0;
    return static_cast<int64_t>(rng_() % static_cast<uint64_t>(last + 1));
  }

  // The spin-then-block policy (TimingRules::spin_auto, docs/performance.md). Spinning is
  // exact (the answer is seen within ~0.1 us) but holds a core; a sleeping judge leaves the
  // core to the plugin but wakes late (~80 us on a VM). `auto` spins through the whole call
  // when the job's cores (this thread's affinity, set by the event runner) outnumber the
  // plugin's thread budget, so the spinner takes nothing from the plugin.
  std::chrono::nanoseconds host_spin() const {
    const auto& t = challenge_.timing;
    if (!t.spin_auto) return std::chrono::nanoseconds(static_cast<int64_t>(t.spin_us * 1000));
    cpu_set_t set;
    CPU_ZERO(&set);
    const int cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    if (challenge_.limits.threads < cores)
      return std::chrono::nanoseconds(static_cast<int64_t>(challenge_.limits.ms_per_batch * 1e6));
    return std::chrono::microseconds(kAutoSpinUs);
  }
  // The worker spins between calls, when the plugin is idle (so the spin takes nothing from
  // it), until the judge posts the next request. Between timed calls the judge refreshes the
  // timing inputs, about one pass over the largest batch's bytes: `auto` spins twice that at
  // 1 GB/s, so that no timed call starts with a futex wake-up (~5-80 us); at least 200 us, and
  // at most 10 ms, which bounds what a worker sharing the judge's core (an overloaded machine:
  // each then waits for the other's spin to end) adds to every call.
  uint32_t worker_spin_us() const {
    if (!challenge_.timing.spin_auto) return static_cast<uint32_t>(challenge_.timing.spin_us);
    double refresh_bytes = 0;
    for (const auto& t : timing_inputs_) refresh_bytes += static_cast<double>(t.sample_bytes);
    refresh_bytes *= static_cast<double>(data_.max_batch);
    return static_cast<uint32_t>(std::clamp(2 * refresh_bytes / 1e3, 200.0, 10000.0));
  }

  bool evaluate() {
    CallOutcome serving =
        client_->begin_serving(host_spin(), worker_spin_us(), deadline_in(challenge_.limits.setup_seconds));
    if (!check(serving, "starting to serve", setup_limit())) return false;
    serving_ = true;
    rng_.seed(options_.seed);

    const int64_t batch = challenge_.timing.eval_batch_size;
    progress("evaluating " + std::to_string(data_.eval_samples) + " samples (batch " + std::to_string(batch) +
             ")");
    if (!warm_up(batch)) return false;
    auto t0 = Clock::now();

    const TensorSpec& out_spec = challenge_.outputs[0];
    std::vector<int64_t> shape = out_spec.shape;
    shape[0] = data_.eval_samples;
    eval_outputs_ = HostTensor::allocate(out_spec.dtype, shape);
    const std::size_t out_sample = output_sample_bytes_[0];

    for (int64_t first = 0; first < data_.eval_samples; first += batch) {
      const int64_t real = std::min(batch, data_.eval_samples - first);
      mark_outputs_unwritten(batch);
      auto deadline = deadline_in(challenge_.limits.ms_per_batch / 1000);
      auto o = client_->infer(batch, first, deadline);
      const std::string call =
          "infer() on evaluation samples " + std::to_string(first) + ".." + std::to_string(first + real - 1);
      if (!infer_ok(o, call, deadline, per_batch_limit())) return false;
      // Snapshot now: later writes by a stray plugin thread change nothing.
      snapshot_outputs(real);
      std::memcpy(eval_outputs_.raw() + static_cast<std::size_t>(first) * out_sample, snapshot_[0].data(),
                  static_cast<std::size_t>(real) * out_sample);
      if (!outputs_valid(real, call)) return false;
    }
    result_.seconds.eval = std::chrono::duration<double>(Clock::now() - t0).count();
    return true;
  }

  bool time_batches() {
    auto t_all = Clock::now();
    uint64_t self_ns = 0, host_ns = 0, calls = 0;
    for (int64_t batch : challenge_.timing.batch_sizes) {
      progress("timing batch " + std::to_string(batch));
      if (!warm_up(batch, true)) return false;
      std::vector<double> latencies;
      latencies.reserve(static_cast<std::size_t>(challenge_.timing.min_batches));
      // Built once: between two calls the judge does only what it must (docs/performance.md).
      const std::string call = "timed infer() with batch " + std::to_string(batch), limit = per_batch_limit();
      auto t0 = Clock::now();
      const auto min_duration = seconds(challenge_.timing.min_seconds);
      while (static_cast<int>(latencies.size()) < challenge_.timing.max_batches) {
        if (static_cast<int>(latencies.size()) >= challenge_.timing.min_batches &&
            Clock::now() - t0 >= min_duration)
          break;
        mark_outputs_unwritten(batch);
        fill_timing_inputs(batch);
        auto deadline = deadline_in(challenge_.limits.ms_per_batch / 1000);
        auto o = client_->infer(batch, 0, deadline, 1);
        if (!infer_ok(o, call, deadline, limit)) return false;
        snapshot_outputs(batch);
        if (!outputs_valid(batch, call)) return false;
        compare_with_evaluation(batch);
        latencies.push_back(static_cast<double>(o.latency.count()));
        ++calls;
        self_ns += o.self_reported_ns;
        host_ns += static_cast<uint64_t>(o.latency.count());
      }
      result_.latency.push_back(summarize_latencies(batch, latencies));
    }
    result_.seconds.timing = std::chrono::duration<double>(Clock::now() - t_all).count();
    if (host_ns > 0) {
      result_.self_reported_ratio = static_cast<double>(self_ns) / static_cast<double>(host_ns);
      // The worker times each call too (recorded, never scored). Its time cannot exceed the
      // host's, which includes it; far below means the host's overhead or a false report.
      char buf[200];
      if (result_.self_reported_ratio > 1.05) {
        std::snprintf(
            buf, sizeof buf,
            "the worker's self-reported infer time is %.0f%% of the host's measurement (more than the "
            "whole call): the self-report is false",
            100 * result_.self_reported_ratio);
        result_.warnings.push_back(buf);
      } else if (result_.self_reported_ratio < 0.05 && calls > 0 && host_ns / calls > 1000000) {
        std::snprintf(buf, sizeof buf,
                      "the worker's self-reported infer time is only %.0f%% of the host's measurement",
                      100 * result_.self_reported_ratio);
        result_.warnings.push_back(buf);
      }
    }
    // More than 1% of the samples (a rare flip at a decision boundary is tolerated).
    if (consistency_mismatched_ * 100 > consistency_checked_) {
      evidence_.bad_output = "timed calls answered " + std::to_string(consistency_mismatched_) + " of " +
                             std::to_string(consistency_checked_) +
                             " samples differently from the evaluation pass (" + consistency_example_ +
                             "): outputs must not depend on timing or on earlier calls";
      return false;
    }
    return true;
  }

  // CPU time of the whole job: its cgroup's accounting, or without one, the scheduler's run
  // time of every thread in the worker's process group (which the plugin cannot leave).
  std::optional<double> job_cpu_seconds() const {
    if (std::optional<double> cgroup = sandbox_->cpu_seconds()) return cgroup;
    return sandbox::process_group_cpu_seconds(client_->process().pid());
  }

  // Between calls a plugin's threads must be idle; the worker itself now blocks on its
  // socket. Any CPU time the job still uses is the plugin's (kernel accounting).
  bool check_idle() {
    std::optional<double> before = job_cpu_seconds();
    if (!before) return true;
    const auto give_up = Clock::now() + kIdleGrace;
    double share = 0;
    for (auto t0 = Clock::now();;) {
      std::this_thread::sleep_for(kIdleInterval);
      const std::optional<double> now = job_cpu_seconds();
      const auto t1 = Clock::now();
      if (!now) return true;
      share = (*now - *before) / std::chrono::duration<double>(t1 - t0).count();
      if (share < kIdleCpuShare) return true;
      if (t1 >= give_up) break;
      before = now;
      t0 = t1;
    }
    char buf[240];
    std::snprintf(
        buf, sizeof buf,
        "plugin threads kept running after the last call returned (%.0f%% of a core, still after %lld ms): "
        "threads must be idle between calls",
        100 * share, static_cast<long long>(kIdleGrace.count()));
    evidence_.time_limit = buf;
    client_->process().kill_all();
    return false;
  }

  void shut_down() {
    auto deadline = deadline_in(std::max(5.0, challenge_.limits.setup_seconds));
    if (!check(client_->end_serving(deadline), "leaving the serving loop", setup_limit())) return;
    serving_ = false;
    if (!check_idle()) return;
    shut_down_cleanly_ = check(client_->destroy(deadline), "destroy()", setup_limit());
  }

  // What the kernel saw, once the worker is gone: how it ended, its memory and its CPU time.
  // Sandbox kills become evidence here; decide() sorts out which verdict wins.
  void post_mortem(const ExitStatus& exit) {
    const std::string during = died_during_.empty() ? std::string() : " during " + died_during_;
    ResourceUsage usage = client_->process().usage();
    // The cgroup counts every thread of the job, reaped or not.
    if (std::optional<double> cpu = sandbox_->cpu_seconds())
      usage.cpu_seconds = std::max(usage.cpu_seconds, *cpu);
    const sandbox::JobCgroup::Stats stats = sandbox_->cgroup_stats();
    const sandbox::ResourceLimits& limits = sandbox_->limits();
    JobResources& res = result_.resources;
    res.memory_limit_bytes = limits.memory_bytes;
    res.max_rss_bytes = usage.max_rss_bytes;
    res.cpu_seconds = usage.cpu_seconds;
    res.wall_seconds = usage.wall_seconds;
    res.oom_kills = stats.oom_kills;
    res.threads_refused = stats.pids_refused;
    if (stats.peak_bytes) {
      res.peak_memory_bytes = stats.peak_bytes;
      res.peak_memory_source = stats.peak_source;
    } else {
      res.peak_memory_bytes = usage.max_rss_bytes;
      res.peak_memory_source = "wait4 ru_maxrss (no memory cgroup)";
    }
    const bool signalled = !exit.exited;
    if (signalled && exit.code == SIGSYS) {
      const std::optional<int> nr = client_->violation();
      evidence_.security_violation = nr ? "the plugin called " + sandbox::syscall_name(*nr) + "()" + during +
                                              ", which the sandbox forbids"
                                        : "the plugin made a system call the sandbox forbids" + during +
                                              " (killed by SIGSYS; the call was not reported)";
    }
    if (stats.oom_kills > 0)
      evidence_.memory_limit = "the worker exceeded its memory limit of " + format_mib(limits.memory_bytes) +
                               " (limits.memory_mb)" + during + ": the kernel's OOM killer ended it";
    else if (!signalled && exit.code == ipc::kWorkerOutOfMemoryExit)
      evidence_.memory_limit = "the worker ran out of memory under the limit of " +
                               format_mib(limits.memory_bytes) + " (limits.memory_mb)" + during +
                               ": an allocation failed (std::bad_alloc)";
    else if (signalled && exit.code == SIGXFSZ)
      evidence_.memory_limit = "the plugin wrote a file larger than the file-size limit of " +
                               format_mib(limits.file_bytes) + during + " (its private /tmp is memory)";
    if (!evidence_.time_limit) {
      char buf[240];
      // SIGXCPU at the soft limit; SIGKILL a second later at the hard one, if SIGXCPU was caught.
      if (signalled &&
          (exit.code == SIGXCPU || (exit.code == SIGKILL && usage.cpu_seconds >= limits.cpu_seconds))) {
        std::snprintf(buf, sizeof buf, "the worker used up its CPU-time limit of %.0f s (RLIMIT_CPU)%s",
                      limits.cpu_seconds, during.c_str());
        evidence_.time_limit = buf;
      } else if (usage.cpu_seconds > limits.threads * usage.wall_seconds * kCpuTolerance + kCpuSlackSeconds) {
        std::snprintf(buf, sizeof buf,
                      "the worker used %.2f s of CPU time in %.2f s, more than limits.threads = %d allows: "
                      "threads must be idle between calls, and no more than the budget",
                      usage.cpu_seconds, usage.wall_seconds, limits.threads);
        evidence_.time_limit = buf;
      }
    }
    if (stats.pids_refused > 0)
      result_.warnings.push_back("the thread limit (" + std::to_string(sandbox::task_limit(limits)) +
                                 " tasks: limits.threads + the worker's own) refused " +
                                 std::to_string(stats.pids_refused) + " thread creation(s)");
  }

  void compute_results() {
    result_.quality = compute_quality_metrics(challenge_, eval_outputs_, data_.data.eval.targets);
    auto& vars = result_.variables;
    for (const auto& [name, value] : result_.quality) vars[name] = value;
    for (const auto& l : result_.latency) {
      const std::string b = "_b" + std::to_string(l.batch_size);
      vars["latency_ms_p50" + b] = l.p50_ms;
      vars["latency_ms_p90" + b] = l.p90_ms;
      vars["latency_ms_p99" + b] = l.p99_ms;
      vars["latency_ms_mean" + b] = l.mean_ms;
      vars["throughput" + b] = l.throughput;
    }
    if (!result_.latency.empty()) {
      vars["latency_ms"] = result_.latency.front().p50_ms;
      vars["throughput"] = result_.latency.back().throughput;
    }
    vars["train_seconds"] = result_.seconds.train;
    result_.score = evaluate_score(challenge_.score, vars);
  }

  const Challenge& challenge_;
  const SessionData& data_;
  const JudgeOptions& options_;
  JudgeResult& result_;

  // A sandbox input region the host refreshes before each timed call, and its source.
  struct TimingInput {
    std::shared_ptr<ipc::SharedMemory> timing, eval;
    std::size_t sample_bytes = 0;
    bool f32 = false;
  };

  Evidence evidence_;
  std::unique_ptr<sandbox::JobSandbox> sandbox_;  // outlives the client (cgroups, /tmp)
  std::unique_ptr<WorkerClient> client_;
  std::string died_during_;
  std::vector<TimingInput> timing_inputs_;
  std::vector<int64_t> timing_samples_;  // evaluation samples behind the last timed call
  uint64_t consistency_checked_ = 0, consistency_mismatched_ = 0;
  std::string consistency_example_;
  Clock::time_point start_, total_deadline_, setup_deadline_;
  std::vector<std::shared_ptr<ipc::SharedMemory>> outputs_;
  std::vector<std::size_t> output_sample_bytes_;
  std::vector<std::vector<std::byte>> snapshot_;  // each output of the last call, copied at once
  HostTensor eval_outputs_;
  bool will_train_ = false;
  bool serving_ = false;
  bool shut_down_cleanly_ = false;
  std::mt19937_64 rng_;
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
  result.train_samples = data.train_samples;
  Session session(challenge, data, options, result);
  try {
    session.run();
  } catch (const std::exception& e) {
    session.judge_failed(e.what());
  }
  session.finish();
  return result;
}

}  // namespace gauntlet::judge
