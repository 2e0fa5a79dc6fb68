// Worker side: entering new namespaces and dropping capabilities. Each function returns an
// empty string on success, else one line naming the step and the errno text.
#pragma once

#include <optional>
#include <string>

namespace gauntlet::confine {

struct NamespaceRequest {
  bool user = false, mount = false, net = false, ipc = false, pid = false, uts = false;
  bool operator==(const NamespaceRequest&) const = default;
};

// The host name (and NIS domain name) a worker with its own UTS namespace sees.
inline constexpr const char* kSandboxHostname = "gauntlet";

// "user,mount,net,ipc,pid,uts" (the requested ones, in this order) and back; nullopt for an
// unknown name.
std::string namespace_list(const NamespaceRequest& request);
[[nodiscard]] std::optional<NamespaceRequest> parse_namespace_list(const std::string& list);

// unshare(2) of the requested namespaces in one call. With a user namespace, the caller's
// uid and gid become root inside it (the only mapping an unprivileged process may write), and
// setgroups is denied. After a pid namespace, the caller's next child is the namespace's init.
// A UTS namespace gets the fixed kSandboxHostname, so nothing of the host's name shows.
std::string enter_namespaces(const NamespaceRequest& request);

// `gauntlet-worker --probe-namespaces`: tries each namespace in its own child process (the
// way the worker will use it: mount with a tmpfs, pid with a child as init) and prints one
// JSON object {"user": "", "mount": "<why not>", ...} on stdout. Returns the exit code.
int probe_namespaces_main();

}  // namespace gauntlet::confine
