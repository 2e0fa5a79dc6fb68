// Evidence from how the worker ended and what the kernel counted (judge/post_mortem.hpp), and
// the thread budget's CPU check (judge/cpu_budget.hpp), as pure functions.
#include <doctest/doctest.h>

#include "ipc/protocol.hpp"
#include "judge/cpu_budget.hpp"
#include "judge/post_mortem.hpp"
#include "judge/timed_phase.hpp"

#include <sys/syscall.h>

#include <csignal>

using namespace gauntlet::judge;

namespace {

PostMortemInput killed_by(int signal) {
  PostMortemInput in;
  in.exit = ExitStatus{false, signal};
  in.usage.wall_seconds = 1;
  in.usage.cpu_seconds = 0.5;
  in.limits.memory_bytes = 256ull << 20;
  in.limits.threads = 1;
  in.limits.cpu_seconds = 10;
  return in;
}

}  // namespace

TEST_CASE("a clean exit within budget is no evidence at all") {
  PostMortemInput in = killed_by(0);
  in.exit = ExitStatus{true, 0};
  in.stats.peak_bytes = 12345;
  in.stats.peak_source = "cgroup v1 memory.max_usage_in_bytes";
  const PostMortem pm = post_mortem(in);
  CHECK(decide(pm.evidence).verdict == Verdict::ok);
  CHECK(pm.resources.peak_memory_bytes == 12345u);
  CHECK(pm.resources.memory_limit_bytes == 256ull << 20);
  CHECK(pm.warnings.empty());
}

TEST_CASE("signals and counters become the evidence their verdicts need") {
  PostMortemInput in = killed_by(SIGSYS);
  in.violation = SYS_ptrace;
  in.died_during = "create()";
  CHECK(*post_mortem(in).evidence.security_violation ==
        "the plugin called ptrace() during create(), which the sandbox forbids");
  in.violation.reset();
  CHECK(post_mortem(in).evidence.security_violation->find("not reported") != std::string::npos);

  in = killed_by(SIGKILL);
  in.stats.oom_kills = 1;
  CHECK(post_mortem(in).evidence.memory_limit->find("OOM killer") != std::string::npos);

  in = killed_by(SIGKILL);
  in.timed_out = true;
  in.stats.memory_failcnt = 3;
  CHECK(post_mortem(in).evidence.memory_limit->find("at its memory limit of 256.0 MiB") != std::string::npos);

  in = killed_by(0);
  in.exit = ExitStatus{true, gauntlet::ipc::kWorkerOutOfMemoryExit};
  CHECK(post_mortem(in).evidence.memory_limit->find("std::bad_alloc") != std::string::npos);

  in = killed_by(SIGXFSZ);
  CHECK(post_mortem(in).evidence.memory_limit->find("file-size limit") != std::string::npos);

  in = killed_by(SIGBUS);
  in.training_revoked = true;
  in.died_during = "infer() warm-up call with batch 1";
  CHECK(post_mortem(in).evidence.worker_death->find("after its training data was revoked") !=
        std::string::npos);
  in.training_revoked = false;  // a plain SIGBUS: the session's own reason stands
  CHECK_FALSE(post_mortem(in).evidence.worker_death);

  in = killed_by(SIGXCPU);
  CHECK(post_mortem(in).evidence.time_limit->find("RLIMIT_CPU") != std::string::npos);
  in.timed_out = true;  // the watchdog's reason is already there
  CHECK_FALSE(post_mortem(in).evidence.time_limit);

  in = killed_by(0);
  in.exit = ExitStatus{true, 0};
  in.stats.pids_refused = 2;
  const PostMortem pm = post_mortem(in);
  REQUIRE(pm.warnings.size() == 1);
  CHECK(pm.warnings[0].find("refused 2 thread creation(s)") != std::string::npos);
}

TEST_CASE("the thread budget: CPU time over wall time, with a stated tolerance") {
  CHECK_FALSE(cpu_over_budget(1.0, 1.0, 1, "x"));
  CHECK_FALSE(cpu_over_budget(1.05 + 0.019, 1.0, 1, "x"));
  const auto over = cpu_over_budget(3.0, 1.0, 1, "the timed infer() with batch 1 calls");
  REQUIRE(over);
  CHECK(over->find("the timed infer() with batch 1 calls used 3.000 s of CPU time in 1.000 s") == 0);
  CHECK(over->find("3.00 cores, more than limits.threads = 1") != std::string::npos);
  CHECK_FALSE(cpu_over_budget(3.0, 1.0, 3, "x"));
  // A whole life: three threads kept busy for the second half of it.
  PostMortemInput in = killed_by(0);
  in.exit = ExitStatus{true, 0};
  in.usage.cpu_seconds = 2.0;
  CHECK(post_mortem(in).evidence.time_limit->find("over its whole life") != std::string::npos);
}

TEST_CASE(
    "a timed batch size is unreliable when it could not count min_batches calls, or when too many were "
    "disturbed") {
  CHECK_FALSE(unreliable_reason(20, 0, 20, false, 5000));
  CHECK_FALSE(unreliable_reason(20, 6, 20, false, 5000));  // 6 of 26: under a quarter
  auto why = unreliable_reason(12, 0, 20, true, 3072);
  REQUIRE(why);
  CHECK(why->find("only 12 undisturbed calls (timing.min_batches is 20, 0 calls disturbed): the 3072 fresh "
                  "samples") == 0);
  why = unreliable_reason(5, 40, 20, false, 5000);
  REQUIRE(why);
  CHECK(why->find("40 calls were disturbed by other tasks") != std::string::npos);
  why = unreliable_reason(30, 11, 20, false, 5000);
  REQUIRE(why);
  CHECK(why->find("11 of 41 calls were disturbed") == 0);
}
