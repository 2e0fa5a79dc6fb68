#include "judge/post_mortem.hpp"

#include "ipc/protocol.hpp"
#include "judge/cpu_budget.hpp"
#include "sandbox/seccomp_policy.hpp"

#include <csignal>
#include <cstdio>

namespace gauntlet::judge {
namespace {

std::string format_mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

}  // namespace

PostMortem post_mortem(const PostMortemInput& in) {
  PostMortem out;
  Evidence& ev = out.evidence;
  const std::string during = in.died_during.empty() ? std::string() : " during " + in.died_during;
  const sandbox::ResourceLimits& limits = in.limits;
  JobResources& res = out.resources;
  res.memory_limit_bytes = limits.memory_bytes;
  res.max_rss_bytes = in.usage.max_rss_bytes;
  res.cpu_seconds = in.usage.cpu_seconds;
  res.wall_seconds = in.usage.wall_seconds;
  res.oom_kills = in.stats.oom_kills;
  res.threads_refused = in.stats.pids_refused;
  if (in.stats.peak_bytes) {
    res.peak_memory_bytes = in.stats.peak_bytes;
    res.peak_memory_source = in.stats.peak_source;
  } else {
    res.peak_memory_bytes = in.usage.max_rss_bytes;
    res.peak_memory_source = "wait4 ru_maxrss (no memory cgroup)";
  }

  const bool signalled = !in.exit.exited;
  if (signalled && in.exit.code == SIGSYS)
    ev.security_violation = in.violation ? "the plugin called " + sandbox::syscall_name(*in.violation) +
                                               "()" + during + ", which the sandbox forbids"
                                         : "the plugin made a system call the sandbox forbids" + during +
                                               " (killed by SIGSYS; the call was not reported)";
  if (in.stats.oom_kills > 0)
    ev.memory_limit = "the worker exceeded its memory limit of " + format_mib(limits.memory_bytes) +
                      " (limits.memory_mb)" + during + ": the kernel's OOM killer ended it";
  else if (in.timed_out && in.stats.memory_failcnt > 0)
    // Killed by the judge's watchdog while thrashing at its limit: the limit is the cause.
    ev.memory_limit = "the worker was at its memory limit of " + format_mib(limits.memory_bytes) +
                      " (limits.memory_mb; reached " + std::to_string(in.stats.memory_failcnt) +
                      " times) when it ran out of time" + during;
  else if (!signalled && in.exit.code == ipc::kWorkerOutOfMemoryExit)
    ev.memory_limit = "the worker ran out of memory under the limit of " + format_mib(limits.memory_bytes) +
                      " (limits.memory_mb)" + during + ": an allocation failed (std::bad_alloc)";
  else if (signalled && in.exit.code == SIGXFSZ)
    ev.memory_limit = "the plugin wrote a file larger than the file-size limit of " +
                      format_mib(limits.file_bytes) + during + " (its private /tmp is memory)";
  if (signalled && in.exit.code == SIGBUS && in.training_revoked)
    ev.worker_death = "the worker died" + during +
                      " of SIGBUS after its training data was revoked: the plugin " +
                      "read training tensors after train() returned, which the ABI forbids";

  if (!in.timed_out) {
    // SIGXCPU at the soft limit; SIGKILL a second later at the hard one, if SIGXCPU was caught.
    if (signalled && (in.exit.code == SIGXCPU ||
                      (in.exit.code == SIGKILL && in.usage.cpu_seconds >= limits.cpu_seconds))) {
      char buf[240];
      std::snprintf(buf, sizeof buf, "the worker used up its CPU-time limit of %.0f s (RLIMIT_CPU)%s",
                    limits.cpu_seconds, during.c_str());
      ev.time_limit = buf;
    } else if (auto excess = cpu_over_budget(in.usage.cpu_seconds, in.usage.wall_seconds, limits.threads,
                                             "the worker, over its whole life,")) {
      ev.time_limit = *excess;
    }
  }
  if (in.stats.pids_refused > 0)
    out.warnings.push_back("the thread limit (" + std::to_string(sandbox::task_limit(limits)) +
                           " tasks: limits.threads + the worker's own) refused " +
                           std::to_string(in.stats.pids_refused) + " thread creation(s)");
  return out;
}

}  // namespace gauntlet::judge
