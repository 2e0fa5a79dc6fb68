// Private to the metrics layer: row-wise log-softmax on the host with oneDNN.
#pragma once

#include <cstdint>
#include <vector>

namespace gauntlet::metrics {

// log(softmax(x)) of each row of a row-major [rows, cols] f32 matrix (oneDNN softmax_v2,
// algorithm softmax_log: stable for large logits, unlike log() of a softmax).
std::vector<float> log_softmax_rows(const float* x, int64_t rows, int64_t cols);

}  // namespace gauntlet::metrics
