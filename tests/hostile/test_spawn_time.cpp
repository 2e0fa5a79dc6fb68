// Spawn-to-ready of a sandboxed worker: from asking for a worker to its hello (sandbox in
// force, plugin loaded), host clock, for the null plugin. Jobs are spaced out as real ones are
// (a cgroup move right after another is cheap; after a pause the kernel waits for an RCU grace
// period). Prints median and spread; fails only on an absurd figure.
#include <doctest/doctest.h>

#include "judge/worker_client.hpp"
#include "sandbox/job_sandbox.hpp"
#include "support/run_command.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

using namespace gauntlet;

namespace {

struct Figures {
  double median = 0, p10 = 0, p90 = 0, min = 0, max = 0;
};

Figures summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[static_cast<std::size_t>(q * static_cast<double>(ms.size() - 1))]; };
  return {at(0.5), at(0.1), at(0.9), ms.front(), ms.back()};
}

// `pooled`: as judge_plugin() asks (a worker prepared ahead of time when there is one).
Figures measure(const sandbox::Capabilities& caps, sandbox::Mode mode, bool pooled, int runs) {
  const auto exe = judge::default_worker_executable();
  const std::string plugin = testing::test_plugin("null_plugin");
  std::vector<double> ready_ms;
  for (int i = 0; i < runs + 1; ++i) {
    sandbox::JobSpec spec;
    spec.mode = mode;
    spec.plugin = plugin;
    sandbox::JobSandbox box(spec, caps);
    judge::WorkerClient client(exe, plugin, {}, &box, pooled);
    const judge::HelloOutcome hello = client.hello(judge::Clock::now() + std::chrono::seconds(10));
    REQUIRE_MESSAGE(hello.call.ok(), hello.call.message);
    if (i > 0) ready_ms.push_back(hello.ready_seconds * 1e3);  // the first one primes the pool
    client.process().kill_all();
    client.process().wait(std::chrono::seconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // jobs are spaced out
  }
  return summarize(ready_ms);
}

void print(const char* what, const Figures& f) {
  char line[256];
  std::snprintf(line, sizeof line, "%-34s median %6.2f ms  p10 %6.2f  p90 %6.2f  min %6.2f  max %6.2f", what,
                f.median, f.p10, f.p90, f.min, f.max);
  MESSAGE(line);
}

}  // namespace

TEST_CASE("a sandboxed worker is ready in a few milliseconds (median of 50)") {
  setenv("GAUNTLET_WORKER", (std::string(GAUNTLET_BIN_DIR) + "/gauntlet-worker").c_str(), 1);
  const auto& caps = sandbox::cached_capabilities(judge::default_worker_executable());
  const auto mode = sandbox::strict_refusal(caps).empty() ? sandbox::Mode::strict : sandbox::Mode::relaxed;
  MESSAGE("sandbox mode: " << sandbox::mode_name(mode));
  const Figures pooled = measure(caps, mode, true, 50);
  const Figures cold = measure(caps, mode, false, 50);
  print("spawn-to-ready, prepared worker", pooled);
  print("spawn-to-ready, spawned on demand", cold);
  CHECK(pooled.median < 20);
  CHECK(cold.median < 100);
}
