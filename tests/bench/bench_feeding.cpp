// 3. Data feeding as the batch grows (1, 64, 1024, 8192 Fashion-MNIST samples, 3136 bytes each):
//  a. presentation: each call's inputs are written into the worker's input regions inside the
//     measured time (judge/presentation.hpp); the round trip minus the plugin's own time (the
//     worker's clock around the call) against a plain copy of the same bytes;
//  b. the untimed gather of a timed call's fresh samples (scattered in the evaluation split)
//     into staging, against copying the same random samples with memcpy (its limit);
//  c. the judge's whole per-call work outside the timed interval (output checks, gathering,
//     interference accounting), from judge_plugin() itself: the wall time of each batch size's
//     timed loop minus its calls.
#include "bench.hpp"
#include "judge/presentation.hpp"
#include "judge_env.hpp"
#include "timed_loop.hpp"

#include <cmath>
#include <cstring>
#include <random>

namespace gauntlet::bench {
namespace {

// Each timed call takes fresh samples: the largest batch fits the test split once.
const std::vector<int64_t> kBatches{1, 64, 1024, 8192};
constexpr double kSampleBytes = 784 * 4;

Challenge feeding_challenge() {
  Challenge c = load_challenge_file("challenges/fashion-mnist/challenge.yaml");
  c.timing.batch_sizes = kBatches;
  return c;
}

// "b64_us": a Google Benchmark counter name.
std::string counter(int64_t batch, const char* unit) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "b%lld_%s", static_cast<long long>(batch), unit);
  return buf;
}

const judge::SessionData& feeding_data() {
  static const Challenge c = feeding_challenge();
  static const judge::SessionData d = prepare_data(c);
  return d;
}

void BM_zero_copy(benchmark::State& state) {
  const Challenge c = feeding_challenge();
  const judge::SessionData& data = feeding_data();
  // spin_us: auto with one plugin thread on this machine: the judge spins through the call.
  DirectWorker worker(c, data, test_plugin("null_plugin"), {}, std::chrono::seconds(2), 200);
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    double total = 0;
    for (int64_t batch : kBatches) {
      const int calls = batch >= 8192 ? 300 : batch >= 1024 ? 1000 : 3000;
      std::vector<double> overhead, own;
      for (int i = 0; i < calls + 10; ++i) {
        const int64_t first =
            static_cast<int64_t>(rng() % static_cast<uint64_t>(data.eval_samples - batch + 1));
        const auto o = worker.infer(batch, first);
        if (o.kind != judge::CallOutcome::Kind::ok) throw std::runtime_error("infer failed: " + o.message);
        if (i < 10) continue;  // warm-up
        overhead.push_back(static_cast<double>(o.latency.count()) - static_cast<double>(o.self_reported_ns));
        own.push_back(static_cast<double>(o.self_reported_ns));
        total += static_cast<double>(o.latency.count());
      }
      const Stats s = stats(overhead);
      const std::string key = "feed.zero_copy." + std::to_string(batch);
      set_value(key + ".p10", s.p10);
      set_value(key + ".p50", s.p50);
      set_value(key + ".p90", s.p90);
      set_value(key + ".plugin", stats(own).p50);
      state.counters[counter(batch, "overhead_us")] = s.p50 / 1e3;
    }
    state.SetIterationTime(total * 1e-9);
  }
}

// kind 0: the judge's gather into staging (Presentation::stage_samples); 1: memcpy of the same
// random samples, its limit.
void gather(benchmark::State& state, int kind) {
  const Challenge c = feeding_challenge();
  const judge::SessionData& data = feeding_data();
  judge::Presentation presentation({"image"}, data.data.eval.inputs, kBatches.back());
  const std::size_t sample = static_cast<std::size_t>(kSampleBytes);
  std::vector<std::byte> to(sample * static_cast<std::size_t>(kBatches.back()));
  const std::byte* from = data.data.eval.inputs.at(0).raw();
  std::mt19937_64 rng(1);
  std::vector<int64_t> samples(static_cast<std::size_t>(kBatches.back()));
  for (auto _ : state) {
    double total = 0;
    for (int64_t batch : kBatches) {
      const int calls = batch >= 8192 ? 20 : batch >= 1024 ? 200 : 2000;
      const auto n = static_cast<std::size_t>(batch);
      std::vector<double> ns;
      for (int i = 0; i < calls; ++i) {
        for (auto& k : samples) k = static_cast<int64_t>(rng() % static_cast<uint64_t>(data.eval_samples));
        const auto t0 = Clock::now();
        if (kind == 0) {
          presentation.stage_samples(data.data.eval.inputs, std::span<const int64_t>(samples.data(), n));
        } else {
          for (std::size_t k = 0; k < n; ++k)
            std::memcpy(&to[k * sample], from + static_cast<std::size_t>(samples[k]) * sample, sample);
        }
        ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
        benchmark::ClobberMemory();
      }
      const Stats s = stats(ns);
      total += s.mean * calls;
      const char* names[] = {"stage.", "copy."};
      set_value(std::string("feed.gather.") + names[kind] + std::to_string(batch) + ".p50", s.p50);
      state.counters[counter(batch, "us")] = s.p50 / 1e3;
    }
    state.SetIterationTime(total * 1e-9);
  }
}
void BM_gather_stage(benchmark::State& state) { gather(state, 0); }
void BM_gather_copy(benchmark::State& state) { gather(state, 1); }

