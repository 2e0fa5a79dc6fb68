#include "sandbox/seccomp_trap.hpp"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstring>

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

namespace gauntlet::sandbox {
namespace {

int g_report_fd = -1;

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

void on_sigsys(int, siginfo_t* info, void*) {
  const int saved = errno;
  char buf[128];
  char* p = put_text(buf, "{\"type\":\"violation\",\"nr\":");
  p = put_number(p, info->si_syscall);
  p = put_text(p, ",\"arch\":");
  p = put_number(p, static_cast<long long>(info->si_arch));
  p = put_text(p, "}");
  if (g_report_fd >= 0)
    ::send(g_report_fd, buf, static_cast<std::size_t>(p - buf), MSG_DONTWAIT | MSG_NOSIGNAL);
  // SA_RESETHAND restored the default action on entry; SIGSYS is blocked while this handler
  // runs, so this one is delivered, fatally, as soon as it returns.
  ::syscall(SYS_tgkill, ::getpid(), ::syscall(SYS_gettid), SIGSYS);
  errno = saved;
}

}  // namespace

std::string install_violation_reporter(int report_fd) {
  g_report_fd = report_fd;
  struct sigaction sa {};
  sa.sa_sigaction = &on_sigsys;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(SIGSYS, &sa, nullptr) != 0)
    return std::string("sigaction(SIGSYS): ") + std::strerror(errno);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGSYS);
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  return {};
}

std::string load_seccomp(const std::vector<unsigned char>& bpf) {
  if (bpf.empty() || bpf.size() % sizeof(sock_filter) != 0 || bpf.size() / sizeof(sock_filter) > BPF_MAXINSNS)
    return "seccomp: malformed BPF program";
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(errno);
  sock_fprog program{static_cast<unsigned short>(bpf.size() / sizeof(sock_filter)),
                     reinterpret_cast<sock_filter*>(const_cast<unsigned char*>(bpf.data()))};
  // SPEC_ALLOW: no forced speculative-store-bypass mitigation. It would slow the plugin's
  // timed code, and there is no secret in the worker's address space to protect.
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &program) == 0)
    return {};
  if (errno == EINVAL && ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0) return {};
  return std::string("seccomp(SECCOMP_SET_MODE_FILTER): ") + std::strerror(errno);
}

}  // namespace gauntlet::sandbox
