// The output regions infer() writes, and what the judge checks in them after every call.
//
// Before a call, float outputs are filled with a marker (a quiet NaN with a payload no
// arithmetic produces). The moment the answer is accepted the judge copies the outputs
// (the snapshot: later writes by a stray thread change nothing that is checked or scored),
// then compares the live region with the copy: a plugin that answered while still writing
// is caught in the act. The snapshot must hold no marker, NaN or Inf.
#pragma once

#include "challenge/challenge.hpp"
#include "ipc/shared_memory.hpp"
#include "judge/worker_client.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::judge {

inline constexpr uint32_t kUnwrittenPattern = 0x7fc0dead;

// The first bad element of `n` f32 words (`per_sample` per sample), if any.
struct OutputFault {
  enum class Kind { unwritten, nan, inf } kind = Kind::unwritten;
  std::size_t sample = 0, element = 0;
};
[[nodiscard]] std::optional<OutputFault> find_output_fault(const uint32_t* words, std::size_t n,
                                                           std::size_t per_sample);

class OutputSlots {
 public:
  // Throws std::runtime_error when shared memory fails.
  OutputSlots(const std::vector<TensorSpec>& outputs, int64_t capacity);

  std::vector<RegionSpec> regions() const;
  std::size_t count() const { return slots_.size(); }
  std::size_t sample_bytes(std::size_t output) const { return slots_[output].sample_bytes; }

  void mark_unwritten(int64_t batch);
  void snapshot(int64_t samples);
  const std::byte* snapshot_data(std::size_t output) const { return slots_[output].copy.data(); }
  // After snapshot(): the first problem with the call's outputs, as a reason naming `call`.
  [[nodiscard]] std::optional<std::string> fault(int64_t samples, const std::string& call) const;

 private:
  struct Slot {
    TensorSpec spec;
    std::shared_ptr<ipc::SharedMemory> region;
    std::size_t sample_bytes = 0;
    std::vector<std::byte> copy;
  };
  std::vector<Slot> slots_;
  int64_t capacity_ = 0;
};

}  // namespace gauntlet::judge
