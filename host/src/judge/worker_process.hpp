// Starts `gauntlet-worker` as a fresh process (posix_spawn + exec: a new address space that
// holds nothing of the host), in its own process group, with a clean environment, stdin from
// /dev/null, stdout/stderr captured (capped), and only the setup socket inherited.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace gauntlet::sandbox {
class JobSandbox;
}

namespace gauntlet::judge {

// How the worker ended.
struct ExitStatus {
  bool exited = false;           // normal exit; else killed by a signal
  int code = 0;                  // exit code, or signal number
  std::string describe() const;  // "exit code 3", "signal SIGSEGV (Segmentation fault)"
};

// Kernel accounting of the worker and everything it reaped (wait4), read by the host.
struct ResourceUsage {
  double cpu_seconds = 0;      // user + system, all threads
  uint64_t max_rss_bytes = 0;  // largest resident set of the worker or a reaped descendant
  double wall_seconds = 0;     // spawn to reap, host clock
};

// A bounded copy of one output stream: the head is kept, the rest only counted.
struct CapturedStream {
  std::string head;
  std::size_t total_bytes = 0;
  [[nodiscard]] bool truncated() const { return total_bytes > head.size(); }
};

class WorkerProcess {
 public:
  struct Options {
    std::filesystem::path worker_executable;
    std::filesystem::path plugin;
    int socket_fd = -1;                     // becomes fd 3 in the worker
    std::size_t capture_bytes = 64 * 1024;  // per stream
    std::vector<int> cpus;                  // --cpus: pinned before the plugin loads; empty: not
    std::vector<std::string> environment;   // added to PATH and LC_ALL, e.g. TMPDIR=...
    std::vector<std::string> extra_args;    // appended to the command line
    // The job's sandbox (borrowed, outlives the process): kill_all() reaches its cgroup too.
    sandbox::JobSandbox* sandbox = nullptr;
  };

  // Throws std::runtime_error naming the failing step.
  explicit WorkerProcess(const Options& options);
  ~WorkerProcess();  // kills and reaps if still running
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  // A worker spawned ahead of time (judge/worker_pool.hpp) joins its job: `sandbox` as in
  // Options, and its wall clock starts now.
  void adopt(sandbox::JobSandbox* sandbox);
  // True while the process has not exited (does not reap it).
  [[nodiscard]] bool alive();
  // SIGKILL to the whole process group: every process and thread the plugin started.
  void kill_all();
  // Waits for the exit (up to `timeout`, then kills) and reaps. Idempotent.
  ExitStatus wait(std::chrono::milliseconds timeout);

  // Valid once wait() has returned.
  const ResourceUsage& usage() const { return usage_; }

  // Output captured so far; complete once wait() has returned.
  CapturedStream stdout_capture();
  CapturedStream stderr_capture();

 private:
  void capture_loop(int out_fd, int err_fd);

  pid_t pid_ = -1;
  sandbox::JobSandbox* sandbox_ = nullptr;
  std::chrono::steady_clock::time_point started_;
  ResourceUsage usage_;
  std::optional<ExitStatus> exit_;
  std::size_t capture_bytes_;
  std::mutex capture_mutex_;
  CapturedStream out_, err_;
  std::atomic<bool> stop_capture_{false};
  std::thread capture_thread_;
};

// The worker executable installed next to the running `gauntlet` (or $GAUNTLET_WORKER).
std::filesystem::path default_worker_executable();

}  // namespace gauntlet::judge
