#include "worker/confinement.hpp"

#include "confine/landlock.hpp"
#include "confine/mounts.hpp"
#include "confine/namespaces.hpp"
#include "confine/privileges.hpp"
#include "confine/rlimits.hpp"
#include "confine/seccomp_trap.hpp"
#include "ipc/protocol.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <vector>

namespace gauntlet::worker {
namespace {

using confine::Status;
namespace mech = confine::mech;

[[noreturn]] void give_up(const char* why) {
  std::fprintf(stderr, "gauntlet-worker: %s\n", why);
  std::fflush(stderr);
  ::_exit(kSandboxFailedExit);
}

// A host that is gone cannot be told anything: the worker then ends at its next receive.
void send_report(ipc::MessageSocket& socket, const confine::Report& report, bool ok) {
  static_cast<void>(socket.send(
      nlohmann::json{{"type", ipc::msg::kSandboxReport}, {"ok", ok}, {"report", confine::to_json(report)}}));
}

// Re-arms the parent-death signal: credential changes (a new user namespace, dropped
// capabilities) clear it. `parent` 0: the parent is outside our pid namespace.
void die_with_parent(pid_t parent) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) give_up("PR_SET_PDEATHSIG failed");
  if (parent > 0 && ::getppid() != parent) ::_exit(kSandboxFailedExit);
}

// The supervisor's end: the plugin process's status becomes the worker's own, so that the
// host sees exactly how the plugin process ended.
[[noreturn]] void relay(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::kill(::getpid(), sig);
    ::_exit(128 + sig);
  }
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : kSandboxFailedExit);
}

// What init tells the supervisor when the plugin process is gone.
struct Outcome {
  int status = 0;      // the plugin process's wait status
  int violation = -1;  // the denied system call init stopped it for, or -1
};

// The socket on which the plugin process hands init its seccomp listener (-1: none).
int g_listener_handover = -1;

// Receives one descriptor (SCM_RIGHTS) on `socket`; -1 if none came.
int receive_fd(int socket) {
  char byte;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC) <= 0) return -1;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

bool send_fd(int socket, int fd) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return ::sendmsg(socket, &msg, MSG_NOSIGNAL) == 1;
}

// init's watch over the plugin process: its exit, and (supervised seccomp) every denied
// call, which ends it at once.
Outcome watch(pid_t plugin, int handover) {
  Outcome out;
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, plugin, 0));
  int listener = -1;
  for (;;) {
    pollfd fds[3] = {{handover, POLLIN, 0}, {listener, POLLIN, 0}, {pidfd, POLLIN, 0}};
    // Without pidfds (Linux < 5.3) the exit is polled for.
    if (::poll(fds, 3, pidfd < 0 ? 20 : -1) < 0 && errno != EINTR) break;
    if (handover >= 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
      listener = receive_fd(handover);
      ::close(handover);
      handover = -1;
    }
    if (listener >= 0 && (fds[1].revents & POLLIN)) {
      const int nr = confine::receive_notification(listener);
      if (nr >= 0 && out.violation < 0) {
        out.violation = nr;
        ::kill(plugin, SIGKILL);
      }
    }
    if (listener >= 0 && (fds[1].revents & (POLLHUP | POLLERR | POLLNVAL))) {
      ::close(listener);
      listener = -1;
    }
    int status = 0;
    const pid_t reaped = ::waitpid(plugin, &status, WNOHANG);
    if (reaped == plugin) {
      out.status = status;
      break;
    }
    if (reaped < 0 && errno != EINTR) break;
  }
  // Anything the plugin process left behind (it cannot fork, but be sure).
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  return out;
}

