// The sandbox layer, mechanism by mechanism, each applied in a child process of the test
// (never to the test itself): the policy's wire format, the seccomp program and its SIGSYS
// report, Landlock, the mount view, rlimits, cgroup and capability probes, and the verdict
// of strict mode.
#include <doctest/doctest.h>

#include "confine/landlock.hpp"
#include "confine/mounts.hpp"
#include "confine/namespaces.hpp"
#include "confine/rlimits.hpp"
#include "confine/seccomp_trap.hpp"
#include "sandbox/job_sandbox.hpp"
#include "sandbox/machine_probe.hpp"
#include "sandbox/process_group_cpu.hpp"
#include "sandbox/seccomp_policy.hpp"
#include "sandbox/worker_policy.hpp"
#include "support/run_command.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

using namespace gauntlet::sandbox;
using namespace gauntlet::confine;

namespace {

// Runs `body` in a child process; returns its wait status. The body returns the exit code.
int in_child(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

bool exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

const MachineProbe& caps() {
  static const MachineProbe c = probe_machine(std::string(GAUNTLET_BIN_DIR) + "/gauntlet-worker");
  return c;
}

}  // namespace

TEST_CASE("the worker policy and the report survive their JSON round trip") {
  WorkerPolicy p;
  p.mode = Mode::relaxed;
  p.user_ns = p.pid_ns = true;
  p.plugin = "/x/libp.so";
  p.asset_dir = "/x/assets";
  p.system_paths = {"/usr/lib", "/etc/ld.so.cache"};
  p.devices = {"/dev/null"};
  p.landlock = true;
  p.landlock_abi = 7;
  p.seccomp_bpf = to_hex("\x06\x00\x00\x00\x00\x00\xff\x7f", 8);
  p.own_pid = 2;
  p.limits.memory_bytes = 123ull << 20;
  p.limits.threads = 3;
  p.rlimit_nproc = true;
  const WorkerPolicy q = policy_from_json(to_json(p));
  CHECK(q.mode == Mode::relaxed);
  CHECK(q.user_ns);
  CHECK_FALSE(q.mount_ns);
  CHECK(q.pid_ns);
  CHECK(q.plugin == p.plugin);
  CHECK(q.system_paths == p.system_paths);
  CHECK(q.seccomp_bpf == p.seccomp_bpf);
  CHECK(q.limits.memory_bytes == p.limits.memory_bytes);
  CHECK(q.limits.threads == 3);
  CHECK(q.rlimit_nproc);
  CHECK(to_json(q) == to_json(p));
  CHECK_THROWS(policy_from_json(nlohmann::json{{"mode", "lenient"}}));

  Report r;
  r.mode = Mode::strict;
  r.set(mech::kSeccomp, Status::active, "293 BPF instructions");
  r.set(mech::kLandlock, Status::failed, "landlock_restrict_self: EPERM");
  const Report back = report_from_json(to_json(r));
  REQUIRE(back.find(mech::kLandlock));
  CHECK(back.find(mech::kLandlock)->status == Status::failed);
  CHECK(back.summary().find("failed: landlock (landlock_restrict_self: EPERM)") != std::string::npos);
  CHECK(back.summary().find("missing: process") != std::string::npos);
}

TEST_CASE("hex, namespace lists and modes parse back, and refuse what they do not know") {
  const std::string bytes("\x00\x7f\xff\x10", 4);
  auto hex = to_hex(bytes.data(), bytes.size());
  CHECK(hex == "007fff10");
  auto back = from_hex(hex);
  CHECK(std::string(back.begin(), back.end()) == bytes);
  CHECK_THROWS(from_hex("abc"));
  CHECK_THROWS(from_hex("zz"));
  NamespaceRequest all{true, true, true, true, true, true};
  CHECK(namespace_list(all) == "user,mount,net,ipc,pid,uts");
  CHECK(parse_namespace_list("user,mount,net,ipc,pid,uts") == all);
  CHECK(parse_namespace_list("") == NamespaceRequest{});
  CHECK_FALSE(parse_namespace_list("user,cgroup").has_value());
  CHECK(parse_mode("strict") == Mode::strict);
  CHECK(parse_mode("relaxed") == Mode::relaxed);
  CHECK_FALSE(parse_mode("off").has_value());
  CHECK(all_mechanisms().size() == 14);
  CHECK(task_limit(ResourceLimits{}) == 2 + 1);
  ResourceLimits no_pid_namespace;
  no_pid_namespace.worker_tasks = 0;
  no_pid_namespace.threads = 3;
  CHECK(task_limit(no_pid_namespace) == 3);
}

TEST_CASE(
    "the seccomp program compiles once for the pid namespace, allows what plugins need and names system "
    "calls") {
  const auto shared = seccomp_program(2);
  const SeccompProgram& a = *shared;
  CHECK(&a == seccomp_program(2).get());  // cached
  CHECK(a.instructions() > 50);
  CHECK(a.instructions() < 4096);
  for (const char* needed : {"mmap", "mprotect", "futex", "clone", "clock_gettime", "openat", "sendmsg",
                             "recvmsg", "rseq", "getrandom", "sched_getaffinity", "landlock_restrict_self"})
    CHECK_MESSAGE(std::find(a.allowed.begin(), a.allowed.end(), needed) != a.allowed.end(), needed);
  for (const char* forbidden : {"execve", "ptrace", "socket", "process_vm_readv", "io_uring_setup", "bpf",
                                "keyctl", "userfaultfd", "mount", "kill", "setsid", "unshare"})
    CHECK_MESSAGE(std::find(a.allowed.begin(), a.allowed.end(), forbidden) == a.allowed.end(), forbidden);
  CHECK(syscall_name(SYS_clone) == "clone");
  CHECK(syscall_name(SYS_execve) == "execve");
  CHECK(syscall_name(1 << 20).rfind("syscall ", 0) == 0);
  CHECK_FALSE(libseccomp_version().empty());
}

TEST_CASE(
    "under the filter, allowed calls work, clone3 says ENOSYS, and a denied call is reported then kills") {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  const int status = in_child([&] {
    ::close(sv[0]);
    // The program is built for this process's own pid (its tgkill rule).
    const auto program = seccomp_program(static_cast<int>(::getpid()));
    if (!install_sigsys_handler(sv[1], 256ull << 20).empty() || !load_seccomp(program->bpf).empty())
      return 10;
    if (::getpid() <= 0) return 11;  // allowed
    void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || ::mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0) return 12;  // JIT pattern
    if (::syscall(SYS_clone3, nullptr, 0) != -1 || errno != ENOSYS) return 13;
    if (::syscall(SYS_getppid) <= 0) return 14;
    ::syscall(SYS_kill, ::getppid(), 0);  // denied: SIGSYS
    return 15;
  });
  ::close(sv[1]);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSYS);
  char buf[256] = {};
  ssize_t n = ::recv(sv[0], buf, sizeof buf - 1, MSG_DONTWAIT);
  ::close(sv[0]);
  REQUIRE(n > 0);
  auto report = nlohmann::json::parse(std::string(buf, static_cast<std::size_t>(n)));
  CHECK(report["type"] == "violation");
  CHECK(syscall_name(report["nr"].get<int>()) == "kill");
}

