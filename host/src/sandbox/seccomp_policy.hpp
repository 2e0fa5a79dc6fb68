// The worker's system-call allowlist, built by the host with libseccomp and shipped to the
// worker as raw BPF (the worker only loads it: no libseccomp work per job).
//
// Default action: SECCOMP_RET_USER_NOTIF when the worker has a pid namespace, whose init (a
// separate, trusted process the plugin cannot touch) receives the notification, ends the
// plugin process and reports the call; else SECCOMP_RET_TRAP, so that a denied call raises
// SIGSYS in the worker, whose handler reports it before the worker dies (seccomp_trap.hpp).
// Either way a denied call never runs. What is
// allowed is what a oneDNN/OpenMP plugin needs: memory (mmap/mprotect for JIT code), threads
// (clone with CLONE_THREAD), futexes, clocks, files through already-confined paths (mount
// namespace + Landlock decide which), and the worker's own socket I/O. Everything else traps:
// process creation, exec, new sockets, ptrace, process_vm_*, io_uring, keyctl, bpf,
// userfaultfd, perf_event_open, mount and friends, namespaces, signals to other processes,
// credential changes, module and clock changes, and any call this list does not name.
//
// Two exceptions return an error instead of trapping, because glibc probes them and falls
// back: clone3 (ENOSYS; glibc then uses clone, whose flags BPF can inspect).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gauntlet::sandbox {

struct SeccompProgram {
  std::vector<unsigned char> bpf;    // struct sock_filter[], as seccomp(2) loads it
  std::vector<std::string> allowed;  // names of the syscalls allowed (some with conditions)
  std::size_t instructions() const { return bpf.size() / 8; }
};

// The program for a plugin process that sees itself as `own_pid` (2 inside the worker's pid
// namespace, its real pid without one): only tgkill to that pid is allowed. `supervised`:
// denied calls notify a supervisor instead of trapping. The pid-namespace programs (own_pid 2,
// the same for every job) are built once and shared (thread-safe); one for a real pid is
// built for its job alone, as that pid never comes back. Throws std::runtime_error if
// libseccomp fails.
std::shared_ptr<const SeccompProgram> seccomp_program(int own_pid, bool supervised = false);

// "clone" for 56 on x86-64; "syscall 1234" when libseccomp does not know the number.
std::string syscall_name(int nr);

// libseccomp's version, e.g. "2.5.4".
std::string libseccomp_version();

}  // namespace gauntlet::sandbox