// Wall time of each batch size's timed loop, from the judge's progress lines; its calls'
// latencies taken out, the rest is the judge's own work per call.
void BM_judge_per_call(benchmark::State& state) {
  Challenge c = feeding_challenge();
  // Fresh samples for every call: one call at the largest batch, a few at the others.
  c.timing.min_batches = 1;
  c.timing.max_batches = 100000;
  c.timing.min_seconds = 0.05;
  c.timing.warmup_batches = 0;
  const judge::SessionData& data = feeding_data();
  for (auto _ : state) {
    std::vector<std::pair<std::string, Clock::time_point>> marks;
    const auto t0 = Clock::now();
    const judge::JudgeResult r = judge(c, data, test_plugin("null_plugin"), [&](const std::string& line) {
      marks.emplace_back(line, Clock::now());
    });
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - t0).count());
    // "timing batch N" lines open each batch size; the timing phase's total closes the last.
    std::vector<Clock::time_point> starts;
    for (const auto& [line, t] : marks)
      if (line.rfind("timing batch ", 0) == 0) starts.push_back(t);
    if (starts.size() != kBatches.size()) throw std::runtime_error("unexpected progress lines");
    const auto end = starts.front() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(r.seconds.timing));
    for (std::size_t i = 0; i < kBatches.size(); ++i) {
      const LatencySummary& l = r.latency.at(i);
      const auto stop = i + 1 < starts.size() ? starts[i + 1] : end;
      const double wall = std::chrono::duration<double, std::nano>(stop - starts[i]).count();
      const double calls = static_cast<double>(l.calls + c.timing.warmup_batches);
      // Warm-up calls count as typical ones (the median): a rare slow call is not multiplied.
      const double in_calls = l.total_seconds * 1e9 + c.timing.warmup_batches * l.p50_ms * 1e6;
      const double per_call = (wall - in_calls) / calls;
      set_value("feed.judge." + std::to_string(kBatches[i]), per_call);
      state.counters[counter(kBatches[i], "us")] = per_call / 1e3;
    }
  }
}

void rows() {
  const double dram = value("limit.memcpy_dram_gbps").value_or(NAN);
  const double cache = value("limit.memcpy_cache_gbps").value_or(NAN);
  auto copy_ns = [&](int64_t batch) {  // what copying the batch's inputs costs at memcpy speed
    const double bytes = kSampleBytes * static_cast<double>(batch);
    return bytes / (bytes <= (1 << 20) ? cache : dram);
  };
  for (int64_t b : kBatches) {
    const std::string key = "feed.zero_copy." + std::to_string(b);
    if (!value(key + ".p50")) break;
    const double p50 = *value(key + ".p50");
    add_row(
        {"3a. presenting a batch of " + std::to_string(b) + ": round trip - plugin's own time",
         us(p50) + " [" + fmt(*value(key + ".p10") / 1e3, 3) + "-" + fmt(*value(key + ".p90") / 1e3, 3) + "]",
         "-", "", "copying the batch in: " + us(copy_ns(b), 1), ratio(p50 / copy_ns(b))});
  }
  for (int64_t b : kBatches) {
    const std::string key = std::to_string(b);
    if (!value("feed.gather.stage." + key + ".p50")) break;
    const double stage = *value("feed.gather.stage." + key + ".p50");
    const double copy = value("feed.gather.copy." + key + ".p50").value_or(NAN);
    add_row({"3b. gathering fresh samples (untimed), batch " + key, us(stage, 2), "-", "",
             "memcpy of the same random samples: " + us(copy, 2), ratio(stage / copy)});
  }
  for (int64_t b : kBatches) {
    const std::string key = "feed.judge." + std::to_string(b);
    if (!value(key)) break;
    const double copy = value("feed.gather.copy." + std::to_string(b) + ".p50").value_or(NAN);
    add_row({"3c. judge's work per timed call outside it, batch " + std::to_string(b), us(*value(key), 2),
             "-", "", "copying the same random samples: " + us(copy, 2), ratio(*value(key) / copy)});
  }
}

}  // namespace

void register_feeding() {
  register_manual("feeding/presentation_round_trip", BM_zero_copy, 1, benchmark::kMillisecond);
  register_manual("feeding/gather_fresh_samples", BM_gather_stage, 1, benchmark::kMillisecond);
  register_manual("feeding/copy_random_samples_limit", BM_gather_copy, 1, benchmark::kMillisecond);
  register_manual("feeding/judge_work_per_timed_call", BM_judge_per_call, 1, benchmark::kMillisecond);
  on_summary(rows);
}

}  // namespace gauntlet::bench
