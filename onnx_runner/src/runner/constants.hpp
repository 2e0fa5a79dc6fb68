// The model's constant data as the plans use it, made once and shared by every plan (one per
// batch size): float32 copies of initializers, derived weights (batch normalization folded into
// a convolution), and weights reordered into the layout a primitive chose.
#pragma once

#include "onnx_model/tensor.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::onnx_runner {

class ConstantStore {
 public:
  explicit ConstantStore(const dnnl::engine& engine) : engine_(engine), stream_(engine) {}

  // float32 data of a constant (a ModelError for an integer one: run-time tensors are f32).
  std::shared_ptr<void> floats(const std::string& name, const onnx_model::Constant& c);
  // A buffer computed once per key.
  std::shared_ptr<void> derived(const std::string& key, const std::function<std::vector<float>()>& make);
  // `data`, laid out as `source`, reordered into `wanted`: once per (key, wanted).
  std::shared_ptr<void> reordered(const std::string& key, const std::shared_ptr<void>& data,
                                  const dnnl::memory::desc& source, const dnnl::memory::desc& wanted);

 private:
  static std::shared_ptr<void> hold(std::vector<float> v);

  dnnl::engine engine_;
  dnnl::stream stream_;
  std::map<std::string, std::shared_ptr<void>> buffers_;
  std::map<std::string, std::vector<std::pair<dnnl::memory::desc, std::shared_ptr<void>>>> reordered_;
};

}  // namespace gauntlet::onnx_runner
