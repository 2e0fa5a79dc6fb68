#include "ipc/shared_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010  // Linux >= 5.1; older libc headers lack the constant
#endif

namespace gauntlet::ipc {
namespace {

std::size_t round_to_page(std::size_t bytes) {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (bytes == 0) return page;
  return (bytes + page - 1) / page * page;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

std::shared_ptr<SharedMemory> SharedMemory::create(const std::string& name, std::size_t bytes) {
  std::shared_ptr<SharedMemory> shm(new SharedMemory());
  shm->name_ = name;
  shm->size_ = round_to_page(bytes);
  shm->fd_ = ::memfd_create(("gauntlet:" + name).c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (shm->fd_ < 0) fail("memfd_create(" + name + ")");
  if (::ftruncate(shm->fd_, static_cast<off_t>(shm->size_)) != 0) fail("ftruncate(" + name + ")");
  void* p = ::mmap(nullptr, shm->size_, PROT_READ | PROT_WRITE, MAP_SHARED, shm->fd_, 0);
  if (p == MAP_FAILED) fail("mmap(" + name + ")");
  shm->data_ = static_cast<std::byte*>(p);
  return shm;
}

SharedMemory::~SharedMemory() {
  if (data_) ::munmap(data_, size_);
  if (fd_ >= 0) ::close(fd_);
}

void SharedMemory::seal_read_only_for_others() {
  if (::fcntl(fd_, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0)
    fail("seal(" + name_ + ")");
}

void SharedMemory::seal_read_only_revocable() {
  // No F_SEAL_SHRINK, and F_SEAL_SEAL so that nobody else can add it.
  if (::fcntl(fd_, F_ADD_SEALS, F_SEAL_FUTURE_WRITE | F_SEAL_GROW | F_SEAL_SEAL) != 0)
    fail("seal(" + name_ + ")");
}

bool SharedMemory::revoke() {
  if (data_) ::munmap(data_, size_);
  data_ = nullptr;
  return ::ftruncate(fd_, 0) == 0;
}

Mapping Mapping::map(int fd, std::size_t bytes, bool writable) {
  Mapping m;
  m.size_ = round_to_page(bytes);
  void* p = ::mmap(nullptr, m.size_, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) fail(std::string("mmap of a ") + (writable ? "writable" : "read-only") + " region");
  m.data_ = static_cast<std::byte*>(p);
  return m;
}

Mapping::~Mapping() {
  if (data_) ::munmap(data_, size_);
}

Mapping::Mapping(Mapping&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(data_, size_);
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

}  // namespace gauntlet::ipc
