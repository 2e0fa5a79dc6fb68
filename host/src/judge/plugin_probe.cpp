#include "judge/plugin_probe.hpp"

namespace gauntlet::judge {

PluginProbe probe_plugin(const std::filesystem::path& library, std::chrono::milliseconds timeout) {
  WorkerClient client(default_worker_executable(), std::filesystem::absolute(library));
  const HelloOutcome hello = client.hello(Clock::now() + timeout);
  // Only the hello was wanted; a worker that died already keeps its own exit status.
  client.process().kill_all();
  const ExitStatus exit = client.process().wait(std::chrono::milliseconds(1000));

  Evidence evidence;
  evidence.load_failure = hello.load_failure;
  evidence.abi_mismatch = hello.abi_mismatch;
  if (!hello.load_failure && !hello.abi_mismatch && !hello.call.ok()) {
    if (hello.call.kind == CallOutcome::Kind::timed_out)
      evidence.time_limit = "loading took longer than " + std::to_string(timeout.count()) + " ms";
    else
      evidence.worker_death = "the worker died while loading the library (" + exit.describe() + ")";
  }
  PluginProbe probe;
  if (Decision decision = decide(evidence); decision.verdict != Verdict::ok)
    probe.refusal = std::move(decision);
  else
    probe.identity = hello.identity;
  return probe;
}

}  // namespace gauntlet::judge
