#include "sandbox/seccomp_policy.hpp"

#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace gauntlet::sandbox {
namespace {

// Allowed without conditions. Grouped by purpose; a name this libseccomp does not know is
// skipped (and so stays denied).
const char* const kAllowed[] = {
    // memory, including JIT code (W^X flips) and NUMA placement
    "brk",
    "mmap",
    "munmap",
    "mremap",
    "mprotect",
    "madvise",
    "msync",
    "mincore",
    "mlock",
    "mlock2",
    "munlock",
    "mlockall",
    "munlockall",
    "pkey_alloc",
    "pkey_free",
    "pkey_mprotect",
    "mbind",
    "get_mempolicy",
    "set_mempolicy",
    "membarrier",
    "memfd_create",
    // threads and synchronisation
    "futex",
    "futex_waitv",
    "set_robust_list",
    "rseq",
    "set_tid_address",
    "arch_prctl",
    "sched_yield",
    "sched_getaffinity",
    "sched_getparam",
    "sched_getscheduler",
    "sched_getattr",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_rr_get_interval",
    "getpriority",
    "setpriority",
    "getcpu",
    "exit",
    "exit_group",
    "restart_syscall",
    // time
    "clock_gettime",
    "clock_getres",
    "clock_nanosleep",
    "nanosleep",
    "gettimeofday",
    "time",
    "times",
    "getitimer",
    "setitimer",
    "alarm",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    // identity and limits (read-only, or only lowering)
    "getpid",
    "gettid",
    "getppid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "getresuid",
    "getresgid",
    "getgroups",
    "getpgrp",
    "getpgid",
    "getsid",
    "capget",
    "getrusage",
    "uname",
    "getrandom",
    "getrlimit",
    "setrlimit",
    "umask",
    // signals within the process (tgkill and rt_sigaction are conditional, below)
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigpending",
    "rt_sigtimedwait",
    "sigaltstack",
    "pause",
    "signalfd",
    "signalfd4",
    // files, through paths the mount namespace and Landlock already confine
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "lseek",
    "close",
    "close_range",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "fsync",
    "fdatasync",
    "ftruncate",
    "truncate",
    "fallocate",
    "fadvise64",
    "readahead",
    "sendfile",
    "copy_file_range",
    "splice",
    "tee",
    "open",
    "openat",
    "openat2",
    "creat",
    "stat",
    "fstat",
    "lstat",
    "newfstatat",
    "statx",
    "statfs",
    "fstatfs",
    "access",
    "faccessat",
    "faccessat2",
    "readlink",
    "readlinkat",
    "getdents",
    "getdents64",
    "getcwd",
    "chdir",
    "fchdir",
    "mkdir",
    "mkdirat",
    "rmdir",
    "unlink",
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "chmod",
    "fchmod",
    "fchmodat",
    "utimensat",
    "pipe",
    "pipe2",
    "eventfd",
    "eventfd2",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "epoll_pwait2",
    "poll",
    "ppoll",
    "select",
    "pselect6",
    "wait4",
    "waitid",
    // the worker's setup socket (already connected: creating or connecting sockets traps)
    "sendmsg",
    "recvmsg",
    "sendto",
    "recvfrom",
    "shutdown",
    "getsockopt",
    "getsockname",
    "getpeername",
    // a plugin may restrict itself further, never less
    "landlock_create_ruleset",
    "landlock_add_rule",
    "landlock_restrict_self",
    "seccomp",
};

// prctl options a runtime may use; the rest (PR_SET_PTRACER, PR_SET_MM, PR_SET_DUMPABLE,
// PR_SET_CHILD_SUBREAPER...) trap.
const int kPrctlOptions[] = {
    PR_SET_NAME,      PR_GET_NAME,        PR_GET_DUMPABLE,    PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS,
    PR_GET_SECCOMP,   PR_SET_SECCOMP,     PR_CAPBSET_READ,    PR_GET_TIMERSLACK,   PR_SET_TIMERSLACK,
    PR_SET_VMA,       PR_GET_THP_DISABLE, PR_SET_THP_DISABLE, PR_GET_KEEPCAPS,     PR_GET_SECUREBITS,
    PR_GET_PDEATHSIG, PR_MCE_KILL_GET,    PR_GET_TID_ADDRESS,
};

// ioctl requests that only ask about a descriptor (isatty, pipe fill, non-blocking, cloexec).
const unsigned long kIoctls[] = {TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX};

// Flags that would make a clone() more than a thread of this process.
constexpr uint64_t kCloneNotThread = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                                     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_THREAD;

struct Ctx {
  scmp_filter_ctx ctx = nullptr;
  ~Ctx() {
    if (ctx) seccomp_release(ctx);
  }
};

void check(int rc, const std::string& what) {
  if (rc < 0) throw std::runtime_error("libseccomp: " + what + ": " + std::strerror(-rc));
}

SeccompProgram build(int own_pid, bool supervised) {
  SeccompProgram program;
  Ctx c;
  c.ctx = seccomp_init(supervised ? SCMP_ACT_NOTIFY : SCMP_ACT_TRAP);
  if (!c.ctx) throw std::runtime_error("libseccomp: seccomp_init failed");
  // A call through another ABI (int 0x80, x32) is not in this list at all: kill at once.
  check(seccomp_attr_set(c.ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "bad-arch action");
  // The worker sets no_new_privs itself; the attribute only matters for seccomp_load().
  check(seccomp_attr_set(c.ctx, SCMP_FLTATR_CTL_NNP, 0), "nnp attribute");
  // Binary search over syscall numbers instead of a linear chain: ~8 comparisons per call.
  seccomp_attr_set(c.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);

  auto number = [](const char* name) -> int {
    int nr = seccomp_syscall_resolve_name(name);
    return nr == __NR_SCMP_ERROR || nr < 0 ? -1 : nr;
  };
  auto resolve = [&](const char* name) -> int {
    const int nr = number(name);
    if (nr >= 0) program.allowed.push_back(name);
    return nr;
  };

  for (const char* name : kAllowed) {
    int nr = resolve(name);
    if (nr >= 0) check(seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, nr, 0), name);
  }
  // Threads only: clone without CLONE_THREAD (fork, vfork, posix_spawn) or with namespace
  // flags traps.
  if (int nr = resolve("clone"); nr >= 0)
    check(seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, nr, 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, kCloneNotThread, CLONE_THREAD)),
          "clone");
  // sysinfo tells of the host (load, uptime, processes, RAM): the worker's SIGSYS handler
  // answers it instead (seccomp_trap.hpp); where it cannot, the call fails with ENOSYS.
  if (int nr = number("sysinfo"); nr >= 0) {
#if defined(__x86_64__) || defined(__aarch64__)
    // Unsupervised, trapping is already the default action (and libseccomp refuses a rule
    // that repeats it).
    if (supervised) check(seccomp_rule_add(c.ctx, SCMP_ACT_TRAP, nr, 0), "sysinfo");
#else
    check(seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0), "sysinfo");
