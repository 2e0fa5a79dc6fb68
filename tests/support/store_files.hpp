// The record files of a result store's split, as a test sees them on disk: every
// <split>/<challenge>/<team>/<key>.json, not the temporary files of writes in progress.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace gauntlet::testing {

struct RecordFileInfo {
  std::filesystem::path path;
  ino_t inode = 0;
  int64_t mtime_ns = 0;
};

inline std::vector<RecordFileInfo> record_files(const std::filesystem::path& store,
                                                const std::string& split) {
  std::vector<RecordFileInfo> out;
  std::error_code ec;
  if (!std::filesystem::exists(store / split, ec)) return out;
  for (const auto& f : std::filesystem::recursive_directory_iterator(store / split)) {
    if (!f.is_regular_file() || f.path().extension() != ".json" || f.path().filename().string()[0] == '.')
      continue;
    struct stat st {};
    ::stat(f.path().c_str(), &st);
    out.push_back({f.path(), st.st_ino, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec});
  }
  return out;
}

}  // namespace gauntlet::testing
