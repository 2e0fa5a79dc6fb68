#include "judge/call_site.hpp"

namespace gauntlet::judge {

CallReport CallSite::call(int64_t batch, int64_t real, Clock::time_point deadline, const std::string& what,
                          bool timed) {
  CallReport r;
  outputs.mark_unwritten(batch);
  const uint64_t nonce = secret.next();
  const RunDelayWatch::Delays before = timed ? watch.read() : RunDelayWatch::Delays{};
  r.answer = client.infer(
      batch, nonce, [&] { presentation.publish(batch); }, deadline);
  if (timed) {
    const RunDelayWatch::Delays after = watch.read();
    // The judge's own waits count only when they could have delayed the call: not those it
    // spent off its CPU while nothing had been answered yet.
    const uint64_t judge = after.judge_ns - before.judge_ns;
    const auto harmless = static_cast<uint64_t>(r.answer.judge_away_harmless.count());
    r.run_delay_ns = (after.job_ns - before.job_ns) + (judge > harmless ? judge - harmless : 0);
  }
  if (r.answer.kind != CallOutcome::Kind::ok) return r;
  // At once: later writes by a stray plugin thread change nothing that is checked or scored.
  outputs.snapshot(real);
  r.output_fault = outputs.fault(real, what);
  return r;
}

}  // namespace gauntlet::judge
