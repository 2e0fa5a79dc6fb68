// Verdicts: the fixed list of outcomes of judging one plugin, and the pure function that
// decides which one applies when several things went wrong at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gauntlet::judge {

enum class Verdict {
  ok,                  // judged completely; metrics and score are valid
  load_error,          // not a library, missing entry symbol, unresolved symbols, bogus table
  abi_mismatch,        // built for another major ABI version
  plugin_error,        // a call returned a non-OK status (with the plugin's message)
  bad_output,          // NaN/Inf or unwritten elements in an output
  time_limit,          // a call or phase exceeded its wall-clock limit
  memory_limit,        // the worker exceeded its memory limit
  crash,               // the worker died (signal or unexpected exit) or broke the protocol
  security_violation,  // the sandbox stopped a forbidden operation
  judge_error,         // the judge itself failed (not the plugin's fault): rejudge
};

std::string_view verdict_name(Verdict v);                              // "OK", "LOAD_ERROR", ...
[[nodiscard]] std::optional<Verdict> parse_verdict(std::string_view);  // inverse of verdict_name

// Everything the judge observed, gathered before deciding. Each field is one kind of
// evidence; the decision only looks at what is set.
struct Evidence {
  std::optional<std::string> judge_failure;       // host-side failure (setup, I/O, bug)
  std::optional<std::string> load_failure;        // from the worker's hello
  std::optional<std::string> abi_mismatch;        // from the worker's hello
  std::optional<std::string> time_limit;          // which call/phase exceeded which limit
  std::optional<std::string> memory_limit;        // limit and what was used
  std::optional<std::string> security_violation;  // e.g. the denied syscall
  std::optional<std::string> worker_death;        // how the worker ended when it should not have
  std::optional<std::string> protocol_violation;
  std::optional<std::string> plugin_error;  // call, status and message
  std::optional<std::string> bad_output;    // what was wrong and where
};

struct Decision {
  Verdict verdict = Verdict::ok;
  std::string reason;  // one line for people; empty for OK
};

// Precedence (the first that applies wins; its reason is the one reported):
//   1 JUDGE_ERROR         the judge failed: nothing else observed can be trusted (rejudge)
//   2 SECURITY_VIOLATION  the plugin tried what the sandbox forbids: organizers must see it
//                         whatever else happened (the SIGSYS it dies of is also a "crash")
//   3 MEMORY_LIMIT        the kernel stopped it for memory: an OOM kill also shows as a death
//                         (SIGKILL), and a job thrashing at its limit may also time out
//   4 TIME_LIMIT          a wall-clock limit, the CPU-time limit, or threads busy between calls
//                         (our watchdog's SIGKILL also shows as a death)
//   5 ABI_MISMATCH, 6 LOAD_ERROR   the library cannot be judged
//   7 CRASH               an unexpected death or a broken protocol
//   8 PLUGIN_ERROR        a call returned a non-OK status
//   9 BAD_OUTPUT          NaN/Inf, unwritten elements, or timed answers that differ
// Like CMS (sandbox error, then timeout, then signal) with the sandbox's own verdicts first.
// Limits and the sandbox rank above a load error because a static constructor runs inside
// the load: what it did is the real cause.
Decision decide(const Evidence& evidence);

}  // namespace gauntlet::judge
