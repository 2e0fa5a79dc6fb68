#include "report/environment.hpp"

#include <oneapi/dnnl/dnnl.h>

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace gauntlet::report {
namespace {

std::string env_or(const char* name, const std::string& fallback = {}) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// "0-3,6": this process's affinity, in the kernel's list format.
std::string affinity_list() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return {};
  std::ostringstream out;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (!CPU_ISSET(c, &set)) continue;
    int last = c;
    while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set)) ++last;
    if (out.tellp() > 0) out << ',';
    out << c;
    if (last > c) out << '-' << last;
    c = last;
  }
  return out.str();
}

}  // namespace

Environment current_environment() {
  Environment env;
  env.gauntlet_version = GAUNTLET_VERSION;
  const dnnl_version_t* v = dnnl_version();
  env.onednn_version =
      std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) env.cpu_model = line.substr(line.find_first_not_of(' ', colon + 1));
      break;
    }
  }
  env.cpus = static_cast<int>(std::thread::hardware_concurrency());
  utsname u{};
  if (::uname(&u) == 0) {
    env.kernel = std::string(u.sysname) + " " + u.release;
    env.hostname = u.nodename;
  }
  env.node = env_or("SLURMD_NODENAME", env.hostname);
  env.cpus_allowed = affinity_list();
  std::ifstream meminfo("/proc/meminfo");
  for (std::string key; meminfo >> key;) {
    if (key == "MemTotal:") {
      int64_t kib = 0;
      meminfo >> kib;
      env.memory_mb = kib / 1024;
      break;
    }
    meminfo.ignore(256, '\n');
  }
  env.slurm_job_id = env_or("SLURM_JOB_ID");
  if (!env.slurm_job_id.empty()) {
    env.slurm_cluster = env_or("SLURM_CLUSTER_NAME");
    env.slurm_partition = env_or("SLURM_JOB_PARTITION");
    env.slurm_array_job_id = env_or("SLURM_ARRAY_JOB_ID");
    env.slurm_array_task_id = env_or("SLURM_ARRAY_TASK_ID");
  }
  return env;
}

}  // namespace gauntlet::report