TEST_CASE(
    "under the filter, sysinfo tells of an idle machine with the job's memory, and affinity stays the "
    "judge's") {
  const int status = in_child([] {
    const auto program = seccomp_program(static_cast<int>(::getpid()));
    if (!install_sigsys_handler(-1, 256ull << 20).empty() || !load_seccomp(program->bpf).empty()) return 10;
    struct sysinfo info {};
    info.uptime = 12345;
    if (::sysinfo(&info) != 0) return 11;
    if (info.totalram * info.mem_unit != 256ull << 20 || info.freeram != info.totalram) return 12;
    if (info.uptime != 0 || info.loads[0] != 0 || info.procs != 1 || info.totalswap != 0) return 13;
    // The judge chose the worker's cores; the plugin may read them, not change them.
    cpu_set_t set;
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return 14;
    if (::sched_setaffinity(0, sizeof set, &set) != -1 || errno != EPERM) return 15;
    // Still alive, and a second answer comes too (the handler stays installed).
    if (::sysinfo(&info) != 0 || info.procs != 1) return 16;
    return 0;
  });
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a forbidden call with the SIGSYS reporter replaced still dies of SIGSYS") {
  const int status = in_child([] {
    const auto program = seccomp_program(static_cast<int>(::getpid()));
    if (!install_sigsys_handler(-1, 256ull << 20).empty() || !load_seccomp(program->bpf).empty()) return 10;
    ::signal(SIGSYS, SIG_IGN);  // rt_sigaction(SIGSYS) is itself denied
    return 11;
  });
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSYS);
}

