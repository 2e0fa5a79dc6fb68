// libFuzzer target: the worker's checks of what a plugin's entry and get_info() return
// (worker/plugin_checks.hpp), without loading anything. The input is laid out as the plugin's
// memory: a function table of exactly the struct_size its first 4 bytes declare (heap memory
// of that size, so AddressSanitizer catches any read past the declared size, which the ABI
// forbids), then an info struct the same way, then the bytes of its strings. Function pointers
// are never called; the string pointers are pointed at NUL-terminated copies of the input.
#include "fuzz_check.hpp"
#include "worker/plugin_checks.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

// Takes `n` bytes from the input (zeros once it runs out).
struct Reader {
  const uint8_t* data;
  size_t size;
  void take(void* out, size_t n) {
    const size_t k = std::min(n, size);
    std::memcpy(out, data, k);
    std::memset(static_cast<char*>(out) + k, 0, n - k);
    data += k, size -= k;
  }
};

// A struct of the size its first 4 bytes declare (at least 4, at most `cap` bytes are made).
std::unique_ptr<unsigned char[]> declared_struct(Reader& in, size_t cap) {
  uint32_t declared = 0;
  in.take(&declared, sizeof declared);
  const size_t n = std::max<size_t>(sizeof declared, std::min<size_t>(declared, cap));
  auto bytes = std::make_unique<unsigned char[]>(n);
  std::memcpy(bytes.get(), &declared, sizeof declared);
  in.take(bytes.get() + sizeof declared, n - sizeof declared);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gauntlet::worker;
  Reader in{data, size};
  // Past 128 KiB every size is refused alike (the cap is 64 KiB), so no larger buffer is needed.
  const auto table_bytes = declared_struct(in, 128 * 1024);
  gauntlet_plugin_api api{};
  try {
    api = check_plugin_table(reinterpret_cast<const gauntlet_plugin_api*>(table_bytes.get()));
  } catch (const LoadFailure& f) {
    gauntlet::fuzz::check_message(f.message);
    return 0;
  }

  uint8_t null_info = 0;
  in.take(&null_info, 1);
  const auto info_bytes = declared_struct(in, 128 * 1024);
  auto* info = reinterpret_cast<gauntlet_plugin_info*>(info_bytes.get());
  // The rest: up to four strings separated by NUL bytes; a missing one stays NULL.
  std::vector<std::string> strings;
  std::string rest(reinterpret_cast<const char*>(in.data), in.size);
  for (size_t at = 0; at <= rest.size() && strings.size() < 4;) {
    const size_t end = std::min(rest.find('\0', at), rest.size());
    strings.push_back(rest.substr(at, end - at));
    at = end + 1;
  }
  if (info->struct_size >= sizeof(gauntlet_plugin_info)) {
    const char** fields[] = {&info->name, &info->team, &info->version, &info->description};
    for (size_t i = 0; i < 4; ++i) *fields[i] = i < strings.size() ? strings[i].c_str() : nullptr;
  }
  try {
    const PluginInfo checked = check_plugin_info(null_info & 1 ? nullptr : info, api);
    if (checked.name.empty()) std::abort();
    for (const auto* s : {&checked.name, &checked.team, &checked.version, &checked.description})
      for (const char c : *s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) std::abort();  // sanitised
  } catch (const LoadFailure& f) {
    gauntlet::fuzz::check_message(f.message);
  }
  return 0;
}
