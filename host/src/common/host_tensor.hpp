// A dense, row-major tensor in host memory. Its bytes live in a Buffer, which is either
// plain heap memory or a region of shared memory handed to the worker (so that data can be
// preprocessed straight into the memory the plugin reads: zero copy).
#pragma once

#include "common/dtype.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gauntlet {

// Owner of some 64-byte aligned bytes.
class Buffer {
 public:
  virtual ~Buffer() = default;
  virtual std::byte* data() = 0;
  virtual std::size_t size() const = 0;
};

// 64-byte aligned, zero-initialised heap memory.
std::shared_ptr<Buffer> make_heap_buffer(std::size_t bytes);

// How a producer of tensors (the dataset loader) obtains memory; the judge passes one that
// allocates shared memory. `label` names the tensor for diagnostics.
using BufferAllocator = std::function<std::shared_ptr<Buffer>(std::size_t bytes, const std::string& label)>;
BufferAllocator heap_allocator();

// Elements per sample of a row-major shape whose first extent counts samples (product of
// shape[1:]; 1 for a shape of rank 0 or 1).
int64_t sample_elements(const std::vector<int64_t>& shape);

struct HostTensor {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;  // row-major, shape[0] = samples
  std::shared_ptr<Buffer> buffer;

  static HostTensor allocate(DType dtype, std::vector<int64_t> shape,
                             const BufferAllocator& alloc = heap_allocator(),
                             const std::string& label = "tensor");

  int64_t numel() const;
  std::size_t bytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype); }
  // Elements per sample (product of shape[1:]).
  int64_t sample_numel() const;
  std::size_t sample_bytes() const { return static_cast<std::size_t>(sample_numel()) * dtype_size(dtype); }
  int64_t samples() const { return shape.empty() ? 0 : shape[0]; }

  // Element i (flat index) of any dtype, as a double (exact for every dtype but s64 beyond 2^53).
  double value(std::size_t i) const;

  std::byte* raw() { return buffer ? buffer->data() : nullptr; }
  const std::byte* raw() const { return buffer ? buffer->data() : nullptr; }
  template <class T>
  T* as() {
    return reinterpret_cast<T*>(raw());
  }
  template <class T>
  const T* as() const {
    return reinterpret_cast<const T*>(raw());
  }
};

}  // namespace gauntlet
