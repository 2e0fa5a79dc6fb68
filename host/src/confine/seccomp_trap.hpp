// Worker side of seccomp: loads the host's BPF program and reports denied calls, in one of
// two ways.
//
// Supervised (the worker has a pid namespace): denied calls return SECCOMP_RET_USER_NOTIF to
// a listener the plugin process hands to its init right after loading the filter and then
// closes. init, a separate process the plugin can neither see nor signal, receives the
// notification, kills the plugin process at once and reports the call through the worker's
// supervisor. Nothing in the plugin's address space takes part.
//
// Trapping (no pid namespace): a denied call raises SIGSYS (SECCOMP_RET_TRAP) in the thread
// that made it. The handler, installed before the filter, sends
// {"type":"violation","nr":N,"arch":A} on the setup socket (non-blocking, async-signal-safe),
// then makes the process die by SIGSYS. The host names the call from N (libseccomp) and gives
// SECURITY_VIOLATION for any worker killed by SIGSYS, reported or not. The filter forbids
// replacing or ignoring the SIGSYS handler; a plugin that blocks SIGSYS or patches the
// handler's code only loses the report: the kernel then kills it by SIGSYS, and a denied call
// never runs either way.
//
// Answered (both ways): sysinfo(2) traps, and the same handler answers it with a neutral
// machine (no load, one process, the job's memory limit as RAM) instead of the host's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet::confine {

// Installs the SIGSYS handler: reports denied calls on `report_fd` (-1: none) and answers
// sysinfo with `sysinfo_ram_bytes` of RAM. Returns "" or the failing step.
std::string install_sigsys_handler(int report_fd, uint64_t sysinfo_ram_bytes);

// Sets no_new_privs and loads `bpf` (struct sock_filter[]) for this thread and its future
// threads and children. Returns "" or the failing step.
std::string load_seccomp(const std::vector<unsigned char>& bpf);

// The same for a supervised program: `listener` receives the notification descriptor, which
// the caller must hand over and close before any plugin code runs.
std::string load_seccomp_supervised(const std::vector<unsigned char>& bpf, int& listener);

// Supervisor side: reads one pending notification from `listener`. Returns the system call
// number, or -1 when there was none (the filter's last process is gone).
int receive_notification(int listener);

}  // namespace gauntlet::confine
