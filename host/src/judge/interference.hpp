// Interference, measured rather than guessed (README, Integrity of the measurement).
//
// The kernel counts, for every thread, the time it spent runnable but waiting for a CPU
// (run_delay in /proc/<pid>/task/<tid>/schedstat, nanoseconds). The judge reads it for its own
// thread and for every thread of the job just before and just after each timed call: any wait
// inside that window means another task held a CPU the measurement needed (the machine is
// loaded, or the judge and the plugin shared a core). Such a call is disturbed: its latency is
// discarded and the call repeated (timed_calls.hpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace gauntlet::judge {

struct SchedStat {
  uint64_t on_cpu_ns = 0;     // time on a CPU (as of the thread's last scheduler event)
  uint64_t run_delay_ns = 0;  // time runnable but waiting on a run queue
  uint64_t slices = 0;        // times it was switched in
};
// "<on_cpu> <run_delay> <slices>\n"; nullopt when malformed.
[[nodiscard]] std::optional<SchedStat> parse_schedstat(std::string_view text);

// A call was disturbed when its threads waited on a run queue longer than this. Any real
// preemption costs a context switch and another task's time slice (tens of microseconds at
// least); the floor ignores accounting noise, the share keeps long calls from being thrown
// away for a blip that does not move their figure. When the judge and the plugin share a core
// (a job with fewer cores than the plugin's budget + 1), every call hands the core over and
// back, a wait of a few microseconds by design: the floor is then the shared one.
inline constexpr uint64_t kDisturbanceFloorNs = 1000;
inline constexpr uint64_t kSharedCoreFloorNs = 50000;
inline constexpr double kDisturbanceShare = 0.02;
[[nodiscard]] bool is_disturbed(uint64_t run_delay_ns, uint64_t call_ns,
                                uint64_t floor_ns = kDisturbanceFloorNs);

class RunDelayWatch {
 public:
  // Watches the calling thread (the judge's).
  RunDelayWatch();
  ~RunDelayWatch();
  RunDelayWatch(const RunDelayWatch&) = delete;
  RunDelayWatch& operator=(const RunDelayWatch&) = delete;

  // Watches every thread of `processes` from now on (replacing the previous job threads).
  void watch_processes(const std::vector<pid_t>& processes);
  // Watches the given threads of this process (tests: a thread playing the plugin).
  void watch_threads(const std::vector<pid_t>& tids);
  std::size_t threads() const { return fds_.size(); }

  // Run-queue waits so far (a thread that ended keeps its last value).
  struct Delays {
    uint64_t judge_ns = 0;  // the watching thread's
    uint64_t job_ns = 0;    // every job thread's, summed
  };
  Delays read();
  uint64_t total_run_delay_ns() {
    const Delays d = read();
    return d.judge_ns + d.job_ns;
  }
  uint64_t job_run_delay_ns() { return sum_from(1); }

 private:
  void add(const char* path);
  uint64_t sum_from(std::size_t first);
  void clear_job();

  std::vector<int> fds_;        // [0] is the judge's own thread
  std::vector<uint64_t> last_;  // last value read per fd
};

}  // namespace gauntlet::judge