TEST_CASE("Landlock leaves a process only the paths it was given") {
  const int abi = landlock_abi();
  if (abi == 0) {
    MESSAGE("Landlock is not available here: skipped");
    return;
  }
  const std::filesystem::path dir = gauntlet::testing::temp_dir("landlock");
  std::ofstream(dir / "mine.txt") << "x";
  const int status = in_child([&] {
    LandlockRules rules;
    rules.write_dirs.push_back(dir.string());
    rules.devices.push_back("/dev/null");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !landlock_restrict(abi, rules).empty()) return 10;
    if (::open("/etc/hostname", O_RDONLY) >= 0 || errno != EACCES) return 11;
    if (::open((dir / "mine.txt").c_str(), O_RDONLY) < 0) return 12;
    if (::open((dir / "new.txt").c_str(), O_WRONLY | O_CREAT, 0600) < 0) return 13;
    if (::open("/dev/null", O_WRONLY) < 0) return 14;
    return 0;
  });
  CHECK(exited_with(status, 0));
}

TEST_CASE("rlimits are set hard, so that the plugin cannot raise them again") {
  const int status = in_child([] {
    WorkerPolicy p;
    p.limits.file_bytes = 1 << 20;
    p.limits.open_files = 32;
    p.limits.cpu_seconds = 5;
    if (!apply_rlimits(p).empty()) return 10;
    rlimit r{};
    ::getrlimit(RLIMIT_FSIZE, &r);
    if (r.rlim_cur != (1u << 20) || r.rlim_max != (1u << 20)) return 11;
    ::getrlimit(RLIMIT_CORE, &r);
    if (r.rlim_max != 0) return 12;
    ::getrlimit(RLIMIT_NOFILE, &r);
    if (r.rlim_max != 32) return 13;
    rlimit up{64, 64};
    if (::getuid() != 0 && ::setrlimit(RLIMIT_NOFILE, &up) == 0) return 14;
    return 0;
  });
  CHECK(exited_with(status, 0));
}

