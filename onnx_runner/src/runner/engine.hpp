// A model ready to run: checked by the ONNX library, then planned once per set of input shapes
// (one plan per batch size the judge announces), and run with whatever buffers a call brings.
// No Gauntlet type appears here: the plugin (plugin.cpp) and the conformance tests drive it.
#pragma once

#include "onnx_model/analysis.hpp"
#include "onnx_model/model.hpp"
#include "runner/constants.hpp"
#include "runner/plan.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gauntlet::onnx_runner {

// A caller's tensor: f32 data, its shape and strides in elements (any non-negative strides).
struct Buffer {
  void* data = nullptr;
  onnx_model::Shape shape, strides;
};

class Engine {
 public:
  // Checks the operators and runs the ONNX checker and shape inference. Throws ModelError.
  explicit Engine(onnx_model::Model model);

  const onnx_model::Model& model() const { return model_; }

  // Plans the model for these shapes of its inputs (every input named). `outputs` names the
  // graph outputs run() writes, in that order. Returns their shapes. Throws ModelError.
  std::vector<onnx_model::Shape> plan(int64_t key,
                                      const std::map<std::string, onnx_model::Shape>& input_shapes,
                                      const std::vector<std::string>& outputs);
  bool has_plan(int64_t key) const { return plans_.count(key) > 0; }
  const Plan& plan_of(int64_t key) const { return *plans_.at(key).plan; }

  // Runs plan `key`: inputs in the model's input order, outputs in plan()'s order, with the
  // planned shapes. Inputs are only read.
  void run(int64_t key, const std::vector<Buffer>& inputs, const std::vector<Buffer>& outputs);

 private:
  struct Staging {  // a tensor that comes with other strides than compact: copied through here
    std::vector<float> buffer;
    onnx_model::Shape strides;
    dnnl::reorder reorder;
  };
  struct Planned {
    std::unique_ptr<Plan> plan;
    std::vector<onnx_model::Shape> inputs, outputs;
    std::map<std::pair<bool, std::size_t>, Staging> staging;  // (is output, index)
  };
  const void* staged_input(Planned& p, std::size_t i, const Buffer& b);
  void* staged_output(Planned& p, std::size_t i, const Buffer& b, bool& copy_back);

  onnx_model::Model model_;
  std::map<std::string, onnx_model::Shape> inferred_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  ConstantStore constants_;
  std::map<int64_t, Planned> plans_;
};

}  // namespace gauntlet::onnx_runner
