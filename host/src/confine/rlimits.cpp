#include "confine/rlimits.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace gauntlet::confine {
namespace {

std::string set(int resource, const char* name, rlim_t value) {
  rlimit current{};
  if (::getrlimit(resource, &current) != 0)
    return std::string("getrlimit ") + name + ": " + std::strerror(errno);
  // Never above the hard limit the worker already has (only root could raise it).
  if (current.rlim_max != RLIM_INFINITY && value > current.rlim_max) value = current.rlim_max;
  rlimit limit{value, value};
  if (::setrlimit(resource, &limit) != 0)
    return std::string("setrlimit ") + name + ": " + std::strerror(errno);
  return {};
}

}  // namespace

void forbid_core_dumps() {
  rlimit zero{0, 0};
  ::setrlimit(RLIMIT_CORE, &zero);
}

std::string apply_rlimits(const WorkerPolicy& p) {
  const ResourceLimits& l = p.limits;
  // SIGXCPU at the soft limit leaves a second before the hard SIGKILL: keep both, soft first.
  const rlim_t cpu = static_cast<rlim_t>(std::ceil(std::max(1.0, l.cpu_seconds)));
  rlimit cpu_limit{cpu, cpu + 1};
  if (::setrlimit(RLIMIT_CPU, &cpu_limit) != 0)
    return std::string("setrlimit RLIMIT_CPU: ") + std::strerror(errno);
  std::string e;
  if (e = set(RLIMIT_CORE, "RLIMIT_CORE", 0); !e.empty()) return e;
  if (e = set(RLIMIT_NOFILE, "RLIMIT_NOFILE", static_cast<rlim_t>(l.open_files)); !e.empty()) return e;
  if (e = set(RLIMIT_FSIZE, "RLIMIT_FSIZE", l.file_bytes); !e.empty()) return e;
  if (e = set(RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", 0); !e.empty()) return e;
  if (e = set(RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE", 0); !e.empty()) return e;
  if (e = set(RLIMIT_RTPRIO, "RLIMIT_RTPRIO", 0); !e.empty()) return e;
  if (e = set(RLIMIT_NICE, "RLIMIT_NICE", 0); !e.empty()) return e;
  if (p.rlimit_nproc)
    if (e = set(RLIMIT_NPROC, "RLIMIT_NPROC", static_cast<rlim_t>(task_limit(l))); !e.empty()) return e;
  if (p.rlimit_memory)
    if (e = set(RLIMIT_DATA, "RLIMIT_DATA", l.memory_bytes); !e.empty()) return e;
  return {};
}

}  // namespace gauntlet::confine
