#include "judge/spin_policy.hpp"

#include <algorithm>

namespace gauntlet::judge {

std::chrono::nanoseconds host_spin(const Challenge& challenge, int judge_cores) {
  const auto& t = challenge.timing;
  if (!t.spin_auto) return std::chrono::nanoseconds(static_cast<int64_t>(t.spin_us * 1000));
  if (challenge.limits.threads < judge_cores)
    return std::chrono::nanoseconds(static_cast<int64_t>(challenge.limits.ms_per_batch * 1e6));
  if (judge_cores <= 1) return std::chrono::nanoseconds(0);
  return std::chrono::microseconds(kAutoSpinUs);
}

uint32_t worker_spin_us(const Challenge& challenge, double batch_input_bytes, bool shared_core) {
  if (!challenge.timing.spin_auto) return static_cast<uint32_t>(challenge.timing.spin_us);
  if (shared_core) return 0;
  return static_cast<uint32_t>(std::clamp(2 * batch_input_bytes / 1e3, 200.0, 10000.0));
}

}  // namespace gauntlet::judge
