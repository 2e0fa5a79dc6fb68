#include "judge/sandbox_self_test.hpp"

#include "judge/worker_client.hpp"
#include "sandbox/job_sandbox.hpp"

namespace gauntlet::judge {

SandboxSelfTest sandbox_self_test(const sandbox::MachineProbe& caps, sandbox::Mode mode) {
  SandboxSelfTest t;
  try {
    sandbox::JobSpec spec;
    spec.mode = mode;
    spec.limits.memory_bytes = 256ull << 20;
    sandbox::JobSandbox box(spec, caps);
    WorkerClient client(default_worker_executable(), "(sandbox self-test)", {}, &box);
    HelloOutcome hello = client.hello(Clock::now() + std::chrono::seconds(10));
    t.ran = hello.confined_seconds > 0;
    t.confined_ms = hello.confined_seconds * 1e3;
    if (hello.sandbox_failure) t.failure = *hello.sandbox_failure;
    if (!t.ran && t.failure.empty())
      t.failure = "the worker sent no sandbox report (" +
                  client.process().wait(std::chrono::seconds(2)).describe() + ")";
    t.report = box.report();
  } catch (const std::exception& e) {
    t.failure = e.what();
  }
  return t;
}

}  // namespace gauntlet::judge
