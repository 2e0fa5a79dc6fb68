#include "judge/sample_schedule.hpp"

#include <algorithm>
#include <numeric>

namespace gauntlet::judge {

std::vector<int64_t> plan_sample_budgets(const std::vector<int64_t>& batch_sizes, int64_t min_batches,
                                         int64_t available) {
  std::vector<int64_t> budget(batch_sizes.size(), 0);
  if (batch_sizes.empty() || available <= 0) return budget;
  // Reservations, smallest batch size first.
  std::vector<std::size_t> order(batch_sizes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return batch_sizes[a] < batch_sizes[b]; });
  int64_t left = available;
  for (std::size_t i : order) {
    budget[i] = std::min(left, batch_sizes[i] * std::max<int64_t>(min_batches, 1));
    left -= budget[i];
  }
  // The rest, shared equally.
  const auto n = static_cast<int64_t>(batch_sizes.size());
  for (std::size_t k = 0; k < order.size(); ++k)
    budget[order[k]] += left / n + (static_cast<int64_t>(k) < left % n ? 1 : 0);
  return budget;
}

int64_t samples_for_min_batches(const std::vector<int64_t>& batch_sizes, int64_t min_batches) {
  int64_t total = 0;
  for (int64_t b : batch_sizes) total += b * min_batches;
  return total;
}

SampleSchedule::SampleSchedule(int64_t samples, SecretStream& stream)
    : order_(static_cast<std::size_t>(samples)) {
  std::iota(order_.begin(), order_.end(), int64_t{0});
  // Fisher-Yates with unbiased draws.
  for (std::size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[stream.below(i)]);
}

std::span<const int64_t> SampleSchedule::take(int64_t n) {
  if (n <= 0 || n > remaining()) return {};
  std::span<const int64_t> out(order_.data() + next_, static_cast<std::size_t>(n));
  next_ += n;
  return out;
}

}  // namespace gauntlet::judge
