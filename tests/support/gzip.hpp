// A gzip stream of `bytes` (zlib, in memory): how the tests make compressed datasets, whole or
// to cut short. Throws std::runtime_error if zlib fails (in a fuzz target that is a crash,
// which libFuzzer reports like any other).
#pragma once

#include <zlib.h>

#include <stdexcept>
#include <string>

namespace gauntlet::testing {

inline std::string gzip(const std::string& bytes, int level = Z_DEFAULT_COMPRESSION) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  return out;
}

}  // namespace gauntlet::testing
