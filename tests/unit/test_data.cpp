// Data layer: IDX reader (real Fashion-MNIST and corrupted files), public/private split,
// synthetic generator, oneDNN preprocessing, load_challenge_data.
#include <doctest/doctest.h>

#include "challenge/challenge_loader.hpp"
#include "data/dataset.hpp"
#include "formats/synthetic.hpp"

#include <zlib.h>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <string>
#include <vector>

using namespace gauntlet;
namespace fs = std::filesystem;

namespace {

const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

Challenge fashion_challenge() {
  return load_challenge(std::string(GAUNTLET_SOURCE_DIR) + "/challenges/fashion-mnist");
}
Challenge synthetic_challenge() {
  return load_challenge(std::string(GAUNTLET_SOURCE_DIR) + "/challenges/synthetic-regression");
}

// A schema 1 challenge's data section, parsed as the loader does.
DataSpec data_from(const std::string& data_yaml, const std::string& task, const std::string& input_shape) {
  const std::string yaml =
      "schema: 1\nid: t\ntask: " + task + "\ndata:\n" + data_yaml +
      "interface:\n  inputs: [{name: image, shape: " + input_shape +
      "}]\n  outputs: [{name: out, shape: " + (task == "regression" ? "[batch, 1]" : "[batch, 10]") +
      "}]\n  target: {name: label, " +
      (task == "regression" ? "shape: [batch, 1]" : "dtype: s32, shape: [batch]") +
      "}\ntiming: {batch_sizes: [1]}\nmetrics: [" + (task == "regression" ? "mse" : "accuracy") +
      "]\nscore: {formula: " + (task == "regression" ? "mse" : "accuracy") + "}\n";
  return parse_challenge("/t.yaml", yaml).data;
}
DataSpec idx_data(const fs::path& ti, const fs::path& tl, const fs::path& ei, const fs::path& el) {
  return data_from("  source: idx\n  train: {images: '" + ti.string() + "', labels: '" + tl.string() +
                       "'}\n  test: {images: '" + ei.string() + "', labels: '" + el.string() + "'}\n",
                   "classification", "[batch, 1, 28, 28]");
}
DataSpec synthetic_data(uint64_t seed, int train, int test, int features, double noise, double nonlinear) {
  return data_from("  source: synthetic_regression\n  seed: " + std::to_string(seed) +
                       "\n  num_train: " + std::to_string(train) + "\n  num_test: " + std::to_string(test) +
                       "\n  num_features: " + std::to_string(features) + "\n  noise: " +
                       std::to_string(noise) + "\n  nonlinear_weight: " + std::to_string(nonlinear) + "\n",
                   "regression", "[batch, " + std::to_string(features) + "]");
}
// Schema 1's global preprocessing, as the loader copies it into the input.
void set_preprocess(Challenge& c, const Preprocess& p) {
  c.preprocess = p;
  c.inputs[0].preprocess = {InputPreprocess::Kind::affine, {p.scale}, {p.mean}, {p.stddev}, p.layout};
}

// A heap allocator that remembers what went through it: that is what the worker would see.
struct RecordingAllocator {
  std::map<std::string, std::size_t> seen;
  BufferAllocator fn() {
    return [this](std::size_t bytes, const std::string& label) {
      seen[label] = bytes;
      return make_heap_buffer(bytes);
    };
  }
};

// The uncompressed bytes of a (gzip) file, read independently of the code under test.
std::vector<uint8_t> gunzip(const fs::path& file) {
  gzFile f = gzopen(file.c_str(), "rb");
  REQUIRE(f != nullptr);
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.insert(out.end(), buf, buf + n);
  gzclose(f);
  return out;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("gauntlet_test_data_" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::vector<uint8_t> idx_header(uint32_t magic, std::vector<uint32_t> dims) {
  std::vector<uint8_t> b;
  auto put = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
  };
  put(magic);
  for (uint32_t d : dims) put(d);
  return b;
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void write_plain(const fs::path& p, const std::vector<uint8_t>& bytes) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void write_gzip(const fs::path& p, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(p.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  gzclose(f);
}

// Small valid IDX images (deterministic pseudo-random pixels) and labels.
std::vector<uint8_t> images_bytes(uint32_t n, uint32_t h = 28, uint32_t w = 28) {
  std::vector<uint8_t> px(static_cast<std::size_t>(n) * h * w);
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>((i * 2654435761u) >> 13);
  return concat(idx_header(0x00000803, {n, h, w}), px);
}
std::vector<uint8_t> labels_bytes(uint32_t n, uint8_t bad_at = 255, uint8_t bad_value = 0) {
  std::vector<uint8_t> l(n);
  for (uint32_t i = 0; i < n; ++i) l[i] = i == bad_at ? bad_value : static_cast<uint8_t>(i % 10);
  return concat(idx_header(0x00000801, {n}), l);
}

// load_challenge_data on test files only; returns the DataError message ("" when none).
std::string load_error(const fs::path& images, const fs::path& labels, Challenge c = fashion_challenge()) {
  c.data = idx_data("/nonexistent/train-images", "/nonexistent/train-labels", images, labels);
  try {
    load_challenge_data(c, DataRequest{SplitName::public_split, -1, -1, false}, heap_allocator());
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

uint64_t ref_splitmix64(uint64_t x) {  // the documented function, for golden values below
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

TEST_CASE("split: splitmix64 rule, golden values from an independent implementation") {
  // splitmix64(0) = 0xE220A8397B1DCDAF (the reference SplitMix64 first output) = 0.8833 * 2^64.
  CHECK(ref_splitmix64(0) == 0xE220A8397B1DCDAFull);
  CHECK_FALSE(is_private_sample(SplitRule{0.88, 0}, 0));
  CHECK(is_private_sample(SplitRule{0.89, 0}, 0));
  // seed ^ index, not seed + index: seed 1, index 1 is splitmix64(0) again.
  CHECK(is_private_sample(SplitRule{0.89, 1}, 1));
  CHECK_FALSE(is_private_sample(SplitRule{0.88, 1}, 1));
  // Fashion-MNIST's rule, counted with a Python re-implementation: 5042 private of 10000,
  // the first private indices 8, 9, 11, 14 and the first public ones 0..7, 10, 12.
  const SplitRule rule{0.5, 20261129};
  int64_t priv = 0;
  for (int64_t i = 0; i < 10000; ++i) priv += is_private_sample(rule, i);
  CHECK(priv == 5042);
  for (int64_t i : {8, 9, 11, 14, 16}) CHECK(is_private_sample(rule, i));
  for (int64_t i : {0, 1, 2, 3, 4, 5, 6, 7, 10, 12}) CHECK_FALSE(is_private_sample(rule, i));
  CHECK(std::string(split_name(SplitName::public_split)) == "public");
  CHECK(std::string(split_name(SplitName::private_split)) == "private");
}

TEST_CASE("fashion-mnist: full load, counts, labels, split, preprocessing, memory owners") {
  const Challenge c = fashion_challenge();
  RecordingAllocator rec;
  const ChallengeData pub =
      load_challenge_data(c, DataRequest{SplitName::public_split, -1, -1, true}, rec.fn());

  REQUIRE(pub.train.inputs.size() == 1);
  CHECK(pub.train.inputs[0].dtype == DType::f32);
  CHECK(pub.train.inputs[0].shape == std::vector<int64_t>{60000, 1, 28, 28});
  CHECK(pub.train.targets.dtype == DType::s32);
  CHECK(pub.train.targets.shape == std::vector<int64_t>{60000});
  CHECK(pub.train.source_index.size() == 60000);
  CHECK(pub.eval.inputs[0].shape == std::vector<int64_t>{4958, 1, 28, 28});
  CHECK(pub.eval.targets.shape == std::vector<int64_t>{4958});

  // First labels of the files (read with Python's gzip): train 9 0 0 3 0 2 7 2 5 5, test 9 2 1 1 6 1 4 6 5 7.
  const int32_t train_first[] = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5};
  for (int i = 0; i < 10; ++i) CHECK(pub.train.targets.as<int32_t>()[i] == train_first[i]);
  // Public samples are test items 0..7, 10, 12, ...: labels 9 2 1 1 6 1 4 6 | 4 (item 10) 9 (item 12).
  const int32_t test_first[] = {9, 2, 1, 1, 6, 1, 4, 6};
  for (int i = 0; i < 8; ++i) CHECK(pub.eval.targets.as<int32_t>()[i] == test_first[i]);
  CHECK(pub.eval.source_index[8] == 10);
  CHECK(pub.eval.targets.as<int32_t>()[8] == 4);

  // The worker sees train inputs, train targets and eval inputs; eval targets stay on the heap.
  CHECK(rec.seen.count("train.image") == 1);
  CHECK(rec.seen.count("train.label") == 1);
  CHECK(rec.seen.count("eval.image") == 1);
  CHECK(rec.seen.count("eval.label") == 0);
  CHECK(rec.seen.size() == 3);

  // Pixel values against the formula, from bytes read independently of the reader.
  const auto train_raw = gunzip(kFashion / "train-images-idx3-ubyte.gz");
  const auto test_raw = gunzip(kFashion / "t10k-images-idx3-ubyte.gz");
  auto expect = [&](uint8_t px) { return (px * (1.0 / 255.0) - 0.2860) / 0.3530; };
  for (int64_t s : {0, 1, 777, 59999})
    for (int64_t j : {0, 100, 14 * 28 + 12, 783}) {
      const uint8_t px = train_raw[16 + s * 784 + j];
      CHECK(pub.train.inputs[0].as<float>()[s * 784 + j] == doctest::Approx(expect(px)).epsilon(1e-5));
    }
  // Sample 0 of train, row 14, columns 10..19 in the file: 0 0 237 226 217 223 222 219 222 221.
  CHECK(pub.train.inputs[0].as<float>()[14 * 28 + 12] == doctest::Approx(expect(237)).epsilon(1e-5));
  int64_t nonzero = 0;
  for (int64_t k = 0; k < pub.eval.inputs[0].numel(); ++k) {
    const int64_t s = k / 784, j = k % 784;
    const uint8_t px = test_raw[16 + pub.eval.source_index[s] * 784 + j];
    nonzero += px != 0;
    if (std::fabs(pub.eval.inputs[0].as<float>()[k] - expect(px)) > 1e-5) {
      FAIL("eval pixel " << k << " differs");
      break;
    }
  }
  CHECK(nonzero > 1000000);

  // The private part: the rest of the test set, disjoint from the public one.
  const ChallengeData priv =
      load_challenge_data(c, DataRequest{SplitName::private_split, -1, -1, false}, heap_allocator());
  CHECK(priv.eval.source_index.size() == 5042);
  CHECK(priv.eval.source_index.size() + pub.eval.source_index.size() == 10000);
  std::vector<int64_t> all = pub.eval.source_index;
  all.insert(all.end(), priv.eval.source_index.begin(), priv.eval.source_index.end());
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 10000; ++i) REQUIRE(all[i] == i);
  CHECK(std::is_sorted(priv.eval.source_index.begin(), priv.eval.source_index.end()));
  CHECK(priv.train.inputs.empty());
}

TEST_CASE("fashion-mnist: limits, determinism, include_train=false reads no train file") {
  Challenge c = fashion_challenge();
  const DataRequest req{SplitName::private_split, 100, 500, true};
  const ChallengeData a = load_challenge_data(c, req, heap_allocator());
  const ChallengeData b = load_challenge_data(c, req, heap_allocator());
  CHECK(a.eval.inputs[0].shape == std::vector<int64_t>{100, 1, 28, 28});
  CHECK(a.train.inputs[0].shape == std::vector<int64_t>{500, 1, 28, 28});
  CHECK(a.train.targets.shape == std::vector<int64_t>{500});
  CHECK(a.eval.source_index.size() == 100);
  CHECK(a.eval.source_index[0] == 8);  // the first private items
  CHECK(a.eval.source_index == b.eval.source_index);
  CHECK(std::memcmp(a.eval.inputs[0].raw(), b.eval.inputs[0].raw(), a.eval.inputs[0].bytes()) == 0);
  CHECK(std::memcmp(a.train.inputs[0].raw(), b.train.inputs[0].raw(), a.train.inputs[0].bytes()) == 0);
  CHECK(std::memcmp(a.eval.targets.raw(), b.eval.targets.raw(), a.eval.targets.bytes()) == 0);

  // A limit larger than the split is the whole split; zero is an empty split.
  CHECK(load_challenge_data(c, {SplitName::public_split, 1000000, 0, true}, heap_allocator())
            .eval.targets.shape == std::vector<int64_t>{4958});
  CHECK(load_challenge_data(c, {SplitName::public_split, 0, 0, true}, heap_allocator()).train.targets.shape ==
        std::vector<int64_t>{0});

  // Train files that do not exist are never opened when the training set is not wanted.
  c.data = idx_data("/nonexistent/train-images.gz", "/nonexistent/train-labels.gz",
                    kFashion / "t10k-images-idx3-ubyte.gz", kFashion / "t10k-labels-idx1-ubyte.gz");
  RecordingAllocator rec;
  const ChallengeData e = load_challenge_data(c, {SplitName::public_split, 10, -1, false}, rec.fn());
  CHECK(e.train.inputs.empty());
  CHECK(e.train.source_index.empty());
  CHECK(e.eval.targets.shape == std::vector<int64_t>{10});
  CHECK(rec.seen.size() == 1);
  CHECK_THROWS_WITH_AS(load_challenge_data(c, {SplitName::public_split, 10, -1, true}, heap_allocator()),
                       doctest::Contains("/nonexistent/train-images.gz: images file not found"), DataError);
}

TEST_CASE("fashion-mnist: input shape and layout checks") {
  Challenge c = fashion_challenge();
  const DataRequest req{SplitName::public_split, 3, -1, false};
  const ChallengeData ref = load_challenge_data(c, req, heap_allocator());

  // One channel: nhwc [batch, 28, 28, 1] and a flat [batch, 784] hold the same bytes as nchw.
  c.inputs[0].preprocess.layout = Layout::nhwc;
  c.inputs[0].shape = {-1, 28, 28, 1};
  const ChallengeData nhwc = load_challenge_data(c, req, heap_allocator());
  CHECK(nhwc.eval.inputs[0].shape == std::vector<int64_t>{3, 28, 28, 1});
  CHECK(std::memcmp(nhwc.eval.inputs[0].raw(), ref.eval.inputs[0].raw(), ref.eval.inputs[0].bytes()) == 0);
  c.inputs[0].shape = {-1, 784};
  const ChallengeData flat = load_challenge_data(c, req, heap_allocator());
  CHECK(std::memcmp(flat.eval.inputs[0].raw(), ref.eval.inputs[0].raw(), ref.eval.inputs[0].bytes()) == 0);

  c.inputs[0].shape = {-1, 1, 28, 27};
  c.inputs[0].preprocess.layout = Layout::nchw;
  CHECK_THROWS_WITH_AS(
      load_challenge_data(c, req, heap_allocator()),
      doctest::Contains("holds 28x28x1 images (height x width x channels) but input 'image' is "
                        "[batch, 1, 28, 27] in layout nchw, which needs [batch, 1, 28, 28]"),
      DataError);
  c.inputs[0].shape = {-1, 28, 28, 1};  // nhwc shape declared with layout nchw
  CHECK_THROWS_AS(load_challenge_data(c, req, heap_allocator()), DataError);
  c.inputs[0].shape = {-1, 783};
  CHECK_THROWS_WITH_AS(
      load_challenge_data(c, req, heap_allocator()),
      doctest::Contains(
          "holds 784 values per sample [10000, 28, 28] but input 'image' is [batch, 783] (783 values"),
      DataError);
  c.inputs[0].shape = {-1, 1, 28, 28};
  c.inputs[0].dtype = DType::u8;
  CHECK_THROWS_WITH_AS(load_challenge_data(c, req, heap_allocator()),
                       doctest::Contains("does not fit input 'image' (u8)"), DataError);
}

TEST_CASE("idx: multi-channel images are transposed to the requested layout") {
  TempDir tmp;
  // 2 images of 2x3 pixels with 2 channels, stored channels last: value = 100 n + 10 (h*3+w) + c.
  std::vector<uint8_t> px;
  for (int n = 0; n < 2; ++n)
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 3; ++w)
        for (int ch = 0; ch < 2; ++ch) px.push_back(static_cast<uint8_t>(100 * n + 10 * (h * 3 + w) + ch));
  write_gzip(tmp.path / "img.gz", concat(idx_header(0x00000804, {2, 2, 3, 2}), px));
  write_plain(tmp.path / "lab", concat(idx_header(0x00000801, {2}), {3, 4}));

  Challenge c = fashion_challenge();
  c.data = idx_data(tmp.path / "img.gz", tmp.path / "lab", tmp.path / "img.gz", tmp.path / "lab");
  c.split = SplitRule{1e-9, 0};     // practically everything public
  set_preprocess(c, Preprocess{});  // identity: compare raw values
  c.inputs[0].shape = {-1, 2, 2, 3};
  const ChallengeData nchw =
      load_challenge_data(c, {SplitName::public_split, -1, -1, true}, heap_allocator());
  REQUIRE(nchw.train.inputs[0].shape == std::vector<int64_t>{2, 2, 2, 3});
  const float* a = nchw.train.inputs[0].as<float>();
  for (int n = 0; n < 2; ++n)
    for (int ch = 0; ch < 2; ++ch)
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 3; ++w)
          CHECK(a[((n * 2 + ch) * 2 + h) * 3 + w] == 100 * n + 10 * (h * 3 + w) + ch);
  CHECK(nchw.train.targets.as<int32_t>()[1] == 4);

  c.inputs[0].preprocess.layout = Layout::nhwc;
  c.inputs[0].shape = {-1, 2, 3, 2};
  const ChallengeData nhwc =
      load_challenge_data(c, {SplitName::public_split, -1, -1, false}, heap_allocator());
  const float* b = nhwc.eval.inputs[0].as<float>();
  for (std::size_t i = 0; i < px.size(); ++i) CHECK(b[i] == px[i]);
}

TEST_CASE("idx: every defect is a one-line DataError naming the file") {
  TempDir tmp;
  const fs::path img = tmp.path / "images", lab = tmp.path / "labels";
  write_gzip(lab, labels_bytes(5));
  auto with_images = [&](const std::vector<uint8_t>& bytes, bool gzip) {
    fs::remove(img);
    gzip ? write_gzip(img, bytes) : write_plain(img, bytes);
    return load_error(img, lab);
  };

  SUBCASE("valid files load") {
    CHECK(with_images(images_bytes(5), false) == "");
    CHECK(with_images(images_bytes(5), true) == "");
  }
  SUBCASE("missing file") {
    CHECK(load_error(tmp.path / "nope.gz", lab) ==
          (tmp.path / "nope.gz").string() + ": images file not found");
  }
  SUBCASE("wrong magic, shown in hex with the expected one") {
    auto bytes = images_bytes(5);
    bytes[0] = 0x12, bytes[1] = 0x34;
    const std::string e = with_images(bytes, true);
    CHECK(e.find(img.string() + ": not an IDX file: magic number 0x12340803, expected 0x00000803") == 0);
  }
  SUBCASE("wrong element type") {
    auto bytes = images_bytes(5);
    bytes[2] = 0x0D;
    CHECK(with_images(bytes, false)
              .find("IDX magic 0x00000D03 declares element type float, expected 0x00000803") !=
          std::string::npos);
  }
  SUBCASE("empty file") {
    CHECK(with_images({}, false) ==
          img.string() + ": truncated IDX header: expected at least 4 bytes, file holds 0");
  }
  SUBCASE("images given as labels: wrong rank") {
    write_gzip(img, images_bytes(5));
    write_gzip(lab, images_bytes(5));
    CHECK(load_error(img, lab).find(lab.string() + ": IDX magic 0x00000803 declares 3 dimensions, expected "
                                                   "0x00000801 (unsigned bytes, 1 dimensions) for labels") ==
          0);
  }
  SUBCASE("labels given as images: wrong rank") {
    CHECK(
        with_images(labels_bytes(5), true).find("declares 1 dimensions, expected 0x00000803 or 0x00000804") !=
        std::string::npos);
  }
  SUBCASE("truncated header") {
    auto bytes = images_bytes(5);
    bytes.resize(10);
    CHECK(with_images(bytes, false) ==
          img.string() + ": truncated IDX header: expected 16 bytes, file holds 10");
    bytes.resize(2);
    CHECK(with_images(bytes, true).find("expected at least 4 bytes, file holds 2") != std::string::npos);
  }
  SUBCASE("header promising more items than the file holds") {
    auto bytes = images_bytes(5);
    bytes[7] = 10;  // 10 items claimed, 5 present
    const std::string msg =
        ": header promises 10 images (7840 bytes of data after the 16-byte header) but the "
        "file holds 3920";
    CHECK(with_images(bytes, false) == img.string() + msg);
    CHECK(with_images(bytes, true) == img.string() + msg);
  }
  SUBCASE("more data than the header promises") {
    auto bytes = images_bytes(5);
    bytes[7] = 4;
    CHECK(with_images(bytes, true)
              .find("header promises 4 images (3136 bytes of data after the 16-byte header) "
                    "but the file holds more") != std::string::npos);
  }
  SUBCASE("absurd headers are rejected before allocating") {
    CHECK(with_images(concat(idx_header(0x00000803, {0x7fffffff, 28, 28}), {1, 2, 3}), true)
              .find("implausible IDX header") != std::string::npos);
    CHECK(with_images(concat(idx_header(0x00000803, {1000000, 28, 28}), {1, 2, 3}), true)
              .find("-byte gzip file cannot hold that much") != std::string::npos);
    CHECK(with_images(concat(idx_header(0x00000803, {0, 28, 28}), {}), false).find("dimension 0 of size 0") !=
          std::string::npos);
  }
  SUBCASE("gzip stream cut in half") {
    write_gzip(img, images_bytes(5));
    fs::resize_file(img, fs::file_size(img) / 2);
    const std::string e = load_error(img, lab);
    CHECK(e == img.string() + ": corrupt or truncated gzip stream: unexpected end of file (zlib)");
  }
  SUBCASE("corrupt gzip data (CRC mismatch or invalid deflate data)") {
    write_gzip(img, images_bytes(5));
    std::vector<char> bytes(fs::file_size(img));
    std::ifstream(img, std::ios::binary).read(bytes.data(), bytes.size());
    for (std::size_t i = bytes.size() / 2; i < bytes.size() / 2 + 8; ++i)
      bytes[i] = static_cast<char>(~bytes[i]);
    std::ofstream(img, std::ios::binary).write(bytes.data(), bytes.size());
    const std::string e = load_error(img, lab);
    INFO(e);
    CHECK(e.find(img.string() + ": corrupt or truncated gzip stream: ") == 0);
    CHECK(e.find(" (zlib)") != std::string::npos);
  }
  SUBCASE("gzip trailer CRC mismatch: caught by reading past the data") {
    write_gzip(img, images_bytes(5));
    std::vector<char> bytes(fs::file_size(img));
    std::ifstream(img, std::ios::binary).read(bytes.data(), bytes.size());
    bytes[bytes.size() - 8] = static_cast<char>(~bytes[bytes.size() - 8]);  // first byte of CRC-32
    std::ofstream(img, std::ios::binary).write(bytes.data(), bytes.size());
    CHECK(load_error(img, lab) ==
          img.string() + ": corrupt or truncated gzip stream: incorrect data check (zlib)");
  }
  SUBCASE("images and labels disagree on the count") {
    write_gzip(lab, labels_bytes(4));
    CHECK(with_images(images_bytes(5), true) ==
          lab.string() + ": holds 4 labels but " + img.string() + " holds 5 images");
  }
  SUBCASE("label out of range") {
    write_plain(lab, labels_bytes(5, 3, 10));
    CHECK(with_images(images_bytes(5), true) == lab.string() + ": label 10 of item 3 is outside [0, 10)");
  }
  SUBCASE("a directory") { CHECK(load_error(tmp.path, lab).find("is a directory") != std::string::npos); }
}

// The generator exactly as challenges/synthetic-regression/README.md describes it, written
// from that page: if this test fails, the page or the code is wrong.
struct ReadmeGenerator {
  uint64_t state;
  double uniform() {
    const uint64_t z = ref_splitmix64(state);  // = mix(state + golden gamma)
    state += 0x9E3779B97F4A7C15ull;
    return (static_cast<double>(z >> 11) + 0.5) / 9007199254740992.0;  // 2^53
  }
  double normal() {
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }
};

TEST_CASE("synthetic: stream matches the documented definition") {
  const formats::SyntheticRegressionSource src{7, 20000, 5000, 16, 0.1, 0.5};
  ReadmeGenerator g{7};
  std::vector<double> w(16);
  for (double& v : w) v = g.normal();
  formats::SyntheticRegressionGenerator gen(src);
  for (int j = 0; j < 16; ++j) CHECK(gen.weights()[j] == w[j]);

  auto ref_sample = [&](std::vector<float>& x) {
    std::vector<double> xd(16);
    double dot = 0;
    for (int j = 0; j < 16; ++j) dot += w[j] * (xd[j] = g.normal());
    const double e = g.normal();
    for (int j = 0; j < 16; ++j) x[j] = static_cast<float>(xd[j]);
    return static_cast<float>(dot + 0.5 * std::sin(xd[0] * xd[1]) + 0.1 * e);
  };
  std::vector<float> x(16);
  const float y0 = ref_sample(x);

  Challenge c = synthetic_challenge();
  const ChallengeData d = load_challenge_data(c, {SplitName::public_split, -1, -1, true}, heap_allocator());
  CHECK(d.train.targets.as<float>()[0] == y0);
  for (int j = 0; j < 16; ++j) CHECK(d.train.inputs[0].as<float>()[j] == x[j]);
  for (int i = 1; i < 20000; ++i) ref_sample(x);
  // Test sample 0 follows the 20000 training samples; under split seed 99 it is private.
  const float t0 = ref_sample(x);
  const ChallengeData p = load_challenge_data(c, {SplitName::private_split, 1, 0, false}, heap_allocator());
  REQUIRE(p.eval.source_index == std::vector<int64_t>{0});
  CHECK(p.eval.targets.as<float>()[0] == t0);
  for (int j = 0; j < 16; ++j) CHECK(p.eval.inputs[0].as<float>()[j] == x[j]);
}

TEST_CASE("synthetic: determinism, statistics, split and limits") {
  Challenge c = synthetic_challenge();
  const formats::SyntheticRegressionSource src{7, 20000, 5000, 16, 0.1, 0.5};
  RecordingAllocator rec;
  const ChallengeData a = load_challenge_data(c, {SplitName::public_split, -1, -1, true}, rec.fn());
  const ChallengeData b = load_challenge_data(c, {SplitName::public_split, -1, -1, true}, heap_allocator());
  CHECK(a.train.inputs[0].shape == std::vector<int64_t>{20000, 16});
  CHECK(a.train.targets.shape == std::vector<int64_t>{20000, 1});
  CHECK(std::memcmp(a.train.inputs[0].raw(), b.train.inputs[0].raw(), a.train.inputs[0].bytes()) == 0);
  CHECK(std::memcmp(a.train.targets.raw(), b.train.targets.raw(), a.train.targets.bytes()) == 0);
  CHECK(std::memcmp(a.eval.inputs[0].raw(), b.eval.inputs[0].raw(), a.eval.inputs[0].bytes()) == 0);
  CHECK(rec.seen.size() == 3);
  CHECK(rec.seen.count("eval.value") == 0);

  // Residual y - w.x - 0.5 sin(x0 x1) is the noise: mean 0, standard deviation 0.1.
  formats::SyntheticRegressionGenerator gen(src);
  const auto& w = gen.weights();
  const float* x = a.train.inputs[0].as<float>();
  const float* y = a.train.targets.as<float>();
  double rs = 0, rss = 0, ys = 0, yss = 0, ww = 0, xs = 0, xss = 0;
  for (double v : w) ww += v * v;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    double dot = 0;
    for (int j = 0; j < 16; ++j) {
      dot += w[j] * x[i * 16 + j];
      xs += x[i * 16 + j];
      xss += x[i * 16 + j] * x[i * 16 + j];
    }
    const double r = y[i] - dot - 0.5 * std::sin(double(x[i * 16]) * x[i * 16 + 1]);
    rs += r, rss += r * r, ys += y[i], yss += y[i] * y[i];
  }
  CHECK(std::fabs(rs / n) < 4 * 0.1 / std::sqrt(n));
  CHECK(std::sqrt(rss / n) == doctest::Approx(0.1).epsilon(0.03));
  CHECK(xs / (16 * n) == doctest::Approx(0).epsilon(4 / std::sqrt(16.0 * n)));
  CHECK(xss / (16 * n) == doctest::Approx(1).epsilon(0.02));
  // E[y] = 0 (sin(x0 x1) is odd in x0); Var[y] = |w|^2 + 0.25 E[sin^2(x0 x1)] + 0.01.
  const double sd_y = std::sqrt(yss / n);
  CHECK(std::fabs(ys / n) < 4 * sd_y / std::sqrt(n));
  CHECK(yss / n > ww * 0.95);
  CHECK(yss / n < (ww + 0.25 + 0.01) * 1.05);

  // No noise, no non-linearity: y is w.x up to f32 rounding.
  c.data = synthetic_data(7, 100, 50, 16, 0.0, 0.0);
  const ChallengeData lin = load_challenge_data(c, {SplitName::public_split, -1, -1, true}, heap_allocator());
  for (int i = 0; i < 100; ++i) {
    double dot = 0;
    for (int j = 0; j < 16; ++j) dot += w[j] * lin.train.inputs[0].as<float>()[i * 16 + j];
    CHECK(lin.train.targets.as<float>()[i] == doctest::Approx(dot).epsilon(1e-5).scale(1));
  }

  // Split: public + private = the test set, deterministic from the split seed (2522 private, from Python).
  c = synthetic_challenge();
  const ChallengeData pr =
      load_challenge_data(c, {SplitName::private_split, -1, -1, false}, heap_allocator());
  CHECK(pr.eval.source_index.size() == 2522);
  CHECK(a.eval.source_index.size() + pr.eval.source_index.size() == 5000);
  for (int64_t i : pr.eval.source_index) CHECK(is_private_sample(c.split, i));
  CHECK(pr.train.inputs.empty());

  // Limits take the first samples, identical to the full load's ones.
  const ChallengeData lim = load_challenge_data(c, {SplitName::public_split, 7, 300, true}, heap_allocator());
  CHECK(lim.train.inputs[0].shape == std::vector<int64_t>{300, 16});
  CHECK(lim.eval.inputs[0].shape == std::vector<int64_t>{7, 16});
  CHECK(std::memcmp(lim.train.inputs[0].raw(), a.train.inputs[0].raw(), lim.train.inputs[0].bytes()) == 0);
  CHECK(std::memcmp(lim.eval.inputs[0].raw(), a.eval.inputs[0].raw(), lim.eval.inputs[0].bytes()) == 0);
  CHECK(std::memcmp(lim.eval.targets.raw(), a.eval.targets.raw(), lim.eval.targets.bytes()) == 0);

  // Preprocessing applies to features (not targets): (2x - 1) / 4.
  set_preprocess(c, Preprocess{2.0, 1.0, 4.0, Layout::nchw});
  const ChallengeData pp = load_challenge_data(c, {SplitName::public_split, 7, 300, true}, heap_allocator());
  for (int k = 0; k < 300 * 16; k += 37)
    CHECK(pp.train.inputs[0].as<float>()[k] ==
          doctest::Approx((2.0 * lim.train.inputs[0].as<float>()[k] - 1.0) / 4.0).epsilon(1e-6).scale(1));
  for (int k = 0; k < 7 * 16; ++k)
    CHECK(pp.eval.inputs[0].as<float>()[k] ==
          doctest::Approx((2.0 * lim.eval.inputs[0].as<float>()[k] - 1.0) / 4.0).epsilon(1e-6).scale(1));
  CHECK(std::memcmp(pp.eval.targets.raw(), lim.eval.targets.raw(), lim.eval.targets.bytes()) == 0);

  // A mismatching interface is a DataError.
  c.inputs[0].shape = {-1, 15};
  CHECK_THROWS_WITH_AS(
      load_challenge_data(c, {}, heap_allocator()),
      doctest::Contains("synthetic_regression: holds 16 values per sample [5000, 16] but input 'features' is "
                        "[batch, 15] (15 values per sample)"),
      DataError);
}

// Not run by default: `test_unit.data -tc='*timing*' --no-skip`.
TEST_CASE("timing: fashion-mnist full load" * doctest::skip()) {
  const Challenge c = fashion_challenge();
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto d = load_challenge_data(c, {SplitName::public_split, -1, -1, true}, heap_allocator());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  MESSAGE("load_challenge_data fashion-mnist train+test: median " << ms[2] << " ms (min " << ms[0] << ", max "
                                                                  << ms[4] << ")");
}
