// The worker confining itself before it loads any team code, in this order (each step is
// reported by name; in strict mode the first failure ends the worker after its report):
//
//   1 process       core dumps off; the rest (fresh exec, PR_SET_PDEATHSIG, every fd but
//                   stdio and the setup socket closed, clean environment) is done by the host
//                   and main(); the private working directory comes with step 2 or is the
//                   host's empty folder
//   2 namespaces    unshare(user, mount, network, IPC, pid), then the mount view
//                   (sandbox/mounts.hpp), then, for the pid namespace, two forks:
//
//                     gauntlet-worker (supervisor, outside the pid namespace: relays the
//                      |               plugin process's exit status to the host, unchanged)
//                      +- init (pid 1: reaps, receives the seccomp notifications, reports,
//                          |   and its death ends everything)
//                          +- plugin process (pid 2: everything below, then the plugin)
//
//                   init is not the plugin process because pid 1 ignores its own signals
//                   (abort() would not abort).
//   3 capabilities  every set emptied
//   4 landlock      first layer: system libraries, plugin, assets, /tmp, devices
//   5 seccomp       no_new_privs and the host's BPF program; denied calls go to init
//                   (SECCOMP_RET_USER_NOTIF: init kills the plugin process and the supervisor
//                   reports the call), or without a pid namespace to a SIGSYS reporter
//   6 rlimits       core, files, file size, CPU, ... (sandbox/rlimits.hpp)
//
// then the report goes to the host, and only then is the plugin loaded (its static
// constructors run under all of the above). Once it is loaded, restrict_after_load() adds the
// second Landlock layer: only the assets, /tmp, the devices and the CPU topology remain.
#pragma once

#include "ipc/message_socket.hpp"
#include "confine/namespaces.hpp"
#include "confine/policy.hpp"

#include <sys/types.h>
#include <string>

namespace gauntlet::worker {

// Exit code of a worker that could not confine itself as a strict policy demands (after it
// sent its report), or that received no policy at all.
inline constexpr int kSandboxFailedExit = 71;

struct Confinement {
  confine::WorkerPolicy policy;  // plugin and asset_dir as the plugin sees them
  std::string host_plugin;       // the plugin's path on the host, for messages
  confine::Report report;
  std::string workdir;  // the plugin's working directory as it sees it
};

// Namespaces the worker entered before its policy came (gauntlet-worker --namespaces),
// while the host was moving it into the job's cgroups: they do not depend on the job.
struct EarlyNamespaces {
  bool entered = false;               // --namespaces was given
  confine::NamespaceRequest request;  // which
  std::string error;                  // "" when unshare(2) and the id maps worked
};
EarlyNamespaces enter_namespaces_early(const std::string& list, pid_t host_pid);

// Receives the policy on `socket`, applies it and sends the report. Returns only in the
// process that goes on to load the plugin; the supervisor and init exit from inside.
Confinement confine(ipc::MessageSocket& socket, pid_t host_pid, const EarlyNamespaces& early);

// The second Landlock layer, once the plugin is loaded. Returns "" or why it failed.
std::string restrict_after_load(const Confinement& confinement);

}  // namespace gauntlet::worker
