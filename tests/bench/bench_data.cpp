// 7. Organizers' data (issue 12): how fast the readers turn files into tensors, against the
// machine's own limits measured in the same run.
//  a. a numeric CSV table (200,000 rows x 21 columns, ~30 MB) read by the csv source, in MB/s of
//     text, and the memory it peaks at against the tensors it makes (VmHWM, reset first);
//  b. NPY (64 MiB of f32) and IDX (64 MiB of u8) loads against reading the same file into memory
//     (both from the page cache), and the real gzip'd Fashion-MNIST training images for context;
//  c. decoding the digits-images PNG folder (1797 files, all cores) in images per second.
#include "bench.hpp"
#include "challenge/challenge_loader.hpp"
#include "formats/idx.hpp"
#include "formats/npy.hpp"
#include "timed_loop.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>

namespace gauntlet::bench {
namespace {

constexpr int64_t kRows = 200'000, kFeatures = 20;

std::string csv_challenge() {
  const std::string dir = work_dir() + "/csv";
  std::filesystem::create_directories(dir);
  const std::string table = dir + "/table.csv";
  if (!std::filesystem::exists(table)) {
    std::ofstream out(table);
    out << "f0";
    for (int j = 1; j < kFeatures; ++j) out << ",f" << j;
    out << ",y\n";
    std::mt19937_64 rng(1);
    std::normal_distribution<float> normal;
    char buf[32];
    for (int64_t i = 0; i < kRows; ++i) {
      for (int j = 0; j < kFeatures; ++j) {
        std::snprintf(buf, sizeof buf, "%.6g,", normal(rng));
        out << buf;
      }
      out << normal(rng) << "\n";
    }
  }
  std::ofstream(dir + "/challenge.yaml")
      << "schema: 2\nid: bench-csv\ntask: regression\ndata:\n  source: csv\n  train: table.csv\n  test: "
         "table.csv\n"
         "  columns: {x: {from: f0, to: f19}, y: y}\ninterface:\n  inputs: [{name: x, shape: [batch, 20]}]\n"
         "  outputs: [{name: p, shape: [batch, 1]}]\n  target: {name: y, shape: [batch, 1]}\n"
         "timing: {batch_sizes: [1]}\nmetrics: [mse]\nscore: {formula: mse}\n";
  return dir;
}

int64_t status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stoll(line.substr(std::strlen(field)));
  return 0;
}

void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

void BM_csv(benchmark::State& state) {
  const Challenge c = load_challenge(csv_challenge());
  const std::vector<formats::TensorWant> want = {{"x", DType::f32, {20}, false, true},
                                                 {"y", DType::f32, {1}, true, true}};
  const double bytes = static_cast<double>(std::filesystem::file_size(work_dir() + "/csv/table.csv"));
  double peak_ratio = 0;
  auto ns = timed_loop(state, [&] {
    reset_peak();
    const int64_t before = status_kib("VmRSS:");
    const formats::Table t = c.data.config->read("test", want);
    const int64_t peak = status_kib("VmHWM:") - before;
    double tensors = 0;
    for (const HostTensor& x : t.tensors) tensors += static_cast<double>(x.bytes());
    peak_ratio = static_cast<double>(peak) * 1024 / tensors;
    return -1.0;
  });
  set_value("data.csv.mbps", bytes / stats(ns).p50 * 1e3);
  set_value("data.csv.spread", (stats(ns).p90 - stats(ns).p10) / stats(ns).p50);
  set_value("data.csv.peak_ratio", peak_ratio);
  state.counters["MB/s"] = bytes / stats(ns).p50 * 1e3;
}

// `n` timings of f, in nanoseconds.
template <class F>
std::vector<double> repeat(int n, F&& f) {
  std::vector<double> ns;
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    f();
    ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
  }
  return ns;
}

