#include "judge/presentation.hpp"

#include "ipc/protocol.hpp"

#include <cstring>
#include <stdexcept>

namespace gauntlet::judge {

Presentation::Presentation(const std::vector<std::string>& names, const std::vector<HostTensor>& like,
                           int64_t capacity)
    : capacity_(capacity) {
  if (names.size() != like.size()) throw std::runtime_error("presentation: one name per input");
  for (std::size_t i = 0; i < like.size(); ++i) {
    Input in;
    in.name = names[i];
    in.dtype = like[i].dtype;
    in.shape = like[i].shape;
    if (in.shape.empty()) throw std::runtime_error("presentation: input " + names[i] + " has no shape");
    in.shape[0] = capacity;
    in.sample_bytes = like[i].sample_bytes();
    const std::size_t bytes = in.sample_bytes * static_cast<std::size_t>(capacity);
    in.region = ipc::SharedMemory::create("input." + in.name, bytes);
    in.region->seal_read_only_for_others();
    in.staging = make_heap_buffer(bytes);
    inputs_.push_back(std::move(in));
  }
}

std::vector<RegionSpec> Presentation::regions() const {
  std::vector<RegionSpec> out;
  for (const auto& in : inputs_) {
    RegionSpec r;
    r.role = ipc::role::kInput;
    r.name = in.name;
    r.dtype = std::string(dtype_name(in.dtype));
    r.shape = in.shape;
    r.samples = capacity_;
    r.memory = in.region;
    out.push_back(r);
  }
  return out;
}

void Presentation::stage_samples(const std::vector<HostTensor>& from, std::span<const int64_t> samples) {
  if (static_cast<int64_t>(samples.size()) > capacity_ || from.size() != inputs_.size())
    throw std::runtime_error("presentation: batch larger than the regions");
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    Input& in = inputs_[i];
    const std::byte* base = from[i].raw();
    std::byte* to = in.staging->data();
    for (std::size_t k = 0; k < samples.size(); ++k) {
      // Samples are scattered: ask for the next one's lines while this one is copied.
      if (k + 1 < samples.size()) {
        const std::byte* next = base + static_cast<std::size_t>(samples[k + 1]) * in.sample_bytes;
        for (std::size_t line = 0; line < in.sample_bytes; line += 64) __builtin_prefetch(next + line);
      }
      std::memcpy(to + k * in.sample_bytes, base + static_cast<std::size_t>(samples[k]) * in.sample_bytes,
                  in.sample_bytes);
    }
    in.source = to;
  }
  count_ = static_cast<int64_t>(samples.size());
}

void Presentation::stage_range(const std::vector<HostTensor>& from, int64_t first, int64_t count) {
  if (count > capacity_ || from.size() != inputs_.size())
    throw std::runtime_error("presentation: batch larger than the regions");
  for (std::size_t i = 0; i < inputs_.size(); ++i)
    inputs_[i].source = from[i].raw() + static_cast<std::size_t>(first) * inputs_[i].sample_bytes;
  count_ = count;
}

void Presentation::publish(int64_t batch) {
  for (Input& in : inputs_) {
    const std::size_t real = static_cast<std::size_t>(count_) * in.sample_bytes;
    std::memcpy(in.region->data(), in.source, real);
    if (batch > count_)
      std::memset(in.region->data() + real, 0, static_cast<std::size_t>(batch - count_) * in.sample_bytes);
  }
}

}  // namespace gauntlet::judge
