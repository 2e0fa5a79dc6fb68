// libFuzzer target: the IDX dataset reader, plain and gzip. The first byte chooses how the rest
// is read: bit 0 images (3-4 dimensions) or labels (1), bit 1 gzip-compress it first (so that
// the IDX parser behind zlib sees structured input), bit 2 then cut the gzip stream short,
// bit 3 any element type and rank.
// Every input must give an array or one DataError of one line, and never allocate more than
// the file can hold.
#include "common/errors.hpp"
#include "formats/idx.hpp"
#include "fuzz_check.hpp"
#include "support/gzip.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

int fd = -1;
std::string path;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // An in-memory file with a path the reader can open like any dataset.
  fd = memfd_create("gauntlet-idx-fuzz", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  path = "/proc/self/fd/" + std::to_string(fd);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode & 2) {
    bytes = gauntlet::testing::gzip(bytes);
    if (mode & 4) bytes.resize(bytes.size() * (mode >> 3) / 32);
  }
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size()))
    std::abort();
  const bool labels = mode & 1;
  try {
    // Schema 1's expectations (bit 0), or any IDX file (bit 3).
    gauntlet::formats::IdxExpect expect{labels ? 1 : 3, labels ? 1 : 4, true, labels ? "labels" : "images"};
    if (mode & 8) expect = {};
    const gauntlet::HostTensor t = gauntlet::formats::read_idx(path, expect);
    if (!t.buffer || t.buffer->size() < t.bytes()) std::abort();
  } catch (const gauntlet::DataError& e) {
    gauntlet::fuzz::check_message(e.what());
  }
  return 0;
}
