// Runs a model through the ONNX runner plugin in this process, through its C ABI (no worker,
// no sandbox): the runner's outputs for compare_opencv.py, which checks them against OpenCV's
// DNN module, an executor that shares no code with the runner.
//   run_model <libonnx_runner.so> <model.onnx> <input sample shape, e.g. 1x28x28> <output sample
//             shape, e.g. 10> <batch> <inputs.f32> <outputs.f32>
// inputs.f32 holds whole samples of float32 (a multiple of <batch>); outputs.f32 gets as many.
#include "bench/in_process.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// A private folder, removed with everything in it when the program ends.
struct TempFolder {
  fs::path path;
  TempFolder() {
    char name[] = "/tmp/gauntlet-run-model-XXXXXX";
    if (!::mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
    path = name;
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
};

std::vector<int64_t> parse_shape(const std::string& text) {
  std::vector<int64_t> shape;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, 'x');) shape.push_back(std::stoll(part));
  return shape;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr
        << "usage: run_model <runner.so> <model.onnx> <in shape> <out shape> <batch> <in.f32> <out.f32>\n";
    return 2;
  }
  try {
    // The runner reads model.onnx from its asset folder, as in the judge.
    const TempFolder assets;
    fs::copy_file(argv[2], assets.path / "model.onnx");
    const auto in_shape = parse_shape(argv[3]), out_shape = parse_shape(argv[4]);
    const int64_t batch = std::stoll(argv[5]);
    std::ifstream in(argv[6], std::ios::binary);
    const auto bytes = static_cast<std::size_t>(fs::file_size(argv[6]));
    std::vector<float> x(bytes / sizeof(float));
    in.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(bytes));
    const int64_t samples = static_cast<int64_t>(x.size()) / numel(in_shape);
    if (samples % batch != 0) throw std::runtime_error("the sample count is not a multiple of the batch");

    gauntlet::bench::InProcessPlugin plugin(argv[1], {}, assets.path.string());
    plugin.prepare("image", in_shape, "logits", out_shape, {batch});
    gauntlet::bench::TensorArg input("image", true, in_shape, true), output("logits", true, out_shape, false);
    std::vector<float> y(static_cast<std::size_t>(samples * numel(out_shape)));
    for (int64_t first = 0; first < samples; first += batch) {
      const gauntlet_status status =
          plugin.infer(input.view(x.data(), first, batch), output.view(y.data(), first, batch), batch);
      if (status != GAUNTLET_OK) throw std::runtime_error("infer() failed: " + plugin.last_error());
    }
    std::ofstream out(argv[7], std::ios::binary);
    out.write(reinterpret_cast<const char*>(y.data()),
              static_cast<std::streamsize>(y.size() * sizeof(float)));
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "run_model: " << e.what() << "\n";
    return 1;
  }
}
