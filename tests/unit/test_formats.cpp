// Readers of organizer files (formats/), each against fixtures written by an independent
// implementation (tests/formats/make_fixtures.py: numpy, struct, zlib, gzip) and against
// defective inputs, whose messages must say which file and where.
#include <doctest/doctest.h>

#include "common/errors.hpp"
#include "formats/csv.hpp"
#include "formats/idx.hpp"
#include "formats/image.hpp"
#include "formats/npy.hpp"
#include "support/run_command.hpp"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

using namespace gauntlet;
namespace fs = std::filesystem;

namespace {

struct Fixtures {
  std::string dir = testing::temp_dir("formats");
  nlohmann::json expect;
  Fixtures() {
    const auto r = testing::run_command(
        {"/usr/bin/python3", testing::source_path("tests/formats/make_fixtures.py"), dir}, 120);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    expect = nlohmann::json::parse(r.out);
  }
  std::string operator()(const std::string& name) const { return dir + "/" + name; }
};

const Fixtures& fixtures() {
  static const Fixtures f;
  return f;
}

void check_tensor(const HostTensor& t, const nlohmann::json& want) {
  CHECK(t.shape == want["shape"].get<std::vector<int64_t>>());
  const auto values = want["values"];
  REQUIRE(static_cast<std::size_t>(t.numel()) == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) CHECK(t.value(i) == values[i].get<double>());
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

std::vector<std::vector<std::string>> parse(const std::string& text, formats::CsvFormat format = {}) {
  std::size_t at = 0;
  const formats::BlockReader read = [&](char* buffer, std::size_t want) {
    const std::size_t n = std::min({want, text.size() - at, std::size_t{3}});  // fields straddle blocks
    std::memcpy(buffer, text.data() + at, n);
    at += n;
    return n;
  };
  std::vector<std::vector<std::string>> rows;
  auto keep = [&](const std::vector<formats::CsvField>& fields) {
    rows.emplace_back();
    for (const auto& f : fields) rows.back().emplace_back(f.text);
  };
  formats::read_delimited(read, "t.csv", format, keep, keep);
  return rows;
}

}  // namespace

TEST_CASE("npy: every dtype and byte order numpy writes reads as numpy holds it") {
  const Fixtures& f = fixtures();
  for (const char* name : {"f4", "f8", "f2", "i1", "i2", "u2", "i4", "u4", "i8", "u1", "b1"}) {
    CAPTURE(name);
    const std::string file = std::string(name) + ".npy";
    const HostTensor t = formats::read_npy(f(file));
    check_tensor(t, f.expect[file]);
    std::ifstream in(f(file), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    check_tensor(formats::decode_npy(bytes, file), f.expect[file]);
  }
  CHECK(formats::read_npy(f("u4.npy")).dtype == DType::s64);
  CHECK(formats::read_npy(f("i2.npy")).dtype == DType::s32);
  CHECK(formats::read_npy(f("f8.npy")).dtype == DType::f32);
  CHECK(formats::read_npy(f("b1.npy")).dtype == DType::u8);
}

TEST_CASE("npy: what is not a tensor is refused with the file and the offset") {
  const Fixtures& f = fixtures();
  CHECK(error_of([&] { formats::read_npy(f("fortran.npy")); }).find("offset ") != std::string::npos);
  CHECK(error_of([&] { formats::read_npy(f("fortran.npy")); }).find("column-major") != std::string::npos);
  CHECK(error_of([&] { formats::read_npy(f("complex.npy")); }).find("unsupported .npy dtype '<c8'") !=
        std::string::npos);
  CHECK(error_of([&] { formats::read_npy(f("cut.npy")); }) ==
        f("cut.npy") + ": offset " + std::to_string(fs::file_size(f("cut.npy"))) +
            ": the header promises 60 bytes of data, the file holds 55");
  CHECK(error_of([&] { formats::read_npy(f("f4.idx")); }) ==
        f("f4.idx") + ": offset 0: not a .npy file (it does not start with \\x93NUMPY)");
  CHECK(error_of([&] {
          formats::decode_npy(std::string("\x93NUMPY\x01\x00\xff\xff", 10), "x.npy");
        }).starts_with("x.npy: offset "));
}

TEST_CASE("npz: arrays of plain and compressed archives; a missing array names what is there") {
  const Fixtures& f = fixtures();
  for (const char* archive : {"plain.npz", "packed.npz"}) {
    const HostTensor x = formats::read_npz_array(f(archive), "x");
    CHECK(x.shape == std::vector<int64_t>{2, 3});
    for (int i = 0; i < 6; ++i) CHECK(x.as<int32_t>()[i] == i);
  }
  CHECK(formats::read_npz_array(f("plain.npz"), "y").as<float>()[1] == 2.5f);
  CHECK(formats::npz_arrays(f("plain.npz")) == std::vector<std::string>{"x", "y"});
  CHECK(error_of([&] { formats::read_npz_array(f("plain.npz"), "z"); }) ==
        f("plain.npz") + ": no array 'z' in the archive (it holds: x.npy, y.npy)");
  CHECK(error_of([&] {
          formats::read_npz_array(f("f4.npy"), "x");
        }).starts_with(f("f4.npy") + ": not a readable .npz"));
}

TEST_CASE("idx: every element type, plain and gzip") {
  const Fixtures& f = fixtures();
  for (const char* name : {"u1", "i1", "i2", "i4", "f4", "f8"}) {
    CAPTURE(name);
    const std::string file = std::string(name) + ".idx";
    check_tensor(formats::read_idx(f(file)), f.expect[file]);
    check_tensor(formats::read_idx(f(file + ".gz")), f.expect[file]);
  }
  // Schema 1's expectations keep their words.
  CHECK(error_of([&] {
          formats::read_idx(f("f4.idx"), {3, 4, true, "images"});
        })
            .ends_with("declares element type float, expected 0x00000803 or 0x00000804 (unsigned bytes, 3-4 "
                       "dimensions)"));
}

TEST_CASE("images: PNG (libpng) and JPEG (TurboJPEG) decode to the pixels written") {
  const Fixtures& f = fixtures();
  std::ifstream in(f("images/dog/2.png"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const formats::Image rgb = formats::decode_image(bytes, "dog.png", 3);
  CHECK(rgb.height == 4);
  CHECK(rgb.width == 5);
  CHECK(std::vector<int>(rgb.pixels.begin(), rgb.pixels.end()) ==
        f.expect["images/dog/2.png"].get<std::vector<int>>());
  const formats::Image grey = formats::decode_image(bytes, "dog.png", 1);
  CHECK(grey.pixels.size() == 20);
  // A flat grey JPEG (cjpeg from the PGM) decodes to the same grey, up to JPEG's rounding.
  const std::string pgm = f("flat.pgm"), jpg = f("flat.jpg");
  std::ofstream(pgm, std::ios::binary) << "P5\n16 8\n255\n" << std::string(128, '\x64');
  REQUIRE(
      testing::run_command({"/bin/sh", "-c", "cjpeg -quality 95 '" + pgm + "' > '" + jpg + "'"}).exit_code ==
      0);
  std::ifstream jin(jpg, std::ios::binary);
  const std::string jbytes((std::istreambuf_iterator<char>(jin)), std::istreambuf_iterator<char>());
  const formats::Image j = formats::decode_image(jbytes, "flat.jpg", 1);
  CHECK(j.width == 16);
  CHECK(j.height == 8);
  for (const uint8_t p : j.pixels) CHECK(std::abs(int(p) - 100) <= 1);
  const formats::Image small = formats::resize_image(j, 4, 8);
  CHECK(small.pixels.size() == 32);
  for (const uint8_t p : small.pixels) CHECK(std::abs(int(p) - 100) <= 1);

  std::ifstream bad(f("odd/a/bad.png"), std::ios::binary);
  const std::string cut((std::istreambuf_iterator<char>(bad)), std::istreambuf_iterator<char>());
  CHECK(error_of([&] { formats::decode_image(cut, "bad.png", 1); }).starts_with("bad.png: corrupt PNG: "));
  CHECK(error_of([&] { formats::decode_image("GIF89a", "x.gif", 1); }) ==
        "x.gif: offset 0: neither a PNG nor a JPEG image");
}

TEST_CASE("delimited text: RFC 4180 quoting, blocks, blank lines, CRLF, whitespace, positions") {
  CHECK(parse("a,b\r\n1,\"x,y\"\n\n\"q\"\"t\",\"multi\nline\"\n") ==
        std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "x,y"}, {"q\"t", "multi\nline"}});
  CHECK(parse("a b  c\n  1   2 3\n", {' ', 0, true}) ==
        std::vector<std::vector<std::string>>{{"a", "b", "c"}, {"1", "2", "3"}});
  CHECK(parse("4,2\n1,2\n", {',', 1, false}) ==
        std::vector<std::vector<std::string>>{{"0", "1"}, {"1", "2"}});
  CHECK(parse("a\tb\n1\t2", {'\t', 0, true}) ==
        std::vector<std::vector<std::string>>{{"a", "b"}, {"1", "2"}});
  CHECK(error_of([] { parse("a,b\n1,2\n3\n"); }) == "t.csv:3:1: a row of 1 fields; the header has 2");
  CHECK(error_of([] { parse("a,b\n1,\"2\n"); }) == "t.csv:2:3: a quoted field is never closed");
  CHECK(error_of([] { parse("a,b\n1,\"2\"x\n"); }) == "t.csv:2:6: text after the closing quote of a field");
  CHECK(error_of([] { parse(""); }) == "t.csv:1:1: an empty file: expected a header row");
}
