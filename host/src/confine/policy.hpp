// The sandbox's vocabulary, shared by the host and the worker: the user-facing mode, the
// mechanisms by name, the report of which ones were active, and the policy the host sends the
// worker (as the first message on the setup socket) telling it exactly what to apply.
//
// Every decision is made by the host (from the mode, the challenge limits and what this
// machine supports); the worker only applies the policy, in a fixed order, and reports each
// step by name (see worker/confinement.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::confine {

// strict: every mechanism below must be active, or the judge refuses to run.
// relaxed: use what this machine has, and record what was missing in the result.
enum class Mode { strict, relaxed };

std::string_view mode_name(Mode mode);                                // "strict" | "relaxed"
[[nodiscard]] std::optional<Mode> parse_mode(std::string_view name);  // inverse of mode_name

// The mechanisms, in the order they are applied. The names are stable: they appear in
// `gauntlet doctor`, in result JSON ("sandbox.mechanisms") and in error messages.
namespace mech {
inline constexpr const char* kProcess = "process";          // fresh exec, pdeathsig, fds, env, cwd
inline constexpr const char* kUserNs = "user_namespace";    // unprivileged root, caps confined
inline constexpr const char* kMountNs = "mount_namespace";  // only system libs, plugin, assets
inline constexpr const char* kNetNs = "network_namespace";  // no interface but a down loopback
inline constexpr const char* kIpcNs = "ipc_namespace";
inline constexpr const char* kPidNs = "pid_namespace";        // the plugin sees only its own tree
inline constexpr const char* kUtsNs = "uts_namespace";        // a fixed host name
inline constexpr const char* kCapabilities = "capabilities";  // every capability dropped
inline constexpr const char* kLandlock = "landlock";          // file access: assets (+ /tmp) only
inline constexpr const char* kSeccomp = "seccomp";            // no_new_privs + syscall allowlist
inline constexpr const char* kRlimits = "rlimits";            // core, files, file size, CPU, ...
inline constexpr const char* kMemoryLimit = "memory_limit";   // cgroup memory, else RLIMIT_DATA
inline constexpr const char* kThreadLimit = "thread_limit";   // cgroup pids, else RLIMIT_NPROC
inline constexpr const char* kKillAll = "kill_all";           // the whole job dies on timeout
}  // namespace mech

// Every mechanism, in application order.
const std::vector<std::string>& all_mechanisms();

enum class Status {
  active,   // in force for this job
  missing,  // this machine does not offer it (relaxed mode ran without it)
  failed,   // offered but applying it failed (detail says at which step, with errno)
};
std::string_view status_name(Status status);
[[nodiscard]] std::optional<Status> parse_status(std::string_view name);

struct Mechanism {
  std::string name;
  Status status = Status::missing;
  std::string detail;  // how (e.g. "cgroup v1 memory controller, 256 MiB") or why not
};

// What was in force for one worker: the host's part (cgroups) and the worker's part
// (everything it applied to itself before loading the plugin).
struct Report {
  Mode mode = Mode::strict;
  std::vector<Mechanism> mechanisms;

  void set(const std::string& name, Status status, const std::string& detail);
  const Mechanism* find(const std::string& name) const;
  // Names of mechanisms that are not active, in order.
  std::vector<std::string> inactive() const;
  // "all 13 mechanisms active" or "missing: landlock (ABI 0); failed: seccomp (...)".
  std::string summary() const;
};

nlohmann::json to_json(const Report& report);
// Throws std::exception on malformed input (it comes from the worker: untrusted).
Report report_from_json(const nlohmann::json& j);

// Limits the worker applies to itself (the host applies the cgroup ones).
struct ResourceLimits {
  uint64_t memory_bytes = 4096ull << 20;  // limits.memory_mb
  int threads = 1;                        // limits.threads: the plugin's thread budget
  double cpu_seconds = 600;               // RLIMIT_CPU backstop for the whole worker
  uint64_t file_bytes = 64ull << 20;      // RLIMIT_FSIZE, and the size of the private /tmp
  int open_files = 256;                   // RLIMIT_NOFILE
  std::vector<int> cpus;                  // the job's CPUs (cpuset cgroup), empty: any (host side only)
  // Tasks of the worker besides the plugin process's threads: with a pid namespace, its
  // supervisor and the namespace's init (worker/confinement.hpp); without one, none.
  int worker_tasks = 2;
};

// The job's task limit (pids.max, or RLIMIT_NPROC): the worker's own tasks and the plugin's
// thread budget, its main thread included, nothing more. A plugin cannot bank idle threads for
// use inside calls. (No slack for runtimes either: AddressSanitizer's starts no thread in the
// worker, and the worker is never built with ThreadSanitizer: host/CMakeLists.txt.)
int task_limit(const ResourceLimits& limits);

// What the worker must apply, decided by the host. Sent as {"type":"sandbox", ...}.
struct WorkerPolicy {
  Mode mode = Mode::strict;
  // Namespaces to create.
  bool user_ns = false, mount_ns = false, net_ns = false, ipc_ns = false, pid_ns = false, uts_ns = false;
  // The view the mount namespace gives: these host paths, read-only, at the same place.
  std::string plugin;                     // the plugin file (may be empty: a self-test loads nothing)
  std::string asset_dir;                  // the plugin's read-only assets, or empty
  std::vector<std::string> system_paths;  // libraries and what the loader reads
  std::vector<std::string> devices;       // /dev/null and friends, read-write
  // Private working directory: a fresh tmpfs at /tmp inside the mount namespace, else this
  // host folder (created empty by the host, removed after the job).
  std::string host_workdir;
  bool landlock = false;
  int landlock_abi = 0;
  std::string seccomp_bpf;          // hex of struct sock_filter[]; empty: no seccomp
  bool seccomp_supervised = false;  // denied calls notify init (pid namespace), else SIGSYS
  int own_pid = 0;                  // the plugin process's pid as it sees itself (tgkill filter)
  bool drop_capabilities = false;
  ResourceLimits limits;
  bool rlimit_memory = false;  // no memory cgroup: RLIMIT_DATA = memory_bytes (caveat: virtual)
  bool rlimit_nproc = false;   // RLIMIT_NPROC = task_limit() (only enforced in a user namespace)
};

nlohmann::json to_json(const WorkerPolicy& policy);
WorkerPolicy policy_from_json(const nlohmann::json& j);  // throws on malformed input

std::string to_hex(const void* data, std::size_t bytes);
std::vector<unsigned char> from_hex(std::string_view hex);  // throws on bad input

}  // namespace gauntlet::confine