// Called after unshare(CLONE_NEWPID). Returns only in the plugin process (pid 2).
void split_into_pid_namespace(int socket_fd, bool supervise_seccomp) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) give_up("pipe for the init process failed");
  const pid_t init = ::fork();
  if (init < 0) give_up("fork of the pid namespace's init failed");
  if (init > 0) {
    // Supervisor: only the plugin process talks to the host, but for the report of a call
    // init stopped (sent when the plugin process is already dead).
    ::close(pipe_fds[1]);
    if (!supervise_seccomp) ::close(socket_fd);
    Outcome outcome;
    const bool reported = ::read(pipe_fds[0], &outcome, sizeof outcome) == sizeof outcome;
    int init_status = 0;
    while (::waitpid(init, &init_status, 0) < 0 && errno == EINTR) {
    }
    if (reported && outcome.violation >= 0) {
      char message[96];
      const int n = std::snprintf(message, sizeof message,
                                  "{\"type\":\"violation\",\"nr\":%d,\"by\":\"init\"}", outcome.violation);
      ::send(socket_fd, message, static_cast<std::size_t>(n), MSG_NOSIGNAL | MSG_DONTWAIT);
      // The host's rule: killed by SIGSYS is a security violation.
      relay(W_EXITCODE(0, SIGSYS));
    }
    relay(reported ? outcome.status : init_status);
  }
  // init (pid 1).
  ::close(pipe_fds[0]);
  die_with_parent(0);
  int handover[2] = {-1, -1};
  if (supervise_seccomp && ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, handover) != 0)
    give_up("socketpair for the seccomp listener failed");
  const pid_t plugin = ::fork();
  if (plugin < 0) give_up("fork of the plugin process failed");
  if (plugin == 0) {
    ::close(pipe_fds[1]);
    if (supervise_seccomp) {
      ::close(handover[0]);
      g_listener_handover = handover[1];
    }
    return;
  }
  ::close(socket_fd);
  if (supervise_seccomp) ::close(handover[1]);
  const Outcome outcome = watch(plugin, handover[0]);
  ssize_t ignored = ::write(pipe_fds[1], &outcome, sizeof outcome);
  (void)ignored;
  ::_exit(0);
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// What the steps of confine() share: the policy, the report they fill in, and where they are.
struct Setup {
  ipc::MessageSocket& socket;
  pid_t host_pid;
  const EarlyNamespaces& early;
  Confinement c;
  bool in_namespaces = false;
  bool supervised = false;  // seccomp's denied calls stopped by the worker's init

  const confine::WorkerPolicy& policy() const { return c.policy; }
  void active(const char* name, const std::string& detail) { c.report.set(name, Status::active, detail); }
  // A mechanism that could not be set up: in strict mode the worker reports it and ends.
  void failed(const char* name, const std::string& detail) {
    c.report.set(name, Status::failed, detail);
    if (policy().mode == confine::Mode::strict) {
      send_report(socket, c.report, /*ok=*/false);
      ::_exit(kSandboxFailedExit);
    }
  }
};

// No deadline: a worker spawned ahead of time (judge/worker_pool.hpp) waits for its job as long
// as it takes, and dies with the judge (PR_SET_PDEATHSIG) or when it closes the socket.
void receive_policy(Setup& s) {
  auto received = s.socket.receive(std::chrono::steady_clock::time_point::max());
  if (received.status != ipc::MessageSocket::Status::ok ||
      received.message.value("type", "") != ipc::msg::kSandbox)
    give_up("no sandbox policy from the host");
  for (int fd : received.fds) ::close(fd);
  try {
    s.c.policy = confine::policy_from_json(received.message);
  } catch (const std::exception&) {
    give_up("malformed sandbox policy");
  }
  s.c.host_plugin = s.c.policy.plugin;
  s.c.report.mode = s.c.policy.mode;
  s.c.workdir = s.c.policy.host_workdir;
}

void harden_process(Setup& s) {
  confine::forbid_core_dumps();
  s.active(
      mech::kProcess,
      "fresh exec, PR_SET_PDEATHSIG, only stdio and the setup socket, clean environment, private working "
      "directory, no core dumps");
}

// Entered before the policy arrived (the early namespaces of a prepared worker) or now.
void enter_namespaces(Setup& s) {
  const confine::WorkerPolicy& p = s.policy();
  const confine::NamespaceRequest request{p.user_ns, p.mount_ns, p.net_ns, p.ipc_ns, p.pid_ns, p.uts_ns};
  const std::pair<bool, const char*> namespaces[] = {{p.user_ns, mech::kUserNs}, {p.mount_ns, mech::kMountNs},
                                                     {p.net_ns, mech::kNetNs},   {p.ipc_ns, mech::kIpcNs},
                                                     {p.pid_ns, mech::kPidNs},   {p.uts_ns, mech::kUtsNs}};
  std::string e;
  if (s.early.entered)
    e = !(s.early.request == request)
            ? "the worker entered " + confine::namespace_list(s.early.request) +
                  " before its policy, which asks for " + confine::namespace_list(request)
            : s.early.error;
  else
    e = confine::enter_namespaces(request);
  for (const auto& [wanted, name] : namespaces)
    if (wanted) e.empty() ? s.active(name, "") : s.failed(name, e);
  s.in_namespaces = e.empty();
  die_with_parent(s.host_pid);  // a new user namespace clears it
}

