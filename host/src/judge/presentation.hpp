// How inputs reach infer(): one small shared region per interface input, as large as the
// largest batch, into which the judge writes each call's samples just before posting it.
//
// The worker never maps the evaluation set. A sample is visible to the plugin only from the
// moment the judge starts writing the call that presents it, and the judge's clock for that
// call starts before the first byte is written (call_protocol.hpp): no work can be done on
// an input before it is timed. The price is one copy of the call's inputs inside the measured
// time, at memcpy speed; for timed calls the samples are first gathered into private staging
// memory (untimed), so that what is timed is one contiguous copy per input.
#pragma once

#include "common/host_tensor.hpp"
#include "ipc/shared_memory.hpp"
#include "judge/worker_client.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace gauntlet::judge {

class Presentation {
 public:
  // One region per input: `names[i]` laid out like the samples of `like[i]` (dtype and
  // sample shape), `capacity` samples. Throws std::runtime_error when shared memory fails.
  Presentation(const std::vector<std::string>& names, const std::vector<HostTensor>& like, int64_t capacity);

  // What the worker maps (read-only for it).
  std::vector<RegionSpec> regions() const;

  // Untimed: gathers samples `samples` of each tensor of `from` (one per input) into staging.
  void stage_samples(const std::vector<HostTensor>& from, std::span<const int64_t> samples);
  // Untimed: the contiguous samples [first, first + count) of `from`, copied from place.
  void stage_range(const std::vector<HostTensor>& from, int64_t first, int64_t count);
  int64_t staged() const { return count_; }

  // Timed: writes the staged samples into the regions, and zeros up to `batch` samples (the
  // padding of a short last batch).
  void publish(int64_t batch);

 private:
  struct Input {
    std::shared_ptr<ipc::SharedMemory> region;
    std::string name;
    DType dtype = DType::f32;
    std::vector<int64_t> shape;  // [capacity, sample dims...]
    std::size_t sample_bytes = 0;
    std::shared_ptr<Buffer> staging;
    const std::byte* source = nullptr;  // what publish() copies: staging, or the tensor itself
  };
  std::vector<Input> inputs_;
  int64_t capacity_ = 0;
  int64_t count_ = 0;
};

}  // namespace gauntlet::judge
