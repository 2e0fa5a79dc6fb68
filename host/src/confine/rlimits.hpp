// Worker side: resource limits of the plugin process (setrlimit, soft = hard, so that they
// cannot be raised again). The kernel enforces them per process:
//   RLIMIT_CORE 0        no core file, ever (the worker is also not dumpable)
//   RLIMIT_NOFILE        open files
//   RLIMIT_FSIZE         largest file the plugin may write (SIGXFSZ beyond it)
//   RLIMIT_CPU           CPU seconds of the whole process, all threads (SIGXCPU, then SIGKILL)
//   RLIMIT_MEMLOCK 0, RLIMIT_MSGQUEUE 0, RLIMIT_RTPRIO 0, RLIMIT_NICE 0
//   RLIMIT_NPROC         tasks (threads count), when asked: counted per user namespace, and
//                        ignored by the kernel for uid 0 (the judge then relies on the pids cgroup)
//   RLIMIT_DATA          when asked (no memory cgroup): private writable memory. Caveat: it
//                        counts reserved address space, not resident memory, so a plugin can
//                        fail to allocate below the limit, and memory it maps from files or
//                        shares is not counted.
#pragma once

#include "confine/policy.hpp"

#include <string>

namespace gauntlet::confine {

// Returns "" or one line naming the limit that could not be set.
std::string apply_rlimits(const WorkerPolicy& policy);

// The part every worker process gets at once, before anything else: no core dumps.
void forbid_core_dumps();

}  // namespace gauntlet::confine
