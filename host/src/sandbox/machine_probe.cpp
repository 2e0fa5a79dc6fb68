#include "sandbox/machine_probe.hpp"

#include "confine/landlock.hpp"
#include "confine/namespaces.hpp"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

namespace gauntlet::sandbox {
namespace {

// Spawns the worker in probe mode and returns its stdout (bounded, 5 s at most).
std::string run_probe(const std::filesystem::path& worker, std::string& why) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    why = std::string("pipe: ") + std::strerror(errno);
    return {};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addchdir_np(&actions, "/");
  const std::string exe = worker.string();
  char* argv[] = {const_cast<char*>(exe.c_str()), const_cast<char*>("--probe-namespaces"), nullptr};
  char* envp[] = {const_cast<char*>("PATH=/usr/bin:/bin"), const_cast<char*>("LC_ALL=C"), nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    why = "cannot run " + exe + ": " + std::strerror(rc);
    return {};
  }
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buf[4096];
  while (text.size() < 65536) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return text;
}

// `actions`: /proc/sys/kernel/seccomp/actions_avail.
std::string probe_seccomp(const std::string& actions) {
  if (::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
    return errno == EINVAL ? "the kernel has no seccomp (CONFIG_SECCOMP)" : std::strerror(errno);
  if (!actions.empty() && actions.find("trap") == std::string::npos)
    return "the kernel's seccomp lacks SECCOMP_RET_TRAP (actions: " + actions + ")";
  return {};
}

}  // namespace

namespace {

MachineProbe probe(const std::filesystem::path* worker_executable) {
  MachineProbe c;
  c.root = ::geteuid() == 0;
  // Without a worker to spawn, the namespaces are taken as available (empty: no reason why not).
  if (worker_executable) {
    std::string why;
    const std::string text = run_probe(*worker_executable, why);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const std::exception&) {
      if (why.empty()) why = "the namespace probe gave no answer";
    }
    auto get = [&](const char* key) -> std::string {
      if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return why.empty() ? "not probed" : why;
      return j[key].get<std::string>();
    };
    c.user_ns = get("user");
    c.mount_ns = get("mount");
    c.net_ns = get("net");
    c.ipc_ns = get("ipc");
    c.pid_ns = get("pid");
    c.uts_ns = get("uts");
  }
  c.landlock_abi = confine::landlock_abi();
  std::ifstream in("/proc/sys/kernel/seccomp/actions_avail");
  const std::string actions((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  c.seccomp = probe_seccomp(actions);
  c.seccomp_user_notif = c.seccomp.empty() && actions.find("user_notif") != std::string::npos;
  c.cgroups = probe_cgroups();
  return c;
}

}  // namespace

MachineProbe probe_machine(const std::filesystem::path& worker_executable) {
  return probe(&worker_executable);
}

const MachineProbe& machine_probe_without_spawning() {
  static const MachineProbe c = probe(nullptr);
  return c;
}

const MachineProbe& cached_machine_probe(const std::filesystem::path& worker_executable) {
  static std::mutex mutex;
  static std::map<std::string, MachineProbe> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(worker_executable.string());
  if (it == cache.end())
    it = cache.emplace(worker_executable.string(), probe_machine(worker_executable)).first;
  return it->second;
}

Report expected_report(const MachineProbe& c, Mode mode) {
  Report r;
  r.mode = mode;
  auto ns = [&](const char* name, const std::string& probe, const char* what) {
    if (c.can(probe))
      r.set(name, Status::active, what);
    else
      r.set(name, Status::missing, probe.empty() ? "needs a user namespace or root" : probe);
  };
  r.set(mech::kProcess, Status::active,
        "fresh exec (posix_spawn), PR_SET_PDEATHSIG, only stdio and the setup socket, clean environment");
  if (c.has_user_ns())
    r.set(mech::kUserNs, Status::active, "the worker is root only inside its own user namespace");
  else
    r.set(mech::kUserNs, Status::missing, c.user_ns);
  ns(mech::kMountNs, c.mount_ns, "only system libraries, the plugin, its assets and a private /tmp");
  ns(mech::kNetNs, c.net_ns, "no network interface (loopback down)");
  ns(mech::kIpcNs, c.ipc_ns, "private System V IPC and POSIX message queues");
  ns(mech::kPidNs, c.pid_ns, "the plugin sees only its own process");
  static const std::string uts_detail =
      std::string("host name '") + confine::kSandboxHostname + "', not the machine's";
  ns(mech::kUtsNs, c.uts_ns, uts_detail.c_str());
  r.set(mech::kCapabilities, Status::active,
        c.has_user_ns() || c.root ? "all capability sets emptied" : "the judge holds no capabilities");
  if (c.landlock_abi > 0)
    r.set(mech::kLandlock, Status::active, "ABI v" + std::to_string(c.landlock_abi));
  else
    r.set(mech::kLandlock, Status::missing, "Landlock is not enabled in this kernel (ABI 0)");
  if (c.seccomp.empty())
    r.set(mech::kSeccomp, Status::active,
          c.seccomp_user_notif && c.can(c.pid_ns)
              ? "no_new_privs, allowlist; denied calls go to the worker's init (SECCOMP_RET_USER_NOTIF)"
              : "no_new_privs, allowlist; denied calls raise SIGSYS (SECCOMP_RET_TRAP)");
  else
    r.set(mech::kSeccomp, Status::missing, c.seccomp);
  r.set(mech::kRlimits, Status::active, "core 0, open files, file size, CPU time, no memlock/realtime");
  const CgroupSupport& g = c.cgroups;
  if (!g.memory_parent.empty())
    r.set(mech::kMemoryLimit, Status::active,
          "cgroup v" + std::to_string(g.memory_version) + " memory controller at " + g.memory_parent);
  else
    r.set(mech::kMemoryLimit, Status::missing,
          g.why_no_memory + "; relaxed mode falls back to RLIMIT_DATA (address space, not resident memory)");
  if (!g.pids_parent.empty())
    r.set(mech::kThreadLimit, Status::active,
          "cgroup v" + std::to_string(g.pids_version) + " pids controller at " + g.pids_parent);
  else if (c.has_user_ns() && !c.root)
    r.set(mech::kThreadLimit, Status::active, "RLIMIT_NPROC, counted inside the worker's user namespace");
  else
    r.set(mech::kThreadLimit, Status::missing, g.why_no_pids + " (and RLIMIT_NPROC does not bind uid 0)");
  if (!g.kill_parent.empty())
    r.set(mech::kKillAll, Status::active, "cgroup v2 cgroup.kill at " + g.kill_parent);
  else if (!g.memory_parent.empty() || !g.pids_parent.empty())
    r.set(mech::kKillAll, Status::active, "SIGKILL to every task of the job's cgroup");
  else if (c.can(c.pid_ns))
    r.set(mech::kKillAll, Status::active, "process group + pid namespace (init's death ends every task)");
  else
    r.set(mech::kKillAll, Status::missing, "process group only: " + g.why_no_kill);
  return r;
}

}  // namespace gauntlet::sandbox
