#include "confine/seccomp_trap.hpp"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <ucontext.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <vector>

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

namespace gauntlet::confine {
namespace {

int g_report_fd = -1;
uint64_t g_sysinfo_ram = 0;

// Appends the decimal digits of `value` (async-signal-safe).
char* put_number(char* out, long long value) {
  char digits[24];
  int n = 0;
  const bool negative = value < 0;
  unsigned long long v =
      negative ? 0ull - static_cast<unsigned long long>(value) : static_cast<unsigned long long>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative) *out++ = '-';
  while (n > 0) *out++ = digits[--n];
  return out;
}

char* put_text(char* out, const char* text) {
  while (*text) *out++ = *text++;
  return out;
}

// sysinfo(2) answered without the kernel: the host's load, uptime, process count and memory
// are another job's business. The plugin sees an idle machine with its own memory limit as
// RAM (what sysconf(_SC_PHYS_PAGES) then reports). Returns false where the ABI is unknown.
bool answer_sysinfo(void* context) {
#if defined(__x86_64__) || defined(__aarch64__)
  auto* uc = static_cast<ucontext_t*>(context);
#if defined(__x86_64__)
  greg_t* regs = uc->uc_mcontext.gregs;
  // The system call's first argument: an address, by the kernel's calling convention.
  auto* out = reinterpret_cast<struct sysinfo*>(regs[REG_RDI]);  // NOLINT(performance-no-int-to-ptr)
#else
  auto* out =
      reinterpret_cast<struct sysinfo*>(uc->uc_mcontext.regs[0]);  // NOLINT(performance-no-int-to-ptr)
#endif
  struct sysinfo neutral {};
  neutral.totalram = g_sysinfo_ram;
  neutral.freeram = g_sysinfo_ram;
  neutral.procs = 1;
  neutral.mem_unit = 1;
  // A bad pointer faults here, in the plugin's own thread, as the system call would have
  // failed with EFAULT: the plugin's own bug either way.
  std::memcpy(out, &neutral, sizeof neutral);
#if defined(__x86_64__)
  regs[REG_RAX] = 0;
#else
  uc->uc_mcontext.regs[0] = 0;
#endif
  return true;
#else
  (void)context;
  return false;
#endif
}

void on_sigsys(int, siginfo_t* info, void* context) {
  const int saved = errno;
  if (info->si_syscall == SYS_sysinfo && answer_sysinfo(context)) {
    errno = saved;
    return;
  }
  char buf[128];
  char* p = put_text(buf, "{\"type\":\"violation\",\"nr\":");
  p = put_number(p, info->si_syscall);
  p = put_text(p, ",\"arch\":");
  p = put_number(p, static_cast<long long>(info->si_arch));
  p = put_text(p, "}");
  if (g_report_fd >= 0)
    ::send(g_report_fd, buf, static_cast<std::size_t>(p - buf), MSG_DONTWAIT | MSG_NOSIGNAL);
  // SIGSYS is blocked while this handler runs. A trapped call made now is delivered with the
  // default action (the kernel resets a blocked, forced SIGSYS): the process dies by SIGSYS at
  // once. sysinfo traps under every program this worker loads.
  ::syscall(SYS_sysinfo, nullptr);
  // Only if no filter is loaded yet (the handler cannot be reached then): leave the same way.
  ::signal(SIGSYS, SIG_DFL);
  ::syscall(SYS_tgkill, ::getpid(), ::syscall(SYS_gettid), SIGSYS);
  errno = saved;
}

}  // namespace

std::string install_sigsys_handler(int report_fd, uint64_t sysinfo_ram_bytes) {
  g_report_fd = report_fd;
  g_sysinfo_ram = sysinfo_ram_bytes;
  struct sigaction sa {};
  sa.sa_sigaction = &on_sigsys;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(SIGSYS, &sa, nullptr) != 0)
    return std::string("sigaction(SIGSYS): ") + std::strerror(errno);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGSYS);
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  return {};
}

namespace {

// Loads the program with `flags`; returns the system call's result (a listener with
// NEW_LISTENER), or -1 with `error` set.
long load(const std::vector<unsigned char>& bpf, unsigned long flags, std::string& error) {
  if (bpf.empty() || bpf.size() % sizeof(sock_filter) != 0 ||
      bpf.size() / sizeof(sock_filter) > BPF_MAXINSNS) {
    error = "seccomp: malformed BPF program";
    return -1;
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    error = std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno);
    return -1;
  }
  sock_fprog program{static_cast<unsigned short>(bpf.size() / sizeof(sock_filter)),
                     reinterpret_cast<sock_filter*>(const_cast<unsigned char*>(bpf.data()))};
  // SPEC_ALLOW: no forced speculative-store-bypass mitigation. It would slow the plugin's
  // timed code, and there is no secret in the worker's address space to protect.
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags | SECCOMP_FILTER_FLAG_SPEC_ALLOW, &program);
  if (rc < 0 && errno == EINVAL) rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &program);
  if (rc < 0) error = std::string("seccomp(SECCOMP_SET_MODE_FILTER): ") + std::strerror(errno);
  return rc;
}

}  // namespace

std::string load_seccomp(const std::vector<unsigned char>& bpf) {
  std::string error;
  load(bpf, 0, error);
  return error;
}

std::string load_seccomp_supervised(const std::vector<unsigned char>& bpf, int& listener) {
  std::string error;
  const long fd = load(bpf, SECCOMP_FILTER_FLAG_NEW_LISTENER, error);
  listener = fd >= 0 ? static_cast<int>(fd) : -1;
  return error;
}

int receive_notification(int listener) {
  // The kernel's structure may be larger than this header's: ask for its size.
  seccomp_notif_sizes sizes{};
  if (::syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) return -1;
  std::vector<unsigned char> buffer(std::max<std::size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)), 0);
  if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, buffer.data()) != 0) return -1;
  seccomp_notif notification{};
  std::memcpy(&notification, buffer.data(), sizeof notification);
  return notification.data.nr;
}

}  // namespace gauntlet::confine
