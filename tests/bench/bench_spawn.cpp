// 2. Spawn-to-ready: from asking for a worker to its hello (strict sandbox in force, the null
// plugin loaded), host clock; the worker the judge prepared ahead of the job, and one spawned
// on demand. Jobs are spaced out as real ones are: a cgroup move right after another is cheap,
// after a pause the kernel waits for an RCU grace period.
#include "bench.hpp"
#include "judge_env.hpp"
#include "sandbox/job_sandbox.hpp"
#include "timed_loop.hpp"

#include <cmath>
#include <thread>

namespace gauntlet::bench {
namespace {

void spawn_to_ready(benchmark::State& state, bool pooled) {
  const auto exe = judge::default_worker_executable();
  const std::string plugin = test_plugin("null_plugin");
  const auto& caps = sandbox::cached_machine_probe(exe);
  auto once = [&] {
    sandbox::JobSpec spec;
    spec.mode = sandbox::Mode::strict;
    spec.plugin = plugin;
    sandbox::JobSandbox box(spec, caps);
    judge::WorkerClient client(exe, plugin, {}, &box, pooled);
    const judge::HelloOutcome hello = client.hello(judge::Clock::now() + std::chrono::seconds(10));
    if (!hello.call.ok()) throw std::runtime_error("worker not ready: " + hello.call.message);
    client.process().kill_all();
    client.process().wait(std::chrono::seconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return hello.ready_seconds * 1e9;
  };
  if (pooled) once();  // primes the pool: its first job spawns on demand
  auto ns = timed_loop(state, once);
  const Stats s = stats(ns);
  state.counters["p50_ms"] = s.p50 / 1e6;
  const std::string key = pooled ? "spawn.pooled" : "spawn.cold";
  set_value(key + ".p10", s.p10);
  set_value(key + ".p50", s.p50);
  set_value(key + ".p90", s.p90);
}
void BM_pooled(benchmark::State& state) { spawn_to_ready(state, true); }
void BM_cold(benchmark::State& state) { spawn_to_ready(state, false); }

std::string med_spread(const std::string& key) {
  return ms(*value(key + ".p50")) + " [" + fmt(*value(key + ".p10") / 1e6, 2) + "-" +
         fmt(*value(key + ".p90") / 1e6, 2) + "]";
}

void rows() {
  const double limit = value("limit.spawn.p50").value_or(NAN);
  const std::string limit_text = "posix_spawn+exit of a tiny static binary " + ms(limit);
  if (value("spawn.pooled.p50")) {
    const double p50 = *value("spawn.pooled.p50");
    add_row({"2. spawn-to-ready, strict sandbox + plugin loaded (prepared worker)",
             med_spread("spawn.pooled"), "<= 3 ms median", yes_no(p50 <= 3e6), limit_text,
             ratio(p50 / limit)});
  }
  if (value("spawn.cold.p50"))
    add_row({"2. spawn-to-ready, worker spawned on demand", med_spread("spawn.cold"), "-", "", limit_text,
             ratio(*value("spawn.cold.p50") / limit)});
}

}  // namespace

void register_spawn() {
  register_manual("spawn/ready_prepared_worker", BM_pooled, 40, benchmark::kMillisecond);
  register_manual("spawn/ready_on_demand", BM_cold, 15, benchmark::kMillisecond);
  on_summary(rows);
}

}  // namespace gauntlet::bench
