#include "judge/timed_phase.hpp"

#include "judge/cpu_budget.hpp"

#include <algorithm>
#include <cstdio>

namespace gauntlet::judge {
namespace {

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

Clock::time_point call_deadline(const TimedPhaseSpec& spec) {
  const auto own = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                      spec.challenge->limits.ms_per_batch / 1000));
  return std::min(own, spec.total_deadline);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

std::optional<std::string> unreliable_reason(int64_t counted, int64_t disturbed, int64_t min_batches,
                                             bool samples_ran_out, int64_t budget) {
  char buf[320];
  if (counted < min_batches) {
    if (samples_ran_out)
      std::snprintf(
          buf, sizeof buf,
          "only %lld undisturbed calls (timing.min_batches is %lld, %lld calls disturbed): the %lld fresh "
          "samples this batch size could use ran out; a larger evaluation split, fewer or smaller batch "
          "sizes, or a lower min_batches would fit",
          static_cast<long long>(counted), static_cast<long long>(min_batches),
          static_cast<long long>(disturbed), static_cast<long long>(budget));
    else
      std::snprintf(
          buf, sizeof buf,
          "only %lld undisturbed calls (timing.min_batches is %lld): %lld calls were disturbed by other "
          "tasks on the machine",
          static_cast<long long>(counted), static_cast<long long>(min_batches),
          static_cast<long long>(disturbed));
    return std::string(buf);
  }
  const int64_t total = counted + disturbed;
  if (total > 0 && static_cast<double>(disturbed) > kMaxDisturbedShare * static_cast<double>(total)) {
    std::snprintf(
        buf, sizeof buf,
        "%lld of %lld calls were disturbed by other tasks on the machine (more than %.0f%%): the machine "
        "was too busy for the undisturbed ones to be trusted",
        static_cast<long long>(disturbed), static_cast<long long>(total), 100 * kMaxDisturbedShare);
    return std::string(buf);
  }
  return std::nullopt;
}

TimedPhaseResult run_timed_phase(CallSite& site, SampleSchedule& schedule, ConsistencyCheck* consistency,
                                 const TimedPhaseSpec& spec) {
  TimedPhaseResult out;
  const Challenge& c = *spec.challenge;
  const TimingRules& rules = c.timing;
  const int64_t batch = spec.batch;
  BatchMeasurement& m = out.measurement;
  m.batch_size = batch;
  m.sample_budget = spec.budget;
  const std::size_t per_sample = site.outputs.count() > 0 ? site.outputs.sample_bytes(0) / sizeof(float) : 0;
  auto record_answers = [&](std::span<const int64_t> samples) {
    if (!consistency) return;
    const auto* answers = reinterpret_cast<const float*>(site.outputs.snapshot_data(0));
    for (std::size_t k = 0; k < samples.size(); ++k)
      consistency->record(samples[k], answers + k * per_sample);
  };

  // Warm-up: untimed, bounded by the per-call limit like every call.
  const std::string warm = "infer() warm-up call with batch " + std::to_string(batch);
  for (int i = 0; i < rules.warmup_batches; ++i) {
    std::span<const int64_t> fresh;
    if (spec.warmup_inputs) {
      const int64_t n = spec.warmup_inputs->front().samples();
      const int64_t count = std::min(batch, n);
      const int64_t first = n > count ? (static_cast<int64_t>(i) * count) % (n - count + 1) : 0;
      site.presentation.stage_range(*spec.warmup_inputs, first, count);
    } else {
      fresh = schedule.take(batch);
      if (fresh.empty()) break;  // nothing fresh left to warm up with: the timed calls will say so
      site.presentation.stage_samples(*spec.eval_inputs, fresh);
    }
    const auto deadline = call_deadline(spec);
    CallReport r = site.call(batch, site.presentation.staged(), deadline, warm, /*timed=*/false);
    if (!r.ok()) {
      out.failure = CallFailure{std::move(r), warm, deadline, i == 0};
      return out;
    }
    record_answers(fresh);
  }

  // Timed calls.
  if (spec.watch_job_threads) spec.watch_job_threads();  // threads started by the warm-ups too
  const std::string call = "timed infer() with batch " + std::to_string(batch);
  std::vector<double> latencies, staging, disturbed_latencies;
  latencies.reserve(static_cast<std::size_t>(rules.min_batches));
  int64_t disturbed = 0, fresh_used = 0;
  bool ran_out = false;
  const std::optional<double> cpu_start = spec.job_cpu_seconds ? spec.job_cpu_seconds() : std::nullopt;
  const auto t0 = Clock::now();
  const auto min_duration = std::chrono::duration<double>(rules.min_seconds);
  for (;;) {
    const auto counted = static_cast<int64_t>(latencies.size());
    if (counted >= rules.max_batches) break;
    if (counted >= rules.min_batches && Clock::now() - t0 >= min_duration) break;
    if (disturbed > 2 * std::max<int64_t>(rules.min_batches, counted)) break;
    if (fresh_used + batch > spec.budget) {
      ran_out = true;
      break;
    }
    const std::span<const int64_t> samples = schedule.take(batch);
    if (samples.empty()) {
      ran_out = true;
      break;
    }
    fresh_used += batch;
    site.presentation.stage_samples(*spec.eval_inputs, samples);
    const auto deadline = call_deadline(spec);
    CallReport r = site.call(batch, batch, deadline, call, /*timed=*/true);
    if (!r.ok()) {
      out.failure = CallFailure{std::move(r), call, deadline, false};
      return out;
    }
    record_answers(samples);
    const auto ns = static_cast<uint64_t>(r.answer.latency.count());
    if (is_disturbed(r.run_delay_ns, ns, spec.disturbance_floor_ns)) {
      ++disturbed;
      m.disturbed_wait_ms_max = std::max(m.disturbed_wait_ms_max, static_cast<double>(r.run_delay_ns) * 1e-6);
      disturbed_latencies.push_back(static_cast<double>(ns));
      continue;
    }
    latencies.push_back(static_cast<double>(ns));
    staging.push_back(static_cast<double>(r.answer.staging.count()) * 1e-6);
    out.self_reported_ns += r.answer.self_reported_ns;
    out.host_ns += ns;
  }
  const auto t1 = Clock::now();
  m.wall_seconds = seconds_between(t0, t1);
  if (cpu_start && spec.job_cpu_seconds)
    if (const std::optional<double> cpu_end = spec.job_cpu_seconds()) {
      m.cpu_seconds = *cpu_end - *cpu_start;
      out.cpu_excess =
          cpu_over_budget(m.cpu_seconds, m.wall_seconds, c.limits.threads, "the " + call + " calls");
    }
  m.fresh_samples = fresh_used;
  m.disturbed_calls = disturbed;
  m.staging_p50_ms = median(staging);
  // No undisturbed call at all: the disturbed ones are all there is. Slower, never faster, than
  // the truth, and flagged below.
  const auto counted = static_cast<int64_t>(latencies.size());
  out.latency = summarize_latencies(batch, latencies.empty() ? disturbed_latencies : latencies);
  if (const auto why = unreliable_reason(counted, disturbed, rules.min_batches, ran_out, spec.budget)) {
    m.reliable = false;
    m.unreliable_reason = *why;
  }
  return out;
}

}  // namespace gauntlet::judge