TEST_CASE(
    "the mount view holds the system libraries, the plugin and its assets at fixed paths, a private /tmp, "
    "nothing else") {
  if (!caps().can(caps().mount_ns)) {
    MESSAGE("no mount namespace here: skipped");
    return;
  }
  // Under the host's /tmp on purpose (not testing::temp_dir): the sandbox mounts its own /tmp
  // there, which must hide this folder while the plugin and assets stay at their fixed paths.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gauntlet-mv-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "assets");
  std::ofstream(dir / "libfake.so") << "not really a library";
  std::ofstream(dir / "assets" / "weights.bin") << "w";
  std::ofstream(dir / "secret.txt") << "s";
  const int status = in_child([&] {
    NamespaceRequest ns;
    ns.user = caps().has_user_ns();
    ns.mount = true;
    if (!enter_namespaces(ns).empty()) return 10;
    MountPlan plan;
    plan.plugin = (dir / "libfake.so").string();
    plan.asset_dir = (dir / "assets").string();
    plan.system_paths = {"/usr/lib", "/lib", "/etc/ld.so.cache"};
    plan.devices = {"/dev/null"};
    plan.tmp_bytes = 1 << 20;
    if (std::string e = build_root(plan); !e.empty()) {
      std::fprintf(stderr, "%s\n", e.c_str());
      return 11;
    }
    struct stat st {};
    // At fixed paths: nothing of the host's layout, even though `dir` is under the host's /tmp.
    if (::stat("/gauntlet/plugin/libfake.so", &st) != 0) return 12;   // the plugin
    if (::stat("/gauntlet/assets/weights.bin", &st) != 0) return 13;  // its assets
    if (::stat((dir / "secret.txt").c_str(), &st) == 0) return 14;    // not its neighbours
    if (::stat((dir / "libfake.so").c_str(), &st) == 0) return 21;    // nor its host path
    if (::stat(dir.c_str(), &st) == 0) return 22;
    if (::stat("/etc/passwd", &st) == 0 || ::stat("/proc/self", &st) == 0) return 15;
    if (::stat("/usr/share", &st) == 0 || ::stat("/home", &st) == 0) return 16;
    if (::stat("/usr/lib", &st) != 0 || ::stat("/etc/ld.so.cache", &st) != 0) return 17;
    if (::open("/gauntlet/assets/new", O_WRONLY | O_CREAT, 0600) >= 0) return 18;  // read-only
    if (::open("/tmp/scratch", O_WRONLY | O_CREAT, 0600) < 0) return 19;           // private /tmp
    char cwd[256];
    if (!::getcwd(cwd, sizeof cwd) || std::string(cwd) != "/tmp") return 20;
    return 0;
  });
  std::filesystem::remove_all(dir);
  CHECK(exited_with(status, 0));
}

TEST_CASE("the capability probe, the expected report and strict mode agree with each other") {
  const MachineProbe& c = caps();
  CHECK(c.landlock_abi == landlock_abi());
  const Report expected = expected_report(c, Mode::strict);
  REQUIRE(expected.mechanisms.size() == all_mechanisms().size());
  for (std::size_t i = 0; i < expected.mechanisms.size(); ++i) {
    CAPTURE(expected.mechanisms[i].name);
    CHECK(expected.mechanisms[i].name == all_mechanisms()[i]);
    CHECK_FALSE(expected.mechanisms[i].detail.empty());
  }
  CHECK(!strict_refusal(c).has_value() == expected.inactive().empty());
  if (strict_refusal(c)) {
    CHECK(strict_refusal(c)->find("--sandbox=relaxed") != std::string::npos);
    JobSpec spec;
    spec.mode = Mode::strict;
    CHECK_THROWS_AS(JobSandbox(spec, c), SandboxUnavailable);
  }
  // A relaxed job sandbox can always be made, and its policy asks for what the machine has.
  JobSpec spec;
  spec.mode = Mode::relaxed;
  spec.plugin = "/x/lib.so";
  JobSandbox box(spec, c);
  const WorkerPolicy p = policy_from_json(box.policy_message(12345));
  CHECK(p.mode == Mode::relaxed);
  CHECK(p.user_ns == c.has_user_ns());
  CHECK(p.landlock == (c.landlock_abi > 0));
  CHECK(p.seccomp_bpf.empty() == !c.seccomp.empty());
  CHECK(p.own_pid == (p.pid_ns ? 2 : 12345));
  CHECK(std::find(p.system_paths.begin(), p.system_paths.end(), "/usr/lib") != p.system_paths.end());
  CHECK(std::find(p.system_paths.begin(), p.system_paths.end(), "/usr/share") == p.system_paths.end());
}