// read() of the whole file into fresh memory (as a loaded tensor is): the machine's limit.
std::vector<double> file_read(const std::string& file) {
  const auto size = std::filesystem::file_size(file);
  return repeat(7, [&] {
    std::unique_ptr<char[]> buffer(new char[size]);
    const int fd = ::open(file.c_str(), O_RDONLY);
    std::size_t got = 0;
    while (got < size) {
      const ssize_t n = ::read(fd, buffer.get() + got, size - got);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    benchmark::DoNotOptimize(buffer.get());
  });
}

void BM_npy_idx(benchmark::State& state) {
  const std::string npy = work_dir() + "/f32.npy", idx = work_dir() + "/u8.idx";
  HostTensor t = HostTensor::allocate(DType::f32, {16384, 1024});
  for (int64_t i = 0; i < t.numel(); ++i) t.as<float>()[i] = static_cast<float>(i % 977);
  formats::write_npy(npy, t);
  {
    std::ofstream out(idx, std::ios::binary);
    const unsigned char head[12] = {0, 0, 8, 2, 0, 1, 0, 0, 0, 0, 4, 0};  // [65536, 1024] u8
    out.write(reinterpret_cast<const char*>(head), 12);
    std::vector<char> row(1024, 7);
    for (int i = 0; i < 65536; ++i) out.write(row.data(), 1024);
  }
  Stats npy_read, idx_read, npy_load, idx_load, gz;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    npy_read = stats(file_read(npy));
    idx_read = stats(file_read(idx));
    npy_load = stats(repeat(7, [&] { benchmark::DoNotOptimize(formats::read_npy(npy).raw()); }));
    idx_load = stats(repeat(7, [&] { benchmark::DoNotOptimize(formats::read_idx(idx).raw()); }));
    gz = stats(repeat(3, [&] {
      benchmark::DoNotOptimize(
          formats::read_idx("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").raw());
    }));
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  set_value("data.npy.ratio", npy_load.p50 / npy_read.p50);
  set_value("data.npy.ms", npy_load.p50 / 1e6);
  set_value("data.npy.read_ms", npy_read.p50 / 1e6);
  set_value("data.idx.ratio", idx_load.p50 / idx_read.p50);
  set_value("data.idx.ms", idx_load.p50 / 1e6);
  set_value("data.idx.read_ms", idx_read.p50 / 1e6);
  set_value("data.idx_gz.ms", gz.p50 / 1e6);
  std::filesystem::remove(npy);
  std::filesystem::remove(idx);
}

void BM_images(benchmark::State& state) {
  const Challenge c = load_challenge(source_path("challenges/digits-images"));
  const std::vector<formats::TensorWant> want = {{"image", DType::f32, {1, 8, 8}, false, true},
                                                 {"digit", DType::s32, {}, true, true}};
  int64_t images = 0;
  auto ns = timed_loop(state, [&] {
    images = c.data.config->read("all", want).samples();
    return -1.0;
  });
  set_value("data.images_per_s", static_cast<double>(images) / stats(ns).p50 * 1e9);
  set_value("data.images.spread", (stats(ns).p90 - stats(ns).p10) / stats(ns).p50);
}

void rows() {
  if (const auto mbps = value("data.csv.mbps")) {
    const auto memcpy_gbps = value("limit.memcpy_dram_gbps");
    add_row({"7a. numeric CSV to tensors (30 MB, 200k x 21)",
             fmt(*mbps) + " MB/s (spread " + fmt(*value("data.csv.spread"), 2) + ")", ">= 100 MB/s",
             yes_no(*mbps >= 100), memcpy_gbps ? fmt(*memcpy_gbps * 1e3) + " MB/s memcpy" : "-",
             memcpy_gbps ? ratio(*mbps / (*memcpy_gbps * 1e3)) : "-"});
    add_row({"7a. CSV peak memory / resulting tensors", ratio(*value("data.csv.peak_ratio")), "<= 1.5x",
             yes_no(*value("data.csv.peak_ratio") <= 1.5), "-", ""});
  }
  if (const auto npy = value("data.npy.ratio")) {
    add_row({"7b. NPY load, 64 MiB f32", fmt(*value("data.npy.ms")) + " ms", "<= 2x file read",
             yes_no(*npy <= 2), fmt(*value("data.npy.read_ms")) + " ms read()", ratio(*npy)});
    add_row({"7b. IDX load, 64 MiB u8", fmt(*value("data.idx.ms")) + " ms", "<= 2x file read",
             yes_no(*value("data.idx.ratio") <= 2), fmt(*value("data.idx.read_ms")) + " ms read()",
             ratio(*value("data.idx.ratio"))});
    add_row({"7b. IDX load, Fashion-MNIST train images (.gz, 47 MB)", fmt(*value("data.idx_gz.ms")) + " ms",
             "-", "", "-", ""});
  }
  if (const auto ips = value("data.images_per_s"))
    add_row({"7c. PNG decode, digits-images folder (1797 files, all cores)",
             fmt(*ips) + " images/s (spread " + fmt(*value("data.images.spread"), 2) + ")", "-", "", "-",
             ""});
}

}  // namespace

void register_data() {
  register_manual("data/csv_numeric", BM_csv, 5, benchmark::kMillisecond);
  register_manual("data/npy_idx_vs_read", BM_npy_idx, 1, benchmark::kMillisecond);
  register_manual("data/png_folder", BM_images, 5, benchmark::kMillisecond);
  on_summary(rows);
}

}  // namespace gauntlet::bench
