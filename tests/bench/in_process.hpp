// A plugin loaded into the benchmark process itself: dlopen, the entry point, and calls through
// its function table, with no worker and no sandbox. The floor under every judged figure, and
// the reference the judge's timing is compared with. Not the judge: team code never runs in
// the judge's process.
#pragma once

#include <gauntlet/plugin_api.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::bench {

using ConfigList = std::vector<std::pair<std::string, std::string>>;

// A compact row-major f32 or s32 tensor descriptor over memory the caller owns.
class TensorArg {
 public:
  TensorArg(std::string name, bool f32, std::vector<int64_t> sample_shape, bool read_only);
  TensorArg(const TensorArg&) = delete;
  TensorArg& operator=(const TensorArg&) = delete;

  // Samples [first, first + batch) of `base` (samples of sample_bytes() each).
  gauntlet_tensor& view(void* base, int64_t first, int64_t batch);
  std::size_t sample_bytes() const { return sample_bytes_; }

 private:
  std::string name_;
  std::vector<int64_t> shape_, strides_;
  std::size_t sample_bytes_ = 0;
  gauntlet_tensor t_{};
};

class InProcessPlugin {
 public:
  // Throws std::runtime_error when loading or create() fails.
  InProcessPlugin(const std::string& path, const ConfigList& config, const std::string& asset_dir = {},
                  uint32_t threads = 1);
  ~InProcessPlugin();
  InProcessPlugin(const InProcessPlugin&) = delete;
  InProcessPlugin& operator=(const InProcessPlugin&) = delete;

  // One f32 input and one f32 output, shapes without the batch dimension.
  void prepare(const std::string& in_name, const std::vector<int64_t>& in_sample, const std::string& out_name,
               const std::vector<int64_t>& out_sample, const std::vector<int64_t>& batch_sizes);
  void train(const gauntlet_tensor& inputs, const gauntlet_tensor& targets);

  // The hot path, as the worker makes it: one call through the table.
  gauntlet_status infer(const gauntlet_tensor& input, gauntlet_tensor& output, int64_t batch) {
    args_.inputs = &input;
    args_.outputs = &output;
    args_.batch_size = batch;
    return api_->infer(instance_, &args_);
  }
  std::string last_error() const;
  // Seconds spent in create() and prepare() (the plugin's own setup calls).
  double setup_seconds() const { return setup_seconds_; }

 private:
  void check(gauntlet_status status, const char* call) const;

  void* handle_ = nullptr;
  const gauntlet_plugin_api* api_ = nullptr;
  gauntlet_instance* instance_ = nullptr;
  gauntlet_infer_args args_{};
  double setup_seconds_ = 0;
};

}  // namespace gauntlet::bench
