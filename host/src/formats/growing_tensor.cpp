#include "formats/growing_tensor.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace gauntlet::formats {
namespace {

class Block final : public Buffer {
 public:
  explicit Block(std::size_t capacity) : capacity_(capacity) {
    const std::size_t rounded = std::max<std::size_t>(64, (capacity + 63) / 64 * 64);
    data_ = static_cast<std::byte*>(std::aligned_alloc(64, rounded));
    if (!data_) throw std::bad_alloc();
  }
  ~Block() override { std::free(data_); }
  Block(const Block&) = delete;
  Block& operator=(const Block&) = delete;
  std::byte* data() override { return data_; }
  std::size_t size() const override { return used_; }
  std::size_t capacity() const { return capacity_; }
  void set_used(std::size_t used) { used_ = used; }

 private:
  std::byte* data_ = nullptr;
  std::size_t capacity_ = 0, used_ = 0;
};

}  // namespace

GrowingTensor::GrowingTensor(DType dtype, std::vector<int64_t> sample_shape, int64_t expected_samples)
    : dtype_(dtype), sample_shape_(std::move(sample_shape)) {
  sample_bytes_ = dtype_size(dtype);
  for (const int64_t d : sample_shape_) sample_bytes_ *= static_cast<std::size_t>(d);
  grow(sample_bytes_ * static_cast<std::size_t>(std::max<int64_t>(expected_samples, 16)));
}

void GrowingTensor::grow(std::size_t bytes) {
  auto next = std::make_shared<Block>(bytes);
  if (buffer_) std::memcpy(next->data(), buffer_->data(), buffer_->size());
  next->set_used(buffer_ ? buffer_->size() : 0);
  buffer_ = std::move(next);
}

std::byte* GrowingTensor::append() {
  auto* block = static_cast<Block*>(buffer_.get());
  const std::size_t used = block->size();
  if (used + sample_bytes_ > block->capacity()) {
    grow(std::max(used + sample_bytes_, block->capacity() + block->capacity() / 2));
    block = static_cast<Block*>(buffer_.get());
  }
  block->set_used(used + sample_bytes_);
  ++samples_;
  std::byte* p = block->data() + used;
  std::memset(p, 0, sample_bytes_);
  return p;
}

HostTensor uninitialized_tensor(DType dtype, std::vector<int64_t> shape) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  auto block = std::make_shared<Block>(t.bytes());
  block->set_used(t.bytes());
  t.buffer = std::move(block);
  return t;
}

HostTensor GrowingTensor::finish() {
  HostTensor t;
  t.dtype = dtype_;
  t.shape = {samples_};
  t.shape.insert(t.shape.end(), sample_shape_.begin(), sample_shape_.end());
  t.buffer = std::move(buffer_);
  return t;
}

}  // namespace gauntlet::formats
