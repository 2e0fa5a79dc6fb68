// A Google Benchmark loop that also keeps every iteration's time (steady_clock around the
// body, as the judge times a call), for medians and tail percentiles.
#pragma once

#include "bench.hpp"

#include <benchmark/benchmark.h>

#include <vector>

namespace gauntlet::bench {

// Runs `body` once per iteration (the benchmark must UseManualTime()) and returns the
// per-iteration nanoseconds. `body` may return a duration in ns of its own (>= 0) to replace
// the measured one (e.g. a latency measured inside), or a negative number to keep it.
template <class Body>
std::vector<double> timed_loop(benchmark::State& state, Body&& body) {
  std::vector<double> ns;
  ns.reserve(static_cast<std::size_t>(state.max_iterations));
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const double own = body();
    const auto t1 = Clock::now();
    const double measured = own >= 0 ? own : std::chrono::duration<double, std::nano>(t1 - t0).count();
    ns.push_back(measured);
    state.SetIterationTime(measured * 1e-9);
  }
  return ns;
}

// Counters of a latency sample in microseconds, shown by Google Benchmark's reporter.
inline void latency_counters(benchmark::State& state, const Stats& s) {
  state.counters["p50_us"] = s.p50 / 1e3;
  state.counters["p99_us"] = s.p99 / 1e3;
  state.counters["p99.9_us"] = s.p999 / 1e3;
}

// Registers a benchmark that reports the time it measured itself (SetIterationTime), for a
// fixed number of iterations: how every figure of the suite is registered.
inline void register_manual(const char* name, void (*fn)(benchmark::State&), int64_t iterations,
                            benchmark::TimeUnit unit) {
  benchmark::RegisterBenchmark(name, fn)->Iterations(iterations)->UseManualTime()->Unit(unit);
}

}  // namespace gauntlet::bench
