// The tensor specs given to prepare(), laid out as plugin_api.h promises: with the element size
// of the minor version the PLUGIN declared (so that `specs[i]` is right for the header it was
// compiled against), or the host's own size when the plugin is newer than the host.
#pragma once

#include <gauntlet/plugin_api.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gauntlet::worker {

// sizeof(gauntlet_tensor_spec) in each minor version of ABI 1, index = minor. A minor version
// that grows the spec appends its size here (and its fields to the struct).
inline constexpr std::size_t kTensorSpecSizeByMinor[] = {GAUNTLET_TENSOR_SPEC_V1_SIZE};
static_assert(std::size(kTensorSpecSizeByMinor) == GAUNTLET_ABI_MINOR + 1,
              "one spec size for every minor version up to this host's");

// One spec as the host knows it; name and shape point into storage the caller keeps alive.
struct SpecFields {
  const char* name = nullptr;
  gauntlet_dtype dtype{};
  std::span<const int64_t> shape;
};

// The element size for a plugin of `plugin_minor`, given the host's sizes by minor version.
[[nodiscard]] std::size_t spec_element_size(
    uint32_t plugin_minor, std::span<const std::size_t> sizes_by_minor = kTensorSpecSizeByMinor);

// Specs laid out back to back with `element_size` bytes each (>= the v1 size), struct_size set
// to it, the v1 fields filled and any later fields zero (absent). The bytes are 8-aligned.
class SpecArray {
 public:
  SpecArray(std::span<const SpecFields> specs, std::size_t element_size);
  const gauntlet_tensor_spec* data() const {
    return reinterpret_cast<const gauntlet_tensor_spec*>(bytes_.data());
  }
  uint32_t size() const { return count_; }

 private:
  std::vector<uint64_t> bytes_;  // uint64_t: the alignment of the struct's pointers
  uint32_t count_ = 0;
};

}  // namespace gauntlet::worker
