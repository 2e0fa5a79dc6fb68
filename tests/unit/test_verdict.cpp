// The verdict decision: a pure function of the evidence, with the precedence of verdict.hpp.
#include <doctest/doctest.h>

#include "judge/verdict.hpp"

#include <vector>

using gauntlet::judge::decide;
using gauntlet::judge::Evidence;
using gauntlet::judge::parse_verdict;
using gauntlet::judge::Verdict;
using gauntlet::judge::verdict_name;

namespace {

// The evidence fields in precedence order, each with the verdict it gives.
struct Field {
  std::optional<std::string> Evidence::*member;
  Verdict verdict;
};
const std::vector<Field> kOrder = {
    {&Evidence::judge_failure, Verdict::judge_error},
    {&Evidence::security_violation, Verdict::security_violation},
    {&Evidence::memory_limit, Verdict::memory_limit},
    {&Evidence::time_limit, Verdict::time_limit},
    {&Evidence::abi_mismatch, Verdict::abi_mismatch},
    {&Evidence::load_failure, Verdict::load_error},
    {&Evidence::worker_death, Verdict::crash},
    {&Evidence::protocol_violation, Verdict::crash},
    {&Evidence::plugin_error, Verdict::plugin_error},
    {&Evidence::bad_output, Verdict::bad_output},
};

}  // namespace

TEST_CASE("no evidence is OK, with no reason") {
  auto d = decide(Evidence{});
  CHECK(d.verdict == Verdict::ok);
  CHECK(d.reason.empty());
}

TEST_CASE("each kind of evidence alone gives its verdict and its text as the reason") {
  for (const auto& f : kOrder) {
    Evidence e;
    e.*f.member = "because of " + std::string(verdict_name(f.verdict));
    auto d = decide(e);
    CAPTURE(verdict_name(f.verdict));
    CHECK(d.verdict == f.verdict);
    CHECK(d.reason == *(e.*f.member));
  }
}

TEST_CASE("when several apply, the earlier in the documented order wins, for every pair") {
  for (std::size_t i = 0; i < kOrder.size(); ++i)
    for (std::size_t j = i + 1; j < kOrder.size(); ++j) {
      Evidence e;
      e.*kOrder[i].member = "first";
      e.*kOrder[j].member = "second";
      auto d = decide(e);
      CAPTURE(i);
      CAPTURE(j);
      CHECK(d.verdict == kOrder[i].verdict);
      CHECK(d.reason == "first");
    }
}

TEST_CASE("the sandbox's kills are not reported as crashes") {
  // A denied system call kills the worker with SIGSYS: both pieces of evidence exist.
  Evidence sigsys;
  sigsys.worker_death = "the worker died during create() (killed by SIGSYS (Bad system call))";
  sigsys.security_violation = "the plugin called clone() during create(), which the sandbox forbids";
  CHECK(decide(sigsys).verdict == Verdict::security_violation);
  CHECK(decide(sigsys).reason.find("clone()") != std::string::npos);

  // The OOM killer's SIGKILL.
  Evidence oom;
  oom.worker_death = "the worker died during infer() (killed by SIGKILL (Killed))";
  oom.memory_limit = "the worker exceeded its memory limit of 256.0 MiB (limits.memory_mb)";
  CHECK(decide(oom).verdict == Verdict::memory_limit);

  // Thrashing at the memory limit until the watchdog fired: memory is the cause.
  Evidence slow;
  slow.time_limit = "infer() did not finish within the per-call limit";
  slow.memory_limit = "the worker exceeded its memory limit";
  CHECK(decide(slow).verdict == Verdict::memory_limit);

  // A forbidden call from a static constructor of a library that then failed to load.
  Evidence ctor;
  ctor.load_failure = "cannot load the library";
  ctor.security_violation = "the plugin called execve() during loading the plugin";
  CHECK(decide(ctor).verdict == Verdict::security_violation);
}

TEST_CASE("a judge failure voids everything else") {
  Evidence e;
  for (const auto& f : kOrder) e.*f.member = "set";
  e.judge_failure = "the worker could not set up the strict sandbox: ...";
  CHECK(decide(e).verdict == Verdict::judge_error);
  CHECK(decide(e).reason.find("strict sandbox") != std::string::npos);
}

TEST_CASE("verdict names round-trip, and unknown names are refused") {
  for (Verdict v : {Verdict::ok, Verdict::load_error, Verdict::abi_mismatch, Verdict::plugin_error,
                    Verdict::bad_output, Verdict::time_limit, Verdict::memory_limit, Verdict::crash,
                    Verdict::security_violation, Verdict::judge_error})
    CHECK(parse_verdict(verdict_name(v)) == v);
  CHECK(verdict_name(Verdict::memory_limit) == "MEMORY_LIMIT");
  CHECK(verdict_name(Verdict::security_violation) == "SECURITY_VIOLATION");
  CHECK_FALSE(parse_verdict("OUTPUT_LIMIT").has_value());
  CHECK_FALSE(parse_verdict("ok").has_value());
}
