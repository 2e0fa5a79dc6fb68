// NumPy's .npy format (numpy.lib.format, versions 1-3) and .npz archives of them: the dtypes
// Gauntlet holds (bool/u1 -> u8; i1, i2, u2, i4 -> s32; u4, i8 -> s64; f2, f4, f8 -> f32),
// either byte order, C order, any rank >= 1.
#pragma once

#include "common/host_tensor.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::formats {

struct NpyHeader {
  std::string descr;  // as written, e.g. "<f4"
  DType dtype = DType::f32;
  int element_bytes = 4;  // in the file
  char kind = 'f';        // b, u, i, f
  bool swap = false;      // big-endian file on this little-endian host
  std::vector<int64_t> shape;
  std::size_t header_bytes = 0;  // offset of the data
  uint64_t payload_bytes = 0;
};

// Parses the header at the start of `bytes` (the whole file or at least its header). `name`
// starts every message: "<name>: offset N: ...". Throws DataError.
NpyHeader parse_npy_header(std::string_view bytes, const std::string& name);

// A whole .npy held in memory (npz members, fuzzing). Throws DataError.
HostTensor decode_npy(std::string_view bytes, const std::string& name);

// A .npy file, its data read straight into the tensor when no conversion is needed.
HostTensor read_npy(const std::filesystem::path& file);

// Writes `t` as a little-endian, C-order .npy file (version 1). Throws DataError.
void write_npy(const std::filesystem::path& file, const HostTensor& t);

// The names of the arrays of a .npz archive, and one of them (`array` without ".npy").
std::vector<std::string> npz_arrays(const std::filesystem::path& file);
HostTensor read_npz_array(const std::filesystem::path& file, const std::string& array);
// The same from an archive held in memory (fuzzing).
HostTensor read_npz_array(std::string_view archive, const std::string& name, const std::string& array);

}  // namespace gauntlet::formats
