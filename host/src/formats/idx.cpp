#include "formats/idx.hpp"

#include "common/errors.hpp"
#include "common/file_check.hpp"
#include "formats/growing_tensor.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

namespace gauntlet::formats {
namespace {

constexpr int kTypeU8 = 0x08;
// deflate cannot compress better than about 1032:1; a header promising more than that from
// the compressed size is a lie we reject before allocating anything.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 40;  // 1 TiB: nothing sane is larger
constexpr std::size_t kChunkBytes = std::size_t{1} << 24;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& message) {
  throw DataError(file.string() + ": " + message);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

int idx_type_bytes(int code) {
  switch (code) {
    case 0x0B:
      return 2;
    case 0x0C:
    case 0x0D:
      return 4;
    case 0x0E:
      return 8;
  }
  return 1;
}

DType idx_dtype(int code) {
  switch (code) {
    case 0x08:
      return DType::u8;
    case 0x0D:
    case 0x0E:
      return DType::f32;
  }
  return DType::s32;
}

// Element `i` of big-endian `src` of IDX type `code`, stored as `dst`'s dtype.
void convert(int code, const unsigned char* src, std::size_t count, std::byte* dst) {
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned char* p = src + i * static_cast<std::size_t>(idx_type_bytes(code));
    uint64_t v = 0;
    for (int b = 0; b < idx_type_bytes(code); ++b) v = v << 8 | p[b];
    switch (code) {
      case 0x08:
        reinterpret_cast<uint8_t*>(dst)[i] = static_cast<uint8_t>(v);
        break;
      case 0x09:
        reinterpret_cast<int32_t*>(dst)[i] =
            static_cast<int32_t>(v) - (v >= 0x80 ? 0x100 : 0);  // two's complement
        break;
      case 0x0B:
        reinterpret_cast<int32_t*>(dst)[i] = static_cast<int16_t>(v);
        break;
      case 0x0C:
        reinterpret_cast<int32_t*>(dst)[i] = static_cast<int32_t>(static_cast<uint32_t>(v));
        break;
      case 0x0D: {
        const auto bits = static_cast<uint32_t>(v);
        float f = 0;
        std::memcpy(&f, &bits, 4);
        reinterpret_cast<float*>(dst)[i] = f;
        break;
      }
      default: {
        double d = 0;
        std::memcpy(&d, &v, 8);
        reinterpret_cast<float*>(dst)[i] = static_cast<float>(d);
      }
    }
  }
}

const char* idx_type_name(int code) {
  switch (code) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "short";
    case 0x0C:
      return "int";
    case 0x0D:
      return "float";
    case 0x0E:
      return "double";
  }
  return nullptr;
}

std::string expected_magics(const IdxExpect& expect) {
  const int min_rank = expect.min_rank, max_rank = expect.max_rank;
  if (!expect.u8_only) return "0x000008NN..0x00000ENN (an IDX type code, then the number of dimensions)";
  std::string s;
  for (int r = min_rank; r <= max_rank; ++r) {
    if (!s.empty()) s += " or ";
    s += hex32(static_cast<uint32_t>(kTypeU8 << 8 | r));
  }
  // Appended piecewise: `"literal" + std::string&&` trips a GCC 12 false -Wrestrict.
  s += " (unsigned bytes, ";
  s += std::to_string(min_rank);
  if (min_rank != max_rank) {
    s += '-';
    s += std::to_string(max_rank);
  }
  s += " dimensions)";
  return s;
}

