#include "judge/call_site.hpp"

namespace gauntlet::judge {

CallReport CallSite::call(int64_t batch, int64_t real, Clock::time_point deadline, const std::string& what,
                          bool timed) {
  CallReport r;
  outputs.mark_unwritten(batch);
  const uint64_t nonce = secret.next();
  const uint64_t delay_before = timed ? watch.total_run_delay_ns() : 0;
  r.answer = client.infer(
      batch, nonce, [&] { presentation.publish(batch); }, deadline);
  if (timed) r.run_delay_ns = watch.total_run_delay_ns() - delay_before;
  if (r.answer.kind != CallOutcome::Kind::ok) return r;
  // At once: later writes by a stray plugin thread change nothing that is checked or scored.
  outputs.snapshot(real);
  r.output_fault = outputs.fault(real, what);
  return r;
}

}  // namespace gauntlet::judge
