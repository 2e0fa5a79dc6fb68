#include "judge/output_slots.hpp"

#include "common/host_tensor.hpp"
#include "ipc/protocol.hpp"

#include <algorithm>
#include <cstring>

namespace gauntlet::judge {

std::optional<OutputFault> find_output_fault(const uint32_t* words, std::size_t n, std::size_t per_sample) {
  // One branch-free pass first: the marker is a NaN, so outputs without any Inf or NaN are
  // valid and need no closer look.
  uint32_t special = 0;
  for (std::size_t k = 0; k < n; ++k)
    special |= static_cast<uint32_t>((words[k] & 0x7f800000u) == 0x7f800000u);
  if (special == 0) return std::nullopt;
  for (std::size_t k = 0; k < n; ++k) {
    const uint32_t w = words[k];
    if ((w & 0x7f800000u) != 0x7f800000u) continue;
    OutputFault f;
    f.sample = k / per_sample;
    f.element = k % per_sample;
    f.kind = w == kUnwrittenPattern   ? OutputFault::Kind::unwritten
             : (w & 0x007fffffu) != 0 ? OutputFault::Kind::nan
                                      : OutputFault::Kind::inf;
    return f;
  }
  return std::nullopt;
}

OutputSlots::OutputSlots(const std::vector<TensorSpec>& outputs, int64_t capacity) : capacity_(capacity) {
  for (const auto& spec : outputs) {
    Slot s;
    s.spec = spec;
    s.sample_bytes = dtype_size(spec.dtype) * static_cast<std::size_t>(sample_elements(spec.shape));
    const std::size_t bytes = s.sample_bytes * static_cast<std::size_t>(capacity);
    s.region = ipc::SharedMemory::create("output." + spec.name, bytes);
    s.copy.resize(bytes);
    slots_.push_back(std::move(s));
  }
}

std::vector<RegionSpec> OutputSlots::regions() const {
  std::vector<RegionSpec> out;
  for (const auto& s : slots_) {
    RegionSpec r;
    r.role = ipc::role::kOutput;
    r.name = s.spec.name;
    r.dtype = std::string(dtype_name(s.spec.dtype));
    r.shape = s.spec.shape;
    r.shape[0] = capacity_;
    r.samples = capacity_;
    r.memory = s.region;
    out.push_back(r);
  }
  return out;
}

void OutputSlots::mark_unwritten(int64_t batch) {
  for (auto& s : slots_) {
    if (s.spec.dtype != DType::f32) continue;
    auto* words = reinterpret_cast<uint32_t*>(s.region->data());
    std::fill_n(words, static_cast<std::size_t>(batch) * s.sample_bytes / 4, kUnwrittenPattern);
  }
}

void OutputSlots::snapshot(int64_t samples) {
  for (auto& s : slots_)
    std::memcpy(s.copy.data(), s.region->data(), static_cast<std::size_t>(samples) * s.sample_bytes);
}

std::optional<std::string> OutputSlots::fault(int64_t samples, const std::string& call) const {
  for (const auto& s : slots_) {
    const std::size_t bytes = static_cast<std::size_t>(samples) * s.sample_bytes;
    if (std::memcmp(s.copy.data(), s.region->data(), bytes) != 0)
      return "output '" + s.spec.name + "' was still being written after " + call +
             " answered: the answer must come after the outputs";
    if (s.spec.dtype != DType::f32) continue;
    const std::size_t per_sample = s.sample_bytes / 4;
    const auto f = find_output_fault(reinterpret_cast<const uint32_t*>(s.copy.data()), bytes / 4, per_sample);
    if (!f) continue;
    std::string why = "output '" + s.spec.name + "' ";
    switch (f->kind) {
      case OutputFault::Kind::unwritten:
        why += "was not written";
        break;
      case OutputFault::Kind::nan:
        why += "holds NaN";
        break;
      case OutputFault::Kind::inf:
        why += "holds Inf";
        break;
    }
    why.append(" at sample ").append(std::to_string(f->sample)).append(" of the batch (element ");
    why.append(std::to_string(f->element))
        .append(f->kind == OutputFault::Kind::unwritten ? ") by " : ") after ");
    return why.append(call);
  }
  return std::nullopt;
}

}  // namespace gauntlet::judge
