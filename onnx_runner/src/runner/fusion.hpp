// Which steps of an analysis become one oneDNN primitive: a convolution with the batch
// normalization after it folded into its weights, a zero Pad before it folded into its
// padding, and an Add and activations after it as post-ops; a Gemm or MatMul with an Add and
// activations; a binary op with activations; an average pool with the zero Pad before it.
// A value is only fused away when the fused op is its only reader and it is no graph output.
#pragma once

#include "onnx_model/analysis.hpp"

#include <set>
#include <string>
#include <vector>

namespace gauntlet::onnx_runner {

struct PostOp {
  bool add = false;     // binary add of `operand`, else the activation
  std::string operand;  // add: the other input (defined before the fused op runs)
  onnx_model::EltwiseAttrs activation;
};

struct Fusion {
  const onnx_model::Step* batch_norm = nullptr;  // conv: folded into its weights and bias
  const onnx_model::Step* pad = nullptr;         // conv, average pool: a zero Pad folded in
  std::vector<PostOp> post;
  std::string output;  // what the fused primitive writes: the last absorbed step's output
};

struct FusionPlan {
  std::vector<bool> absorbed;  // by step index: runs as part of another step
  std::vector<Fusion> fused;   // by step index
};

FusionPlan plan_fusion(const onnx_model::Analysis& analysis, const std::set<std::string>& graph_outputs);

}  // namespace gauntlet::onnx_runner
