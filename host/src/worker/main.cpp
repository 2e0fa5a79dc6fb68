// gauntlet-worker: the process that runs team code. Started only by the judge, never by
// hand in normal use:  gauntlet-worker --plugin <lib.so> --host-pid <pid>   (setup socket on fd 3)
#include "confine/namespaces.hpp"
#include "ipc/message_socket.hpp"
#include "ipc/protocol.hpp"
#include "worker/confinement.hpp"
#include "worker/worker.hpp"

#include <sched.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#ifndef CLOSE_RANGE_CLOEXEC
#include <linux/close_range.h>
#endif
#include <sys/syscall.h>

namespace {

int usage() {
  std::fprintf(stderr,
               "gauntlet-worker: internal helper of `gauntlet`; it serves one plugin to the judge.\n"
               "usage: gauntlet-worker --plugin <lib.so> --host-pid <pid> [--cpus 0,1] [--namespaces "
               "user,mount,...]   (setup "
               "socket on fd %d)\n",
               gauntlet::ipc::kWorkerSocketFd);
  return 2;
}

// "0,1,5": the CPUs to run on. False for a malformed list or a refused affinity.
bool pin_to_cpus(const std::string& list) {
  cpu_set_t set;
  CPU_ZERO(&set);
  const char* p = list.c_str();
  while (*p) {
    char* end = nullptr;
    const long cpu = std::strtol(p, &end, 10);
    if (end == p || cpu < 0 || cpu >= CPU_SETSIZE) return false;
    CPU_SET(static_cast<int>(cpu), &set);
    p = *end == ',' ? end + 1 : end;
    if (*end != ',' && *end != '\0') return false;
  }
  return sched_setaffinity(0, sizeof set, &set) == 0;
}

// An exception thrown through the C ABI ends here (plugin calls are noexcept), as does the
// worker running out of memory under RLIMIT_DATA: say which on stderr, which the host keeps,
// then abort (verdict CRASH, SIGABRT), or, for memory, exit with the code the judge reads as
// MEMORY_LIMIT.
[[noreturn]] void on_terminate() {
  std::string what = "unknown exception";
  if (auto e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::bad_alloc&) {
      std::fputs("gauntlet-worker: out of memory (std::bad_alloc)\n", stderr);
      std::fflush(stderr);
      ::_exit(gauntlet::ipc::kWorkerOutOfMemoryExit);
    } catch (const std::exception& x) {
      what = x.what();
    } catch (...) {
    }
  }
  std::fprintf(stderr,
               "gauntlet-worker: uncaught exception (thrown by the plugin through the C ABI, or memory "
               "exhausted): %.400s\n",
               what.c_str());
  std::fflush(stderr);
  std::abort();
}

// The command line, the environment and the executable's name live in the process's own
// memory, where a plugin can read them (the argv and envp arrays on the stack, AT_EXECFN):
// they name host paths and the judge's pid. Once parsed, their bytes are cleared and the
// environment emptied; the worker sets the few variables a plugin may use after confinement.
void scrub_process_strings(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) std::memset(argv[i], 0, std::strlen(argv[i]));
  for (char** e = environ; e && *e; ++e) std::memset(*e, 0, std::strlen(*e));
  // AT_EXECFN's value is the address of the string, as getauxval(3) documents.
  if (auto* execfn = reinterpret_cast<char*>(::getauxval(AT_EXECFN)))  // NOLINT(performance-no-int-to-ptr)
    std::memset(execfn, 0, std::strlen(execfn));
  ::clearenv();
}

}  // namespace

int main(int argc, char** argv) {
  // The host's probe of what this machine allows (sandbox/machine_probe.hpp).
  if (argc == 2 && std::strcmp(argv[1], "--probe-namespaces") == 0)
    return gauntlet::confine::probe_namespaces_main();
  std::string plugin, cpus, namespaces;
  long host_pid = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--plugin") == 0)
      plugin = argv[i + 1];
    else if (std::strcmp(argv[i], "--host-pid") == 0)
      host_pid = std::strtol(argv[i + 1], nullptr, 10);
    else if (std::strcmp(argv[i], "--cpus") == 0)
      cpus = argv[i + 1];
    else if (std::strcmp(argv[i], "--namespaces") == 0)
      namespaces = argv[i + 1];
    else
      return usage();
  }
  if (plugin.empty() || host_pid <= 0) return usage();
  scrub_process_strings(argc, argv);

  // Die with the host. The check after prctl closes the race where the host died first.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != host_pid) return 3;
  // Nothing but stdio and the setup socket crosses exec (the host sets CLOEXEC everywhere;
  // this is the belt to those braces).
  ::syscall(SYS_close_range, gauntlet::ipc::kWorkerSocketFd + 1, ~0U, 0);

  // Pinned before the plugin loads (its static constructors may start threads): the event
  // runner gives each parallel job its own cores so jobs do not disturb each other's timing.
  // Best effort: a list the kernel refuses leaves the worker where it was spawned (on the
  // host thread's cores, which the runner pinned).
  if (!cpus.empty()) pin_to_cpus(cpus);

  // Confined before any team code is loaded (worker/confinement.hpp). A policy without a
  // plugin is the sandbox self-test of `gauntlet doctor`: done once the report is sent.
  // The namespaces do not depend on the job: entered while the host moves this process into
  // the job's cgroups (which makes the kernel wait for an RCU grace period).
  gauntlet::worker::EarlyNamespaces early;
  if (!namespaces.empty())
    early = gauntlet::worker::enter_namespaces_early(namespaces, static_cast<pid_t>(host_pid));
  gauntlet::ipc::MessageSocket socket(gauntlet::ipc::kWorkerSocketFd);
  const gauntlet::worker::Confinement confinement =
      gauntlet::worker::confine(socket, static_cast<pid_t>(host_pid), early);
  if (confinement.policy.plugin.empty()) ::_exit(0);
  std::set_terminate(on_terminate);
  // The private working directory (/tmp inside the mount namespace) is the plugin's scratch.
  const char* scratch = confinement.workdir.empty() ? "/tmp" : confinement.workdir.c_str();
  ::setenv("TMPDIR", scratch, 1);
  ::setenv("HOME", scratch, 1);

  gauntlet::worker::Worker worker(std::move(socket), confinement.policy.plugin, confinement.host_plugin,
                                  confinement.policy.asset_dir);
  worker.set_after_load([&confinement] { return gauntlet::worker::restrict_after_load(confinement); });
  const int code = worker.run();
  // _exit, not return: after destroy() a plugin's static destructors must not run while
  // threads it failed to stop may still be running (and nothing they do could matter now).
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(code);
}
