// libFuzzer target: a submission's asset archive (host/src/service/asset_archive), untrusted bytes
// from a team. Checked only (no folder to unpack into), with small caps so that bombs hit them.
// Whatever the bytes: an ArchiveRefused of one line, or a tree within the caps whose every path
// is relative, without "..", and listed once.
#include "fuzz_check.hpp"
#include "service/asset_archive.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const gauntlet::service::ArchiveLimits limits{16, 1 << 20};
  try {
    const auto tree = gauntlet::service::unpack_assets(bytes, {}, limits);
    if (static_cast<int>(tree.files.size()) > limits.max_files || tree.bytes > limits.max_bytes) std::abort();
    std::set<std::string> seen;
    int64_t total = 0;
    for (const auto& f : tree.files) {
      if (f.path.empty() || f.path.front() == '/' || !seen.insert(f.path).second) std::abort();
      for (std::size_t at = 0; at <= f.path.size();) {
        const std::size_t end = std::min(f.path.find('/', at), f.path.size());
        const std::string_view part(f.path.data() + at, end - at);
        if (part.empty() || part == ".." || part == ".") std::abort();
        at = end + 1;
      }
      total += f.bytes;
    }
    if (total != tree.bytes || tree.sha256.size() != 64) std::abort();
  } catch (const gauntlet::service::ArchiveRefused& e) {
    gauntlet::fuzz::check_message(e.what());
  }
  return 0;
}
