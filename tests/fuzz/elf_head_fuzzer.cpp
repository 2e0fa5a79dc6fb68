// libFuzzer target: the worker's look at a would-be plugin file before dlopen maps it
// (describe_non_library in worker/plugin_checks.hpp): ELF identification, header, program
// headers and sizes. The head is exactly the bytes the worker would have read: the whole file
// when it is short, else its first kElfHeadBytes (with the first byte of the input > 0x7f the
// input is padded to kElfHeadBytes and the file said to be longer by the next 4 bytes).
#include "fuzz_check.hpp"
#include "worker/plugin_checks.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gauntlet::worker::kElfHeadBytes;
  if (size == 0) return 0;
  const bool long_file = data[0] > 0x7f;
  uint64_t file_size = size - 1;
  size_t head_size = std::min(size - 1, kElfHeadBytes);
  uint32_t more = 0;
  if (long_file && size >= 5) {
    std::memcpy(&more, data + 1, sizeof more);
    file_size = kElfHeadBytes + uint64_t{more};
    head_size = kElfHeadBytes;
  }
  // Heap memory of exactly the head's size: a read past it is a sanitizer report.
  auto head = std::make_unique<char[]>(head_size ? head_size : 1);
  const size_t offset = long_file && size >= 5 ? 5 : 1;
  const size_t copied = std::min(head_size, size - offset);
  std::memcpy(head.get(), data + offset, copied);
  std::memset(head.get() + copied, 0, head_size - copied);
  const std::string why =
      gauntlet::worker::describe_non_library(std::string_view(head.get(), head_size), file_size);
  if (!why.empty()) gauntlet::fuzz::check_message(why);
  return 0;
}
