#include "formats/npy.hpp"

#include "common/errors.hpp"
#include "common/file_check.hpp"
#include "formats/growing_tensor.hpp"
#include "formats/limits.hpp"

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

namespace gauntlet::formats {
namespace {

[[noreturn]] void fail(const std::string& name, std::size_t offset, const std::string& message) {
  throw DataError(name + ": offset " + std::to_string(offset) + ": " + message);
}

uint64_t little_endian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

// The Python dict literal numpy writes: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::size_t base, const std::string& name)
      : s_(text), base_(base), name_(name) {}

  void parse(NpyHeader& h) {
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (true) {
      skip();
      if (peek() == '}') break;
      const std::string key = string();
      expect(':');
      skip();
      if (key == "descr") {
        h.descr = string();
        has_descr = true;
      } else if (key == "fortran_order") {
        const std::size_t at = pos_;
        if (word() != "False")
          fail(name_, base_ + at,
               "fortran_order is not False: column-major arrays are not read (save np.ascontiguousarray(a))");
        has_order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        has_shape = true;
      } else {
        fail(name_, base_ + pos_, "unknown .npy header key '" + key + "'");
      }
      skip();
      if (peek() == ',') ++pos_;
    }
    if (!has_descr || !has_order || !has_shape)
      fail(name_, base_, "the .npy header lacks 'descr', 'fortran_order' or 'shape'");
  }

