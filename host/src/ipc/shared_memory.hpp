// Shared memory regions between the host and its worker: anonymous memfds, created and
// filled by the host, passed to the worker once at setup. Inputs are sealed against future
// writes, so the worker can only ever map them read-only (a plugin cannot corrupt the data
// another pass or the host reads), while the host keeps its own writable mapping.
#pragma once

#include "common/host_tensor.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace gauntlet::ipc {

class SharedMemory {
 public:
  // A zero-filled memfd of `bytes` (rounded up to a page), mapped read-write here.
  // Throws std::runtime_error naming the step that failed.
  static std::shared_ptr<SharedMemory> create(const std::string& name, std::size_t bytes);
  ~SharedMemory();
  SharedMemory(const SharedMemory&) = delete;
  SharedMemory& operator=(const SharedMemory&) = delete;

  int fd() const { return fd_; }
  std::byte* data() { return data_; }
  std::size_t size() const { return size_; }
  const std::string& name() const { return name_; }

  // After this, nobody can create a new writable mapping or resize the region (the host's
  // existing mapping stays writable). Applied to every region the worker must only read.
  void seal_read_only_for_others();
  // The same, except that the host may still truncate the region (revoke()).
  void seal_read_only_revocable();
  // Unmaps the host's view and truncates the region to nothing: every other mapping of it
  // (and any descriptor someone kept) now faults or reads nothing. False when the kernel
  // refused (someone sealed it against shrinking).
  [[nodiscard]] bool revoke();

 private:
  SharedMemory() = default;
  int fd_ = -1;
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  std::string name_;
};

// Adapts a SharedMemory region to the Buffer interface, so that tensors (and the oneDNN
// preprocessing that writes them) live directly in memory the worker maps.
class SharedBuffer final : public Buffer {
 public:
  explicit SharedBuffer(std::shared_ptr<SharedMemory> shm) : shm_(std::move(shm)) {}
  std::byte* data() override { return shm_->data(); }
  std::size_t size() const override { return shm_->size(); }
  const std::shared_ptr<SharedMemory>& region() const { return shm_; }

 private:
  std::shared_ptr<SharedMemory> shm_;
};

// The worker's view of a region it received: mapped read-only or read-write.
class Mapping {
 public:
  Mapping() = default;
  // Maps `bytes` of `fd`; throws std::runtime_error on failure. Does not take the fd.
  static Mapping map(int fd, std::size_t bytes, bool writable);
  ~Mapping();
  Mapping(Mapping&& other) noexcept;
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace gauntlet::ipc
