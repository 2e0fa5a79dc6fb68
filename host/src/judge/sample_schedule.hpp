// Which evaluation samples the timed calls carry (README, Integrity of the measurement).
//
// Every timed call presents samples the plugin has not been shown in this judging: the
// timing runs before the evaluation pass, on samples drawn without replacement from a
// secret permutation of the evaluated split. A plugin that remembers outputs by input content
// (or by anything derived from it: masked bits, a downsampled hash) finds nothing to recall,
// and one that predicts the draw from its seed finds nothing to predict (secret_stream.hpp).
// The evaluation pass then presents every sample again, untimed, and the timed answers are
// checked against it (consistency.hpp).
//
// Fresh samples are finite: each timed batch size gets a budget of them. Smaller batch sizes
// get their min_batches' worth first (they are cheap), the largest last, and what is left
// beyond every reservation is shared equally; what a batch size leaves unused passes to the
// next. A batch size whose budget cannot reach min_batches calls is measured on what there is
// and reported as unreliable, never padded with samples already shown.
#pragma once

#include "judge/secret_stream.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace gauntlet::judge {

// Fresh samples per timed batch size (same order as `batch_sizes`), out of `available`.
std::vector<int64_t> plan_sample_budgets(const std::vector<int64_t>& batch_sizes, int64_t min_batches,
                                         int64_t available);

// Samples needed for `min_batches` calls at every timed batch size: what `gauntlet validate`
// compares with the split sizes.
int64_t samples_for_min_batches(const std::vector<int64_t>& batch_sizes, int64_t min_batches);

class SampleSchedule {
 public:
  // A secret permutation of [0, samples).
  SampleSchedule(int64_t samples, SecretStream& stream);

  int64_t remaining() const { return static_cast<int64_t>(order_.size()) - next_; }
  int64_t used() const { return next_; }
  // The next `n` samples of the permutation (never shown before), or an empty span when
  // fewer than `n` remain.
  std::span<const int64_t> take(int64_t n);

 private:
  std::vector<int64_t> order_;
  int64_t next_ = 0;
};

}  // namespace gauntlet::judge
