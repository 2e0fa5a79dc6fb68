// A tensor built a sample at a time when the number of samples is only known at the end
// (text tables, folders): one 64-byte aligned block grown by half again when full, so the
// memory peak stays near 1.5x the final tensor, and handed over without a copy.
#pragma once

#include "common/host_tensor.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace gauntlet::formats {

class GrowingTensor {
 public:
  GrowingTensor(DType dtype, std::vector<int64_t> sample_shape, int64_t expected_samples = 0);
  // The next sample's bytes (sample_bytes() of them), zero-initialised.
  std::byte* append();
  int64_t samples() const { return samples_; }
  std::size_t sample_bytes() const { return sample_bytes_; }
  HostTensor finish();  // [samples, sample_shape...]

 private:
  void grow(std::size_t bytes);

  DType dtype_;
  std::vector<int64_t> sample_shape_;
  std::size_t sample_bytes_ = 0;
  int64_t samples_ = 0;
  std::shared_ptr<Buffer> buffer_;
};

// A tensor whose bytes are not zeroed: for a reader that writes every byte (NPY, IDX), so the
// memory is touched once, by the data.
HostTensor uninitialized_tensor(DType dtype, std::vector<int64_t> shape);

}  // namespace gauntlet::formats
