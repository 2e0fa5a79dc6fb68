// Private to the data layer: reads IDX files of unsigned bytes (the MNIST family of formats),
// plain or gzip-compressed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace gauntlet::data {

struct IdxArray {
  std::filesystem::path file;
  std::vector<int64_t> dims;  // dims[0] = items; every extent > 0
  std::vector<uint8_t> data;  // row-major, exactly items * item_size() bytes

  int64_t items() const { return dims.empty() ? 0 : dims[0]; }
  int64_t item_size() const;  // product of dims[1:]
};

// Reads an IDX file of unsigned bytes (type code 0x08) with `min_rank`..`max_rank`
// dimensions; `what` ("images", "labels") only words the messages. Throws DataError naming
// the file and the defect: missing file, bad magic or type code, unexpected rank, a header
// promising more (or fewer) bytes than the file holds, a corrupt or truncated gzip stream.
IdxArray read_idx_u8(const std::filesystem::path& file, int min_rank, int max_rank, const char* what);

}  // namespace gauntlet::data