#endif
  }
  // The judge chose the worker's cores (and keeps its own apart): a plugin may read them, but
  // moving its threads (onto the judge's core, say, to have chosen calls discarded as
  // disturbed) fails with EPERM.
  if (int nr = number("sched_setaffinity"); nr >= 0)
    check(seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), nr, 0), "sched_setaffinity");
  // clone3 passes its flags in memory BPF cannot read: glibc falls back to clone on ENOSYS.
  if (int nr = number("clone3"); nr >= 0)
    check(seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0), "clone3");
  // Signals only to this process (raise, abort, pthread_kill); kill() and tkill() trap. (The
  // comparisons below spell out their unused second datum: clang's -Wextra flags it otherwise.)
  if (int nr = resolve("tgkill"); nr >= 0)
    check(seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, nr, 1,
                           SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(own_pid), 0)),
          "tgkill");
  // The SIGSYS handler reports denied calls: a plugin may not replace or ignore it.
  if (int nr = resolve("rt_sigaction"); nr >= 0)
    check(seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_NE, SIGSYS, 0)), "rt_sigaction");
  // Limits of this process only.
  if (int nr = resolve("prlimit64"); nr >= 0)
    check(seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, 0, 0)), "prlimit64");
  if (int nr = resolve("prctl"); nr >= 0)
    for (int option : kPrctlOptions)
      check(seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, nr, 1,
                             SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(option), 0)),
            "prctl");
  if (int nr = resolve("ioctl"); nr >= 0)
    for (unsigned long request : kIoctls)
      check(seccomp_rule_add(c.ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A1(SCMP_CMP_EQ, request, 0)), "ioctl");

  // libseccomp 2.5 exports to a descriptor only.
  int fd = ::memfd_create("gauntlet-seccomp", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  check(seccomp_export_bpf(c.ctx, fd), "export");
  const off_t size = ::lseek(fd, 0, SEEK_CUR);
  if (size <= 0 || size % 8 != 0) throw std::runtime_error("libseccomp: bad BPF export size");
  program.bpf.resize(static_cast<std::size_t>(size));
  if (::pread(fd, program.bpf.data(), program.bpf.size(), 0) != size)
    throw std::runtime_error("libseccomp: cannot read the BPF export");
  return program;
}

}  // namespace

std::shared_ptr<const SeccompProgram> seccomp_program(int own_pid, bool supervised) {
  constexpr int kPidInNamespace = 2;
  if (own_pid != kPidInNamespace) return std::make_shared<const SeccompProgram>(build(own_pid, supervised));
  static std::mutex mutex;
  static std::shared_ptr<const SeccompProgram> cache[2];  // by `supervised`
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[supervised ? 1 : 0];
  if (!slot) slot = std::make_shared<const SeccompProgram>(build(own_pid, supervised));
  return slot;
}

std::string syscall_name(int nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
  if (!name) return "syscall " + std::to_string(nr);
  std::string s = name;
  std::free(name);
  return s;
}

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  if (!v) return "unknown";
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

}  // namespace gauntlet::sandbox