void build_file_system(Setup& s) {
  const confine::WorkerPolicy& p = s.policy();
  if (!s.in_namespaces || !p.mount_ns) return;
  const confine::MountPlan plan{p.plugin, p.asset_dir, p.system_paths, p.devices, p.limits.file_bytes};
  if (std::string e = confine::build_root(plan); !e.empty()) {
    // Relaxed: back to the host's view (the staging tmpfs, if mounted, goes away).
    ::umount2("/tmp", MNT_DETACH);
    s.failed(mech::kMountNs, e);
    return;
  }
  s.active(mech::kMountNs, "only system libraries, the plugin, its assets and a private /tmp");
  s.c.workdir = confine::kSandboxTmp;
  // From here on the plugin and its assets are where the new root put them; the Landlock
  // rules below and the worker use these paths.
  if (!s.c.policy.plugin.empty()) s.c.policy.plugin = confine::sandbox_plugin_path(s.c.policy.plugin);
  if (!s.c.policy.asset_dir.empty()) s.c.policy.asset_dir = confine::kSandboxAssetDir;
}

void enter_working_directory(Setup& s) {
  if (!s.c.workdir.empty() && ::chdir(s.c.workdir.c_str()) == 0) return;
  if (::chdir("/") != 0) give_up("chdir / failed");
  s.failed(mech::kProcess,
           "no private working directory (chdir " + s.c.workdir + ": " + std::strerror(errno) + ")");
  s.c.workdir.clear();
}

// Not dumpable: no core, and no ptrace or /proc access by other processes of this uid.
void forbid_inspection(Setup&) { ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

void become_pid_namespace_child(Setup& s) {
  const confine::WorkerPolicy& p = s.policy();
  s.supervised = s.in_namespaces && p.pid_ns && p.seccomp_supervised && !p.seccomp_bpf.empty();
  if (s.in_namespaces && p.pid_ns) split_into_pid_namespace(ipc::kWorkerSocketFd, s.supervised);
}

void drop_capabilities(Setup& s) {
  if (!s.policy().drop_capabilities) {
    s.active(mech::kCapabilities, "the worker holds no capabilities");
  } else if (std::string e = confine::drop_capabilities(); !e.empty()) {
    s.failed(mech::kCapabilities, e);
  } else {
    s.active(mech::kCapabilities, "all capability sets emptied");
  }
  // In a pid namespace the parent is its init, which dies with the judge.
  die_with_parent(s.in_namespaces && s.policy().pid_ns ? 0 : s.host_pid);
}

// The first Landlock layer (restrict_after_load() adds the second). It needs no_new_privs,
// which seccomp sets too.
void restrict_file_access(Setup& s) {
  const confine::WorkerPolicy& p = s.policy();
  if (!p.landlock) return;
  confine::LandlockRules rules;
  for (const auto& path : p.system_paths) (is_dir(path) ? rules.read_dirs : rules.read_files).push_back(path);
  if (!p.plugin.empty()) rules.read_files.push_back(p.plugin);
  if (!p.asset_dir.empty()) rules.read_dirs.push_back(p.asset_dir);
  if (!s.c.workdir.empty()) rules.write_dirs.push_back(s.c.workdir);
  rules.devices = p.devices;
  std::string e;
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    e = std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno);
  if (e.empty()) e = confine::landlock_restrict(p.landlock_abi, rules);
  e.empty() ? s.active(mech::kLandlock, "ABI v" + std::to_string(p.landlock_abi))
            : s.failed(mech::kLandlock, e);
}

