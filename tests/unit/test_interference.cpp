// Interference measured from the kernel's run-queue accounting (judge/interference.hpp): a
// "plugin" thread answering a "judge" thread, with and without a competing busy thread pinned
// to the plugin's core.
#include <doctest/doctest.h>

#include "judge/interference.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

using gauntlet::judge::is_disturbed;
using gauntlet::judge::parse_schedstat;
using gauntlet::judge::RunDelayWatch;

namespace {

using Clock = std::chrono::steady_clock;

bool pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

// Two CPUs this process may use, or none.
std::vector<int> two_cpus() {
  cpu_set_t set;
  std::vector<int> out;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int c = 0; c < CPU_SETSIZE && out.size() < 2; ++c)
    if (CPU_ISSET(c, &set)) out.push_back(c);
  return out;
}

void spin_for(std::chrono::microseconds d) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until) {
  }
}

struct Calls {
  int total = 0, disturbed = 0;
  uint64_t delay_ns = 0;
  std::vector<double> clean_ns, disturbed_ns;  // latencies of the calls counted and discarded
};

// `calls` round trips of ~50 us of work in a plugin thread on cpus[1], timed by this thread
// on cpus[0]; with `competitor`, a busy thread shares the plugin's core.
Calls run_calls(const std::vector<int>& cpus, int calls, bool competitor) {
  std::atomic<int> request{0}, response{0};
  std::atomic<bool> stop{false};
  std::atomic<pid_t> plugin_tid{0};
  std::thread plugin([&] {
    pin(cpus[1]);
    plugin_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    for (int seen = 0; !stop;) {
      const int r = request.load();
      if (r == seen) continue;
      seen = r;
      spin_for(std::chrono::microseconds(50));
      response.store(r);
    }
  });
  std::thread busy;
  if (competitor)
    busy = std::thread([&] {
      pin(cpus[1]);
      while (!stop) {
      }
    });
  pin(cpus[0]);
  while (plugin_tid == 0) std::this_thread::yield();
  RunDelayWatch watch;
  watch.watch_threads({plugin_tid.load()});
  Calls out;
  for (int i = 1; i <= calls; ++i) {
    const uint64_t before = watch.total_run_delay_ns();
    const auto t0 = Clock::now();
    request.store(i);
    while (response.load() != i) {
    }
    const auto ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    const uint64_t delay = watch.total_run_delay_ns() - before;
    ++out.total;
    out.delay_ns += delay;
    if (is_disturbed(delay, ns)) {
      ++out.disturbed;
      out.disturbed_ns.push_back(static_cast<double>(ns));
    } else {
      out.clean_ns.push_back(static_cast<double>(ns));
    }
  }
  stop = true;
  plugin.join();
  if (busy.joinable()) busy.join();
  return out;
}

}  // namespace

TEST_CASE("schedstat lines parse, and malformed ones do not") {
  auto s = parse_schedstat("123456 789 42\n");
  REQUIRE(s);
  CHECK(s->on_cpu_ns == 123456);
  CHECK(s->run_delay_ns == 789);
  CHECK(s->slices == 42);
  CHECK_FALSE(parse_schedstat("12 x 3"));
  CHECK_FALSE(parse_schedstat(""));
}

TEST_CASE("the disturbance rule: a floor for short calls, a share for long ones") {
  CHECK_FALSE(is_disturbed(0, 5000));
  CHECK_FALSE(is_disturbed(1000, 5000));  // at the floor
  CHECK(is_disturbed(1001, 5000));
  CHECK_FALSE(is_disturbed(19000, 1000000));  // under 2% of a 1 ms call
  CHECK(is_disturbed(21000, 1000000));
}

TEST_CASE(
    "a busy thread competing for the plugin's core makes the calls it delays disturbed, and only those") {
  const std::vector<int> cpus = two_cpus();
  if (cpus.size() < 2) {
    MESSAGE("needs two CPUs: skipped");
    return;
  }
  const Calls alone = run_calls(cpus, 1000, false);
  const Calls crowded = run_calls(cpus, 1000, true);
  MESSAGE("alone: " << alone.disturbed << " of " << alone.total << " disturbed (" << alone.delay_ns / 1000
                    << " us waiting); with a competitor: " << crowded.disturbed << " of " << crowded.total
                    << " (" << crowded.delay_ns / 1000 << " us)");
  // CFS gives the two threads on one core time slices of milliseconds: a call that starts in
  // the competitor's slice waits for its end. Over ~50 ms of calls that happens many times.
  CHECK(crowded.disturbed >= 5);
  CHECK(crowded.delay_ns > 5'000'000);
  // What is counted is clean: no counted call was slowed by the competitor's slice (a few
  // milliseconds); those were discarded (with some harmless ones: the window around a call
  // is a little wider than the call).
  REQUIRE(!crowded.clean_ns.empty());
  std::vector<double> clean = crowded.clean_ns;
  std::sort(clean.begin(), clean.end());
  const double median = clean[clean.size() / 2];
  CHECK(clean.back() < median + 1'000'000);
  CHECK(*std::max_element(crowded.disturbed_ns.begin(), crowded.disturbed_ns.end()) > median + 1'000'000);
}