uint32_t big_endian32(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

// gzopen reads plain files transparently, so one code path serves both.
class GzFile {
 public:
  explicit GzFile(const std::filesystem::path& file) : file_(file) {
    errno = 0;
    handle_ = gzopen(file.c_str(), "rb");
    if (!handle_) fail(file, std::string("cannot open: ") + (errno ? std::strerror(errno) : "out of memory"));
    gzbuffer(handle_, 1 << 18);  // larger than the 8 KiB default: fewer syscalls on 50 MB files
  }
  ~GzFile() { gzclose(handle_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads up to `bytes`; returns how many were read (fewer only at the end of the data).
  // A stream error (corrupt or truncated gzip, I/O error) throws.
  std::size_t read(void* dst, std::size_t bytes) {
    std::size_t got = 0;
    auto* out = static_cast<unsigned char*>(dst);
    while (got < bytes) {
      const auto want = static_cast<unsigned>(std::min<std::size_t>(bytes - got, kChunkBytes));
      const int n = gzread(handle_, out + got, want);
      if (n < 0) stream_error();
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    // zlib reports a truncated gzip stream as a short read and keeps the error for gzerror.
    int err = Z_OK;
    gzerror(handle_, &err);
    if (err != Z_OK && err != Z_STREAM_END) stream_error();
    return got;
  }

  bool direct() { return gzdirect(handle_) != 0; }

 private:
  // No byte position in the message: zlib decompresses ahead of the reads, so it would mislead.
  [[noreturn]] void stream_error() {
    int err = Z_OK;
    const char* text = gzerror(handle_, &err);
    std::string why = err == Z_ERRNO ? std::strerror(errno) : (text && *text ? text : "unknown error");
    // gzerror prefixes the message with the path, which our message already starts with.
    const std::string prefix = file_.string() + ": ";
    if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
    fail(file_, "corrupt or truncated gzip stream: " + why + " (zlib)");
  }

  std::filesystem::path file_;
  gzFile handle_ = nullptr;
};

// ISIZE, the last 4 bytes of a gzip member: the uncompressed size modulo 2^32. Only a hint
// (multi-member files, sizes over 4 GiB), used to size the buffer in one allocation.
uint32_t gzip_size_hint(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char tail[4] = {};
  if (!in.seekg(-4, std::ios::end) || !in.read(reinterpret_cast<char*>(tail), 4)) return 0;
  return uint32_t{tail[0]} | uint32_t{tail[1]} << 8 | uint32_t{tail[2]} << 16 | uint32_t{tail[3]} << 24;
}

}  // namespace

HostTensor read_idx(const std::filesystem::path& file, const IdxExpect& expect) {
  const char* what = expect.what;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec) && !std::filesystem::is_symlink(file, ec))
    fail(file, std::string(what) + " file not found");
  if (std::filesystem::is_directory(file, ec)) fail(file, "is a directory, expected an IDX file");
  // A pipe or a device would be read forever (or block): only a regular file is data.
  if (const std::optional<std::string> why = why_not_regular_file(file))
    fail(file, *why + "; expected an IDX file of " + what);
  const uint64_t file_size = std::filesystem::file_size(file, ec);
  if (ec) fail(file, "cannot stat: " + ec.message());

  GzFile in(file);
  unsigned char magic_bytes[4] = {};
  std::size_t got = in.read(magic_bytes, 4);
  if (got < 4)
    fail(file, "truncated IDX header: expected at least 4 bytes, file holds " + std::to_string(got));
  const uint32_t magic = big_endian32(magic_bytes);
  const int type = magic_bytes[2];
  const int rank = magic_bytes[3];
  if (magic_bytes[0] != 0 || magic_bytes[1] != 0 || !idx_type_name(type))
    fail(file, "not an IDX file: magic number " + hex32(magic) + ", expected " + expected_magics(expect));
  if (expect.u8_only && type != kTypeU8)
    fail(file, "IDX magic " + hex32(magic) + " declares element type " + idx_type_name(type) + ", expected " +
                   expected_magics(expect));
  if (rank < expect.min_rank || rank > expect.max_rank || rank == 0)
    fail(file, "IDX magic " + hex32(magic) + " declares " + std::to_string(rank) + " dimensions, expected " +
                   expected_magics(expect) + " for " + what);

  const std::size_t header_bytes = 4 + 4 * static_cast<std::size_t>(rank);
  unsigned char dim_bytes[4 * 255] = {};  // zeroed: the analyzer cannot see that read() fills it
  got = in.read(dim_bytes, 4 * static_cast<std::size_t>(rank));
  if (got < 4 * static_cast<std::size_t>(rank))
    fail(file, "truncated IDX header: expected " + std::to_string(header_bytes) + " bytes, file holds " +
                   std::to_string(4 + got));

  std::vector<int64_t> dims;
  const auto element = static_cast<uint64_t>(idx_type_bytes(type));
  uint64_t payload = element;
  for (int d = 0; d < rank; ++d) {
    const uint32_t extent = big_endian32(dim_bytes + 4 * d);
    if (extent == 0) fail(file, "IDX header declares dimension " + std::to_string(d) + " of size 0");
    if (extent > INT32_MAX || payload > kMaxPayloadBytes / extent)
      fail(file, "implausible IDX header: dimension " + std::to_string(d) + " is " + std::to_string(extent) +
                     " (more than " + std::to_string(kMaxPayloadBytes) + " bytes of data in total)");
    payload *= extent;
    dims.push_back(extent);
  }

  const std::string promise = "header promises " + std::to_string(dims[0]) + " " + what + " (" +
                              std::to_string(payload) + " bytes of data after the " +
                              std::to_string(header_bytes) + "-byte header)";
  const bool direct = in.direct();
  const uint64_t available = file_size > header_bytes ? file_size - header_bytes : 0;
  if (direct && payload > available) fail(file, promise + " but the file holds " + std::to_string(available));
  if (!direct && payload > file_size * kMaxDeflateRatio + 1024)
    fail(file, promise + " but a " + std::to_string(file_size) +
                   "-byte gzip file cannot hold that much (implausible header)");

  // Plain files and gzip streams whose trailer confirms the size are read straight into the
  // tensor; otherwise in chunks as the data really arrives, so a lying header costs at most
  // what the stream holds. Multi-byte types are converted from big-endian chunk by chunk.
  const bool trusted = direct || gzip_size_hint(file) == static_cast<uint32_t>(payload + header_bytes);
  const DType dtype = idx_dtype(type);
  const std::size_t items = payload / element;
  std::vector<std::byte> staging;
  HostTensor out;
  std::size_t filled = 0;                                // elements
  if (trusted) out = uninitialized_tensor(dtype, dims);  // every byte is read into
  const std::size_t chunk_items = std::max<std::size_t>(1, (std::size_t{16} << 20) / element);
  std::vector<unsigned char> chunk;
  while (filled < items) {
    const std::size_t want = std::min(chunk_items, items - filled);
    unsigned char* dst = nullptr;
    if (trusted && type == kTypeU8) {
      dst = reinterpret_cast<unsigned char*>(out.raw()) + filled;
    } else {
      chunk.resize(want * element);
      dst = chunk.data();
    }
    const std::size_t n = in.read(dst, want * element);
    const std::size_t whole = n / element;
    if (!(trusted && type == kTypeU8)) {
      const std::size_t at = filled * dtype_size(dtype);
      if (trusted) {
        convert(type, chunk.data(), whole, out.raw() + at);
      } else {
        staging.resize(at + whole * dtype_size(dtype));
        convert(type, chunk.data(), whole, staging.data() + at);
      }
    }
    filled += whole;
    if (n < want * element) break;
  }
  if (filled < items) fail(file, promise + " but the file holds " + std::to_string(filled * element));

  // Reading past the end also makes zlib verify the gzip trailer (CRC-32 and length).
  unsigned char extra[1];
  if (in.read(extra, 1) != 0)
    fail(file, promise + " but the file holds more (wrong header or a different file?)");
  if (!trusted) {
    out = HostTensor::allocate(dtype, dims);
    std::memcpy(out.raw(), staging.data(), staging.size());
  }
  return out;
}

}  // namespace gauntlet::formats