 private:
  char peek() {
    if (pos_ >= s_.size()) fail(name_, base_ + pos_, "the .npy header ends early");
    return s_[pos_];
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void expect(char c) {
    skip();
    if (peek() != c) fail(name_, base_ + pos_, std::string("malformed .npy header: expected '") + c + "'");
    ++pos_;
  }
  std::string string() {
    skip();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(name_, base_ + pos_, "malformed .npy header: expected a string");
    const std::size_t end = s_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail(name_, base_ + pos_, "malformed .npy header: unclosed string");
    std::string v(s_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return v;
  }
  std::string word() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  std::vector<int64_t> tuple() {
    expect('(');
    std::vector<int64_t> dims;
    while (true) {
      skip();
      if (peek() == ')') break;
      const std::size_t at = pos_;
      int64_t v = 0;
      bool digits = false;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        if (v > (int64_t{1} << 40)) fail(name_, base_ + at, "implausible .npy shape: an extent over 2^40");
        v = v * 10 + (s_[pos_++] - '0');
        digits = true;
      }
      if (!digits) fail(name_, base_ + at, "malformed .npy shape: expected a non-negative integer");
      if (dims.size() == kMaxRank) fail(name_, base_ + at, "more than 32 dimensions");
      dims.push_back(v);
      skip();
      if (peek() == ',') ++pos_;
    }
    ++pos_;
    return dims;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::size_t base_;
  const std::string& name_;
};

void set_dtype(NpyHeader& h, const std::string& name, std::size_t at) {
  const std::string& d = h.descr;
  const bool ok_order = d.size() >= 3 && (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=');
  const std::string code = ok_order ? d.substr(1) : "";
  struct Known {
    const char* code;
    DType dtype;
  };
  static const Known known[] = {{"b1", DType::u8},  {"u1", DType::u8},  {"i1", DType::s32},
                                {"i2", DType::s32}, {"u2", DType::s32}, {"i4", DType::s32},
                                {"u4", DType::s64}, {"i8", DType::s64}, {"f2", DType::f32},
                                {"f4", DType::f32}, {"f8", DType::f32}};
  for (const Known& k : known)
    if (code == k.code) {
      h.dtype = k.dtype;
      h.kind = code[0];
      h.element_bytes = code[1] - '0';
      h.swap = d[0] == '>' && h.element_bytes > 1;
      return;
    }
  fail(name, at,
       "unsupported .npy dtype '" + d +
           "': expected bool, (u)int8/16/32, int64, uint32 or float16/32/64 (e.g. '<f4'); strings, objects, "
           "structured and complex arrays are not tensors");
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  float v = 0;
  if (exp == 0)
    v = std::ldexp(static_cast<float>(frac), -24);
  else if (exp == 31)
    v = frac ? std::nanf("") : HUGE_VALF;
  else
    v = std::ldexp(static_cast<float>(frac | 0x400), static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

// `count` elements of the file's type at `src` into `dst` (the tensor's dtype).
void convert(const NpyHeader& h, const unsigned char* src, std::size_t count, std::byte* dst) {
  const int b = h.element_bytes;
  for (std::size_t i = 0; i < count; ++i) {
    unsigned char e[8];
    for (int k = 0; k < b; ++k) e[k] = src[i * b + (h.swap ? b - 1 - k : k)];
    const uint64_t u = little_endian(e, b);
    switch (h.dtype) {
      case DType::u8:
        reinterpret_cast<uint8_t*>(dst)[i] =
            h.kind == 'b' ? static_cast<uint8_t>(u != 0) : static_cast<uint8_t>(u);
        break;
      case DType::s32:
        reinterpret_cast<int32_t*>(dst)[i] = h.kind == 'u' ? static_cast<int32_t>(u)
                                             : b == 1      ? static_cast<int8_t>(u)
                                             : b == 2      ? static_cast<int16_t>(u)
                                                           : static_cast<int32_t>(static_cast<uint32_t>(u));
        break;
      case DType::s64:
        reinterpret_cast<int64_t*>(dst)[i] = static_cast<int64_t>(u);
        break;
      case DType::f32:
        if (b == 2) {
          reinterpret_cast<float*>(dst)[i] = half_to_float(static_cast<uint16_t>(u));
        } else if (b == 4) {
          const auto bits = static_cast<uint32_t>(u);
          std::memcpy(reinterpret_cast<float*>(dst) + i, &bits, 4);
        } else {
          double d = 0;
          std::memcpy(&d, &u, 8);
          reinterpret_cast<float*>(dst)[i] = static_cast<float>(d);
        }
        break;
    }
  }
}

bool stored_as_is(const NpyHeader& h) {
  return !h.swap && static_cast<std::size_t>(h.element_bytes) == dtype_size(h.dtype) && h.kind != 'b' &&
         !(h.kind == 'u' && h.dtype != DType::u8);
}

HostTensor decode_payload(const NpyHeader& h, std::string_view bytes, const std::string& name) {
  const std::size_t available = bytes.size() - std::min(bytes.size(), h.header_bytes);
  if (available < h.payload_bytes)
    fail(name, bytes.size(),
         "the header promises " + std::to_string(h.payload_bytes) + " bytes of data, the file holds " +
             std::to_string(available));
  if (available > h.payload_bytes)
    fail(name, h.header_bytes + h.payload_bytes, "data continues past the array the header describes");
  HostTensor t = HostTensor::allocate(h.dtype, h.shape);
  convert(h, reinterpret_cast<const unsigned char*>(bytes.data() + h.header_bytes),
          h.payload_bytes / static_cast<std::size_t>(h.element_bytes), t.raw());
  return t;
}

}  // namespace

NpyHeader parse_npy_header(std::string_view bytes, const std::string& name) {
  static constexpr char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    fail(name, 0, "not a .npy file (it does not start with \\x93NUMPY)");
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  const int major = u[6];
  if (major < 1 || major > 3) fail(name, 6, "unsupported .npy version " + std::to_string(major));
  const std::size_t start = major == 1 ? 10 : 12;
  if (bytes.size() < start) fail(name, 8, "truncated .npy header");
  const uint64_t length = little_endian(u + 8, major == 1 ? 2 : 4);
  if (start + length > kMaxNpyHeaderBytes)
    fail(name, 8, "a .npy header of " + std::to_string(length) + " bytes (numpy writes at most 64 KiB)");
  if (bytes.size() < start + length)
    fail(name, bytes.size(),
         "truncated .npy header: " + std::to_string(start + length) + " bytes promised, the file holds " +
             std::to_string(bytes.size()));
  NpyHeader h;
  HeaderParser(bytes.substr(start, length), start, name).parse(h);
  set_dtype(h, name, start);
  if (h.shape.empty()) fail(name, start, "a 0-dimensional array: expected at least one dimension (samples)");
  uint64_t elements = 1;
  for (const int64_t d : h.shape) {
    if (d != 0 && elements > kMaxTensorElements / static_cast<uint64_t>(d))
      fail(name, start, "over 2^32 elements: implausible for one tensor");
    elements *= static_cast<uint64_t>(d);
  }
  h.header_bytes = start + length;
  h.payload_bytes = elements * static_cast<uint64_t>(h.element_bytes);
  return h;
}

HostTensor decode_npy(std::string_view bytes, const std::string& name) {
  return decode_payload(parse_npy_header(bytes, name), bytes, name);
}

HostTensor read_npy(const std::filesystem::path& file) {
  const std::string name = file.string();
  if (const std::optional<std::string> why = why_not_regular_file(file)) throw DataError(name + ": " + *why);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(name + ": cannot open");
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxFileBytes) throw DataError(name + ": over the 16 GiB data file limit");
  std::string head(std::min<uint64_t>(size, kMaxNpyHeaderBytes), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  const NpyHeader h = parse_npy_header(head, name);
  if (size - h.header_bytes != h.payload_bytes) {
    if (size - h.header_bytes < h.payload_bytes)
      fail(name, size,
           "the header promises " + std::to_string(h.payload_bytes) + " bytes of data, the file holds " +
               std::to_string(size - h.header_bytes));
    fail(name, h.header_bytes + h.payload_bytes, "data continues past the array the header describes");
  }
  HostTensor t = uninitialized_tensor(h.dtype, h.shape);  // every byte is read into
  in.clear();
  in.seekg(static_cast<std::streamoff>(h.header_bytes));
  if (stored_as_is(h)) {  // straight into the tensor: no intermediate copy
    in.read(reinterpret_cast<char*>(t.raw()), static_cast<std::streamsize>(h.payload_bytes));
    if (static_cast<uint64_t>(in.gcount()) != h.payload_bytes) fail(name, h.header_bytes, "read failed");
    return t;
  }
  const std::size_t chunk_elements = (std::size_t{4} << 20) / static_cast<std::size_t>(h.element_bytes);
  std::vector<unsigned char> chunk(chunk_elements * static_cast<std::size_t>(h.element_bytes));
  const uint64_t total = h.payload_bytes / static_cast<uint64_t>(h.element_bytes);
  for (uint64_t done = 0; done < total;) {
    const auto n = static_cast<std::size_t>(std::min<uint64_t>(chunk_elements, total - done));
    in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(n * h.element_bytes));
    if (static_cast<std::size_t>(in.gcount()) != n * static_cast<std::size_t>(h.element_bytes))
      fail(name, h.header_bytes, "read failed");
    convert(h, chunk.data(), n, t.raw() + done * dtype_size(h.dtype));
    done += n;
  }
  return t;
}

void write_npy(const std::filesystem::path& file, const HostTensor& t) {
  const char* descr = t.dtype == DType::f32   ? "<f4"
                      : t.dtype == DType::s32 ? "<i4"
                      : t.dtype == DType::s64 ? "<i8"
                                              : "|u1";
  std::string shape;
  for (const int64_t d : t.shape) shape += std::to_string(d) + ", ";
  if (t.shape.size() > 1) shape.erase(shape.size() - 1);  // "(3,)" for one dimension, "(3, 4)" else
  if (t.shape.size() > 1) shape.pop_back();
  std::string header =
      "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  header.append(63 - (10 + header.size()) % 64, ' ');  // data aligned to 64 bytes, as numpy does
  header += '\n';
  std::string prefix = "\x93NUMPY\x01";
  prefix += '\0';
  prefix += static_cast<char>(header.size() & 0xff);
  prefix += static_cast<char>(header.size() >> 8);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << prefix << header;
  out.write(reinterpret_cast<const char*>(t.raw()), static_cast<std::streamsize>(t.bytes()));
  out.close();
  if (!out) {
    // The machine's failure (a full disk, a folder that cannot be written), not bad data; and
    // no truncated array left to be read as data later.
    const std::string why = std::strerror(errno);
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
    throw EnvironmentError(file.string() + ": cannot write: " + why);
  }
}

namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using Zip = std::unique_ptr<zip_t, ZipCloser>;

HostTensor array_from(zip_t* zip, const std::string& name, const std::string& array) {
  const std::string member = array + ".npy";
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(zip, member.c_str(), 0, &st) != 0) {
    std::string have;
    const zip_int64_t entries = zip_get_num_entries(zip, 0);
    for (zip_int64_t i = 0; i < entries && i < 20; ++i)
      if (const char* n = zip_get_name(zip, static_cast<zip_uint64_t>(i), 0))
        have += (have.empty() ? "" : ", ") + std::string(n);
    throw DataError(name + ": no array '" + array +
                    "' in the archive (it holds: " + (have.empty() ? "nothing" : have) + ")");
  }
  const std::string where = name + "[" + member + "]";
  if (!(st.valid & ZIP_STAT_SIZE) || st.size > kMaxFileBytes) throw DataError(where + ": implausible size");
  // Closed on every path, a throwing header check included.
  const std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen(zip, member.c_str(), 0), zip_fclose);
  if (!f) throw DataError(where + ": cannot open: " + zip_strerror(zip));
  // The header first: a lying size in the directory is refused before a large allocation.
  std::string bytes(std::min<zip_uint64_t>(st.size, kMaxNpyHeaderBytes), '\0');
  zip_int64_t got = zip_fread(f.get(), bytes.data(), bytes.size());
  if (got < 0 || static_cast<zip_uint64_t>(got) != bytes.size())
    throw DataError(where + ": corrupt archive member");
  const NpyHeader h = parse_npy_header(bytes, where);
  if (h.header_bytes + h.payload_bytes != st.size)
    fail(where, st.size,
         "the header promises " + std::to_string(h.payload_bytes) + " bytes of data, the member holds " +
             std::to_string(st.size - std::min<uint64_t>(st.size, h.header_bytes)));
  const std::size_t have = bytes.size();
  bytes.resize(st.size);
  got = zip_fread(f.get(), bytes.data() + have, st.size - have);
  if (got < 0 || static_cast<zip_uint64_t>(got) != st.size - have)
    throw DataError(where + ": corrupt or truncated archive member (" + zip_strerror(zip) + ")");
  return decode_payload(h, bytes, where);
}

Zip open_zip(zip_source_t* source, const std::string& name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_t* z = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!z) {
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    zip_source_free(source);
    throw DataError(name + ": not a readable .npz (zip) archive: " + why);
  }
  zip_error_fini(&error);
  return Zip(z);
}

Zip open_zip_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  if (const std::optional<std::string> why = why_not_regular_file(file)) throw DataError(name + ": " + *why);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_file_create(file.c_str(), 0, -1, &error);
  zip_error_fini(&error);
  if (!src) throw DataError(name + ": cannot open");
  return open_zip(src, name);
}

}  // namespace

std::vector<std::string> npz_arrays(const std::filesystem::path& file) {
  const Zip zip = open_zip_file(file);
  std::vector<std::string> names;
  const zip_int64_t entries = zip_get_num_entries(zip.get(), 0);
  for (zip_int64_t i = 0; i < entries; ++i) {
    std::string n = zip_get_name(zip.get(), static_cast<zip_uint64_t>(i), 0);
    if (n.ends_with(".npy")) names.push_back(n.substr(0, n.size() - 4));
  }
  return names;
}

HostTensor read_npz_array(const std::filesystem::path& file, const std::string& array) {
  const Zip zip = open_zip_file(file);
  return array_from(zip.get(), file.string(), array);
}

HostTensor read_npz_array(std::string_view archive, const std::string& name, const std::string& array) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(archive.data(), archive.size(), 0, &error);
  zip_error_fini(&error);
  if (!src) throw DataError(name + ": cannot read");
  const Zip zip = open_zip(src, name);
  return array_from(zip.get(), name, array);
}

}  // namespace gauntlet::formats