void filter_system_calls(Setup& s) {
  const confine::WorkerPolicy& p = s.policy();
  if (p.seccomp_bpf.empty()) return;
  std::string e;
  try {
    const std::vector<unsigned char> bpf = confine::from_hex(p.seccomp_bpf);
    // Both ways: the handler answers sysinfo, and reports what traps.
    e = confine::install_sigsys_handler(ipc::kWorkerSocketFd, p.limits.memory_bytes);
    if (e.empty() && s.supervised) {
      // The listener goes to init, and this process keeps no copy: with it, the plugin could
      // answer for itself.
      int listener = -1;
      e = confine::load_seccomp_supervised(bpf, listener);
      if (e.empty() && !send_fd(g_listener_handover, listener))
        e = "cannot hand the seccomp listener to init";
      if (listener >= 0) ::close(listener);
      ::close(g_listener_handover);
      g_listener_handover = -1;
    } else if (e.empty()) {
      e = confine::load_seccomp(bpf);
    }
  } catch (const std::exception& x) {
    e = std::string("seccomp: ") + x.what();
  }
  if (!e.empty()) return s.failed(mech::kSeccomp, e);
  s.active(mech::kSeccomp,
           std::to_string(p.seccomp_bpf.size() / 16) + " BPF instructions, denied calls " +
               (s.supervised ? "stopped by the worker's init (SECCOMP_RET_USER_NOTIF)" : "trap (SIGSYS)"));
}

void limit_resources(Setup& s) {
  const confine::WorkerPolicy& p = s.policy();
  if (std::string e = confine::apply_rlimits(p); !e.empty()) return s.failed(mech::kRlimits, e);
  s.active(mech::kRlimits,
           "core 0, " + std::to_string(p.limits.open_files) + " files, file size " +
               std::to_string(p.limits.file_bytes >> 20) + " MiB, CPU " +
               std::to_string(static_cast<long>(p.limits.cpu_seconds)) + " s" +
               (p.rlimit_nproc ? ", " + std::to_string(confine::task_limit(p.limits)) + " tasks" : "") +
               (p.rlimit_memory ? ", data " + std::to_string(p.limits.memory_bytes >> 20) + " MiB" : ""));
}

}  // namespace

EarlyNamespaces enter_namespaces_early(const std::string& list, pid_t host_pid) {
  EarlyNamespaces early;
  early.entered = true;
  if (auto request = confine::parse_namespace_list(list)) {
    early.request = *request;
    early.error = confine::enter_namespaces(early.request);
  } else {
    early.error = "unknown namespace in --namespaces " + list;
  }
  die_with_parent(host_pid);
  return early;
}

// The worker's confinement, one step per line, in the order the kernel needs them: each step
// records what it set up (or why not) in the report the host receives at the end.
Confinement confine(ipc::MessageSocket& socket, pid_t host_pid, const EarlyNamespaces& early) {
  Setup s{socket, host_pid, early, {}};
  receive_policy(s);              // the host's policy: which mechanisms, paths and limits
  harden_process(s);              // no core dumps (the rest came with the fresh exec)
  enter_namespaces(s);            // user, mount, network, IPC, pid, UTS
  build_file_system(s);           // a new root: system libraries, the plugin, its assets, /tmp
  enter_working_directory(s);     // the private /tmp
  forbid_inspection(s);           // not dumpable: no ptrace, no /proc/<pid>/mem
  become_pid_namespace_child(s);  // an init above us that supervises and reaps
  drop_capabilities(s);           // every capability set emptied
  restrict_file_access(s);        // Landlock, first layer
  filter_system_calls(s);         // seccomp, last: the steps above need calls it denies
  limit_resources(s);             // rlimits: files, file size, CPU, tasks, data
  send_report(socket, s.c.report, /*ok=*/true);
  return std::move(s.c);
}

std::string restrict_after_load(const Confinement& c) {
  const confine::WorkerPolicy& p = c.policy;
  if (!p.landlock) return {};
  confine::LandlockRules rules;
  if (!p.asset_dir.empty()) rules.read_dirs.push_back(p.asset_dir);
  // Thread pools read the CPU topology (sysconf, OpenMP) after loading, too.
  rules.read_dirs.push_back("/sys/devices/system/cpu");
  if (!c.workdir.empty()) rules.write_dirs.push_back(c.workdir);
  rules.devices = p.devices;
  return confine::landlock_restrict(p.landlock_abi, rules);
}

}  // namespace gauntlet::worker
