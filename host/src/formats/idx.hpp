// Reads IDX files (the MNIST family of formats), plain or gzip-compressed: every element type
// (unsigned byte, signed byte, short, int, float, double) and any number of dimensions.
#pragma once

#include "common/host_tensor.hpp"

#include <cstdint>
#include <filesystem>

namespace gauntlet::formats {

// What a caller insists on (schema 1 challenges: images of unsigned bytes with 3-4
// dimensions, labels with 1), worded into the messages; the defaults take any IDX file.
struct IdxExpect {
  int min_rank = 1;
  int max_rank = 255;
  bool u8_only = false;
  const char* what = "data";  // "images", "labels": only words the messages
};

// A tensor of the file's dims: u8 stays u8; signed byte, short and int become s32; float and
// double become f32 (double rounded). Throws DataError naming the file and the defect: missing
// file, bad magic or type code, unexpected rank, a header promising more (or fewer) bytes than
// the file holds, a corrupt or truncated gzip stream. Memory never exceeds what the stream
// really holds, whatever the header claims.
HostTensor read_idx(const std::filesystem::path& file, const IdxExpect& expect = {});

}  // namespace gauntlet::formats
