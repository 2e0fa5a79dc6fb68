#include "judge/judge_session.hpp"

#include "common/sha256.hpp"
#include "ipc/protocol.hpp"
#include "ipc/shared_memory.hpp"

#include <gauntlet/plugin_api.h>

#include <sched.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <random>

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
      client_.reset();
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
        break;
      case CallOutcome::Kind::timed_out:
        client_->process().kill_all();
        evidence_.time_limit = step + " did not finish within " + limit;
        break;
      case CallOutcome::Kind::worker_died: {
        ExitStatus exit = client_->process().wait(std::chrono::milliseconds(500));
        evidence_.worker_death = "the worker died during " + step + " (" + exit.describe() + ")";
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
      evidence_.load_failure = std::string("cannot read the plugin file: ") + e.what();
      return false;
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(options_.plugin, ec)) {
      evidence_.load_failure = "the plugin path is not a regular file: " + options_.plugin.string();
      return false;
    }
    return true;
  }

  bool start_worker() {
    progress("loading " + options_.plugin.filename().string());
    try {
      client_ = std::make_unique<WorkerClient>(options_.worker_executable,
                                               std::filesystem::absolute(options_.plugin), options_.cpus);
    } catch (const std::exception& e) {
      evidence_.judge_failure = e.what();
      return false;
    }
    setup_deadline_ = deadline_in(challenge_.limits.setup_seconds);
    HelloOutcome hello = client_->hello(setup_deadline_);
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
      regions.push_back(r);
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

  // Checks the first `samples` outputs of the last call. `first_sample` maps them back to
  // evaluation samples for the message.
  bool outputs_valid(int64_t samples, const std::string& call) {
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      if (challenge_.outputs[i].dtype != DType::f32) continue;
      const std::size_t per_sample = output_sample_bytes_[i] / 4;
      const std::size_t n = static_cast<std::size_t>(samples) * per_sample;
      const auto* words = reinterpret_cast<const uint32_t*>(outputs_[i]->data());
      const auto* values = reinterpret_cast<const float*>(outputs_[i]->data());
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
  bool warm_up(int64_t batch) {
    for (int i = 0; i < challenge_.timing.warmup_batches; ++i) {
      const bool first = i == 0;
      const double limit_s =
          first ? std::max(challenge_.limits.setup_seconds, challenge_.limits.ms_per_batch / 1000)
                : challenge_.limits.ms_per_batch / 1000;
      auto deadline = deadline_in(limit_s);
      mark_outputs_unwritten(batch);
      auto o = client_->infer(batch, window_start(batch), deadline);
      std::string call = "infer() warm-up call with batch " + std::to_string(batch);
      std::string own = first ? "the first-call limit of " + format_ms(limit_s) + " s (limits.setup_seconds)"
                              : per_batch_limit();
      if (!infer_ok(o, call, deadline, own)) return false;
    }
    return true;
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
  // The worker spins between calls, when the plugin is idle; the judge posts the next request
  // within microseconds, so a short spin catches it without a futex wake.
  uint32_t worker_spin_us() const {
    return challenge_.timing.spin_auto ? 200u : static_cast<uint32_t>(challenge_.timing.spin_us);
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
      std::memcpy(eval_outputs_.raw() + static_cast<std::size_t>(first) * out_sample, outputs_[0]->data(),
                  static_cast<std::size_t>(real) * out_sample);
      if (!outputs_valid(real, call)) return false;
    }
    result_.seconds.eval = std::chrono::duration<double>(Clock::now() - t0).count();
    return true;
  }

  bool time_batches() {
    auto t_all = Clock::now();
    uint64_t self_ns = 0, host_ns = 0;
    for (int64_t batch : challenge_.timing.batch_sizes) {
      progress("timing batch " + std::to_string(batch));
      if (!warm_up(batch)) return false;
      std::vector<double> latencies;
      auto t0 = Clock::now();
      const auto min_duration = seconds(challenge_.timing.min_seconds);
      while (static_cast<int>(latencies.size()) < challenge_.timing.max_batches) {
        if (static_cast<int>(latencies.size()) >= challenge_.timing.min_batches &&
            Clock::now() - t0 >= min_duration)
          break;
        const int64_t first = window_start(batch);
        mark_outputs_unwritten(batch);
        auto deadline = deadline_in(challenge_.limits.ms_per_batch / 1000);
        auto o = client_->infer(batch, first, deadline);
        const std::string call = "timed infer() with batch " + std::to_string(batch);
        if (!infer_ok(o, call, deadline, per_batch_limit())) return false;
        if (!outputs_valid(std::min(batch, data_.eval_samples), call)) return false;
        latencies.push_back(static_cast<double>(o.latency.count()));
        self_ns += o.self_reported_ns;
        host_ns += static_cast<uint64_t>(o.latency.count());
      }
      result_.latency.push_back(summarize_latencies(batch, latencies));
    }
    result_.seconds.timing = std::chrono::duration<double>(Clock::now() - t_all).count();
    if (host_ns > 0)
      result_.self_reported_ratio = static_cast<double>(self_ns) / static_cast<double>(host_ns);
    return true;
  }

  void shut_down() {
    auto deadline = deadline_in(std::max(5.0, challenge_.limits.setup_seconds));
    if (!check(client_->end_serving(deadline), "leaving the serving loop", setup_limit())) return;
    serving_ = false;
    shut_down_cleanly_ = check(client_->destroy(deadline), "destroy()", setup_limit());
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

  Evidence evidence_;
  std::unique_ptr<WorkerClient> client_;
  Clock::time_point start_, total_deadline_, setup_deadline_;
  std::vector<std::shared_ptr<ipc::SharedMemory>> outputs_;
  std::vector<std::size_t> output_sample_bytes_;
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
