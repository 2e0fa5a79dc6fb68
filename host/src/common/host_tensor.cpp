#include "common/host_tensor.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include "common/errors.hpp"

namespace gauntlet {
namespace {

class HeapBuffer final : public Buffer {
 public:
  explicit HeapBuffer(std::size_t bytes) : size_(bytes) {
    // aligned_alloc needs a size that is a multiple of the alignment.
    std::size_t rounded = (bytes + 63) / 64 * 64;
    data_ = static_cast<std::byte*>(std::aligned_alloc(64, rounded == 0 ? 64 : rounded));
    if (!data_) throw std::bad_alloc();
    std::memset(data_, 0, rounded == 0 ? 64 : rounded);
  }
  ~HeapBuffer() override { std::free(data_); }
  HeapBuffer(const HeapBuffer&) = delete;
  HeapBuffer& operator=(const HeapBuffer&) = delete;
  std::byte* data() override { return data_; }
  std::size_t size() const override { return size_; }

 private:
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace

std::shared_ptr<Buffer> make_heap_buffer(std::size_t bytes) { return std::make_shared<HeapBuffer>(bytes); }

BufferAllocator heap_allocator() {
  return [](std::size_t bytes, const std::string&) { return make_heap_buffer(bytes); };
}

HostTensor HostTensor::allocate(DType dtype, std::vector<int64_t> shape, const BufferAllocator& alloc,
                                const std::string& label) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  for (int64_t d : t.shape)
    if (d < 0) throw Error(ErrorKind::failure, "HostTensor::allocate: negative extent for " + label);
  t.buffer = alloc(t.bytes(), label);
  if (!t.buffer || t.buffer->size() < t.bytes())
    throw std::runtime_error("HostTensor::allocate: allocator returned too little memory for " + label);
  return t;
}

int64_t HostTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return shape.empty() ? 0 : n;
}

double HostTensor::value(std::size_t i) const {
  switch (dtype) {
    case DType::f32:
      return as<float>()[i];
    case DType::s32:
      return as<int32_t>()[i];
    case DType::s64:
      return static_cast<double>(as<int64_t>()[i]);
    case DType::u8:
      return as<uint8_t>()[i];
  }
  return 0;
}

int64_t sample_elements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (std::size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

int64_t HostTensor::sample_numel() const { return sample_elements(shape); }

}  // namespace gauntlet