TEST_CASE("the cgroup probe finds where job cgroups can go, and a job cgroup takes limits and a process") {
  const CgroupSupport s = probe_cgroups();
  if (s.memory_parent.empty() && s.pids_parent.empty() && s.kill_parent.empty()) {
    MESSAGE("no cgroup for jobs here (" << s.why_no_memory << "): skipped");
    return;
  }
  ResourceLimits limits;
  limits.memory_bytes = 64ull << 20;
  limits.threads = 2;
  limits.cpus = {0};
  JobCgroup job(s, limits);
  CHECK(job.has_memory() == !s.memory_parent.empty());
  CHECK(job.has_cpuset() == !s.cpuset_parent.empty());
  CHECK(job.has_kill());
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t child = ::fork();
  if (child == 0) {
    // Once in the job: asking for every CPU still leaves it on the job's one.
    char go;
    if (::read(ready[0], &go, 1) != 1) ::_exit(3);
    cpu_set_t all;
    CPU_ZERO(&all);
    for (int c = 0; c < CPU_SETSIZE; ++c) CPU_SET(c, &all);
    ::sched_setaffinity(0, sizeof all, &all);
    cpu_set_t now;
    CPU_ZERO(&now);
    ::sched_getaffinity(0, sizeof now, &now);
    ::_exit(CPU_COUNT(&now) == 1 && CPU_ISSET(0, &now) ? 0 : 4);
  }
  job.attach(child);
  REQUIRE(::write(ready[1], "g", 1) == 1);
  int pinned = 0;
  ::waitpid(child, &pinned, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  if (job.has_cpuset()) CHECK(exited_with(pinned, 0));
  child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  job.attach(child);
  if (auto cpu = job.cpu_seconds()) CHECK(*cpu >= 0);
  job.kill_all();
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  const auto stats = job.stats();
  if (job.has_memory()) {
    CHECK(stats.peak_bytes.has_value());
    CHECK(stats.oom_kills == 0);
  }
}

TEST_CASE("without cgroups, a process group's CPU time counts every thread of its processes") {
  // A child in a process group of its own, with a grandchild in the same group: both spin
  // until killed (the judge's idle check only needs "busy", not "how busy").
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::setpgid(0, 0);
    if (::fork() < 0) ::_exit(1);
    volatile unsigned long spins = 0;
    for (;;) spins = spins + 1;
  }
  ::setpgid(child, child);  // either side may win the race; both set the same group
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::optional<double> before = gauntlet::sandbox::process_group_cpu_seconds(child);
  // The spinners' CPU time grows past 20 ms: at once on a quiet machine, later on a loaded one
  // (CTest runs other tests beside this one), so the wait is bounded by a deadline, not fixed.
  std::optional<double> after = before;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (before && after && *after - *before <= 0.02 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    after = gauntlet::sandbox::process_group_cpu_seconds(child);
  }
  ::kill(-child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  REQUIRE(before.has_value());
  REQUIRE(after.has_value());
  CHECK(*after - *before > 0.02);

  // An idle group (a sleeping child) adds next to nothing; a group nobody is in is unknown.
  const pid_t sleeper = ::fork();
  REQUIRE(sleeper >= 0);
  if (sleeper == 0) {
    ::setpgid(0, 0);
    ::pause();
    ::_exit(0);
  }
  ::setpgid(sleeper, sleeper);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::optional<double> idle_before = gauntlet::sandbox::process_group_cpu_seconds(sleeper);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::optional<double> idle_after = gauntlet::sandbox::process_group_cpu_seconds(sleeper);
  ::kill(sleeper, SIGKILL);
  ::waitpid(sleeper, nullptr, 0);
  REQUIRE(idle_before.has_value());
  REQUIRE(idle_after.has_value());
  CHECK(*idle_after - *idle_before < 0.005);
  CHECK_FALSE(gauntlet::sandbox::process_group_cpu_seconds(sleeper).has_value());
}
