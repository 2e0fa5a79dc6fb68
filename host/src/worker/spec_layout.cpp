#include "worker/spec_layout.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gauntlet::worker {

std::size_t spec_element_size(uint32_t plugin_minor, std::span<const std::size_t> sizes_by_minor) {
  // A plugin newer than the host gets the host's newest layout: it steps by struct_size.
  const std::size_t minor = std::min<std::size_t>(plugin_minor, sizes_by_minor.size() - 1);
  return sizes_by_minor[minor];
}

SpecArray::SpecArray(std::span<const SpecFields> specs, std::size_t element_size)
    : count_(static_cast<uint32_t>(specs.size())) {
  if (element_size < GAUNTLET_TENSOR_SPEC_V1_SIZE || element_size % alignof(gauntlet_tensor_spec) != 0)
    throw std::logic_error("a tensor spec element of " + std::to_string(element_size) + " bytes");
  bytes_.assign((specs.size() * element_size + 7) / 8, 0);
  auto* base = reinterpret_cast<std::byte*>(bytes_.data());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    gauntlet_tensor_spec spec{};
    spec.struct_size = static_cast<uint32_t>(element_size);
    spec.ndim = static_cast<int32_t>(specs[i].shape.size());
    spec.dtype = specs[i].dtype;
    spec.name = specs[i].name;
    spec.shape = specs[i].shape.data();
    // The fields this host knows; a larger element's tail stays zero.
    std::memcpy(base + i * element_size, &spec, std::min(element_size, sizeof spec));
  }
}

}  // namespace gauntlet::worker
