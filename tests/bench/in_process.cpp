#include "in_process.hpp"

#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace gauntlet::bench {
namespace {

// Plugin log lines are dropped (dnnl_mlp logs each training epoch), errors excepted.
void host_log(const gauntlet_host_api*, int32_t level, const char* message) {
  if (level >= GAUNTLET_LOG_ERROR && message) std::fprintf(stderr, "[plugin] %s\n", message);
}
int32_t host_should_cancel(const gauntlet_host_api*) { return 0; }

const gauntlet_host_api kHost = {sizeof(gauntlet_host_api),
                                 GAUNTLET_ABI_MAJOR,
                                 GAUNTLET_ABI_MINOR,
                                 0,
                                 "gauntlet benchmark (in-process)",
                                 nullptr,
                                 host_log,
                                 host_should_cancel};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TensorArg::TensorArg(std::string name, bool f32, std::vector<int64_t> sample_shape, bool read_only)
    : name_(std::move(name)) {
  shape_.push_back(0);
  shape_.insert(shape_.end(), sample_shape.begin(), sample_shape.end());
  strides_.assign(shape_.size(), 1);
  for (std::size_t d = shape_.size() - 1; d > 0; --d) strides_[d - 1] = strides_[d] * shape_[d];
  sample_bytes_ = 4 * static_cast<std::size_t>(strides_[0]);
  t_.device = {GAUNTLET_DEVICE_CPU, 0};
  t_.ndim = static_cast<int32_t>(shape_.size());
  t_.dtype = {static_cast<uint8_t>(f32 ? GAUNTLET_DTYPE_FLOAT : GAUNTLET_DTYPE_INT), 32, 1};
  t_.shape = shape_.data();
  t_.strides = strides_.data();
  t_.flags = GAUNTLET_TENSOR_CONTIGUOUS | (read_only ? GAUNTLET_TENSOR_READ_ONLY : 0u);
  t_.name = name_.c_str();
}

gauntlet_tensor& TensorArg::view(void* base, int64_t first, int64_t batch) {
  shape_[0] = batch;
  t_.data = static_cast<std::byte*>(base) + static_cast<std::size_t>(first) * sample_bytes_;
  return t_;
}

InProcessPlugin::InProcessPlugin(const std::string& path, const ConfigList& config,
                                 const std::string& asset_dir, uint32_t threads) {
  const auto t0 = std::chrono::steady_clock::now();
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
  auto entry = reinterpret_cast<gauntlet_plugin_entry_fn>(::dlsym(handle_, "gauntlet_plugin_entry"));
  if (!entry) throw std::runtime_error(path + ": no gauntlet_plugin_entry");
  api_ = entry(GAUNTLET_ABI_MAJOR, GAUNTLET_ABI_MINOR, &kHost);
  if (!api_) throw std::runtime_error(path + ": the entry point refused this host");
  std::vector<gauntlet_config_entry> entries;
  for (const auto& [k, v] : config) entries.push_back({k.c_str(), v.c_str()});
  gauntlet_create_args args{};
  args.struct_size = sizeof args;
  args.num_threads = threads;
  args.challenge_id = "benchmark";
  args.asset_dir = asset_dir.empty() ? nullptr : asset_dir.c_str();
  args.config = entries.data();
  args.num_config = static_cast<uint32_t>(entries.size());
  args.seed = 1;
  check(api_->create(&args, &instance_), "create()");
  args_.struct_size = sizeof args_;
  args_.num_inputs = 1;
  args_.num_outputs = 1;
  setup_seconds_ = seconds_since(t0);
}

InProcessPlugin::~InProcessPlugin() {
  if (instance_) api_->destroy(instance_);
  // The library stays loaded: oneDNN and OpenMP do not like being unloaded mid-process.
}

void InProcessPlugin::check(gauntlet_status status, const char* call) const {
  if (status != GAUNTLET_OK) throw std::runtime_error(std::string(call) + " failed: " + last_error());
}

std::string InProcessPlugin::last_error() const {
  const char* text = api_->last_error(instance_);
  return text ? text : "";
}

void InProcessPlugin::prepare(const std::string& in_name, const std::vector<int64_t>& in_sample,
                              const std::string& out_name, const std::vector<int64_t>& out_sample,
                              const std::vector<int64_t>& batch_sizes) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int64_t> in_shape{-1}, out_shape{-1};
  in_shape.insert(in_shape.end(), in_sample.begin(), in_sample.end());
  out_shape.insert(out_shape.end(), out_sample.begin(), out_sample.end());
  const gauntlet_dtype f32{GAUNTLET_DTYPE_FLOAT, 32, 1};
  gauntlet_tensor_spec in{sizeof(gauntlet_tensor_spec), static_cast<int32_t>(in_shape.size()), f32,
                          in_name.c_str(), in_shape.data()};
  gauntlet_tensor_spec out{sizeof(gauntlet_tensor_spec), static_cast<int32_t>(out_shape.size()), f32,
                           out_name.c_str(), out_shape.data()};
  gauntlet_prepare_args args{};
  args.struct_size = sizeof args;
  args.num_inputs = 1;
  args.inputs = &in;
  args.num_outputs = 1;
  args.outputs = &out;
  args.num_batch_sizes = static_cast<uint32_t>(batch_sizes.size());
  args.batch_sizes = batch_sizes.data();
  check(api_->prepare(instance_, &args), "prepare()");
  setup_seconds_ += seconds_since(t0);
}

void InProcessPlugin::train(const gauntlet_tensor& inputs, const gauntlet_tensor& targets) {
  if (!api_->train) throw std::runtime_error("the plugin has no train()");
  gauntlet_train_args args{};
  args.struct_size = sizeof args;
  args.num_inputs = 1;
  args.inputs = &inputs;
  args.num_targets = 1;
  args.targets = &targets;
  args.time_limit_seconds = 0;
  check(api_->train(instance_, &args), "train()");
}

}  // namespace gauntlet::bench
