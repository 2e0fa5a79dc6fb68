// One worker kept ready per (worker executable, CPU list): spawned ahead of time, moved into
// a job cgroup of its own, and waiting (idle) for its sandbox policy. Moving a process into a
// cgroup makes the kernel wait for an RCU grace period (5 to 15 ms on this VM, whatever the
// controller), and an exec costs about a millisecond: a job that takes a ready worker skips
// both, and its sandboxed worker is ready in about 2 ms instead of about 10.
//
// Only for jobs whose worker environment does not depend on the job (a mount namespace gives
// every worker the same private /tmp) on machines with job cgroups; the first job of a key is
// always spawned directly, and primes the pool. A worker is still a fresh exec, never a fork
// of the judge, and still confines itself only once it has its job's policy.
#pragma once

#include "ipc/message_socket.hpp"
#include "judge/worker_process.hpp"
#include "sandbox/cgroup.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace gauntlet::judge {

struct WarmWorker {
  ipc::MessageSocket socket;                   // the host's end of the setup socket
  std::unique_ptr<sandbox::JobCgroup> cgroup;  // the worker is in it; limits set on adoption
  std::unique_ptr<WorkerProcess> process;      // declared last: killed before its cgroup goes
};

// The ready worker for this key, if there is a live one; unless `prepare_next` is false (no
// job follows), the next one is then prepared in the background. Thread-safe. Ready workers
// left at exit are killed and their cgroups removed.
[[nodiscard]] std::optional<WarmWorker> take_warm_worker(const std::filesystem::path& worker_executable,
                                                         const std::vector<int>& cpus,
                                                         bool prepare_next = true);

// Has a worker prepared for this key now, without waiting (e.g. while the judge loads the
// challenge data), so that even the first job takes a ready one.
void prepare_warm_worker(const std::filesystem::path& worker_executable, const std::vector<int>& cpus);

}  // namespace gauntlet::judge
