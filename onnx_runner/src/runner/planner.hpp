// Lowers an analysis (one set of input shapes) to a Plan of oneDNN primitives: memory formats
// chosen by oneDNN where it has a choice (format_tag::any for convolutions and weights), reorders
// only where a primitive wants another layout than its input has, fused steps as post-ops,
// scratch tensors in one arena by lifetime, and the outputs written in place when their layout
// allows. Every oneDNN failure becomes a ModelError naming the node.
#pragma once

#include "onnx_model/analysis.hpp"
#include "runner/constants.hpp"
#include "runner/fusion.hpp"
#include "runner/plan.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gauntlet::onnx_runner {

using dnnl_dims = dnnl::memory::dims;

// Compact row-major f32 descriptor (a rank-0 shape is described as [1]).
dnnl::memory::desc plain_desc(const onnx_model::Shape& shape);

class Planner {
 public:
  // `inputs` and `outputs`: the graph's input and output names in the order run() takes them.
  Planner(const onnx_model::Analysis& analysis, const dnnl::engine& engine, ConstantStore& constants,
          std::vector<std::string> inputs, std::vector<std::string> outputs);
  std::unique_ptr<Plan> build();

  // A tensor of the plan: its layout, and the slot holding its bytes.
  struct Tensor {
    dnnl::memory::desc md;
    int slot = -1;
  };

 private:
  // Steps, by kind (lower_*.cpp).
  void lower(std::size_t k);
  void lower_conv(const onnx_model::Step& s, const Fusion& f);
  void lower_pool(const onnx_model::Step& s, const Fusion& f);
  void lower_batch_norm(const onnx_model::Step& s);
  void lower_gemm(const onnx_model::Step& s, const Fusion& f);
  void lower_matmul(const onnx_model::Step& s, const Fusion& f);
  void lower_binary(const onnx_model::Step& s, const Fusion& f);
  void lower_eltwise(const onnx_model::Step& s);
  void lower_softmax(const onnx_model::Step& s);
  void lower_reshape(const onnx_model::Step& s);
  void lower_transpose(const onnx_model::Step& s);
  void lower_concat(const onnx_model::Step& s);
  void lower_pad(const onnx_model::Step& s);
  void bind_output(std::size_t index, const std::string& name);

  // Tensors.
  Tensor value(const std::string& name);  // a run-time value, or a constant as a plain tensor
  const onnx_model::Shape& shape(const std::string& name) const { return analysis_.at(name).shape; }
  const onnx_model::Constant& constant(const std::string& name) const;
  Tensor new_tensor(const dnnl::memory::desc& md);
  Tensor owned_tensor(const dnnl::memory::desc& md, float fill);
  Tensor constant_tensor(const std::string& key, std::shared_ptr<void> data, const dnnl::memory::desc& md);
  Tensor reorder_to(const Tensor& t, const dnnl::memory::desc& md);
  Tensor plain(const Tensor& t);
  // The same bytes under new dims; `t` must be plain.
  Tensor alias(const Tensor& t, const onnx_model::Shape& shape);
  // Weights reordered once into the layout a primitive chose (shared by the plans).
  Tensor weights(const std::string& key, std::shared_ptr<void> data, const dnnl::memory::desc& source,
                 const dnnl::memory::desc& wanted);
  // Appends the post-ops of a fused chain to `ops`, and the binary operands' arguments to `args`.
  void append_post_ops(dnnl::post_ops& ops, const std::vector<PostOp>& post, const dnnl::memory::desc& dst,
                       std::vector<std::pair<int, Tensor>>& args);
  void add(const dnnl::primitive& p, const std::vector<std::pair<int, Tensor>>& args);

  const onnx_model::Analysis& analysis_;
  const dnnl::engine& engine_;
  ConstantStore& constants_;
  std::vector<std::string> inputs_, outputs_;
  FusionPlan fusion_;

  std::map<std::string, Tensor> tensors_;
  std::map<std::string, int> constant_slots_;
  std::vector<Slot> slots_;
  std::vector<Plan::Memory> memories_;
  std::vector<Plan::Step> steps_;
  std::vector<std::shared_ptr<void>> keep_;
};

}  // namespace gauntlet::onnx_runner
