#include "onnx_model/operators.hpp"

#include "onnx_model/text.hpp"

#include <onnx/defs/schema.h>

#include <algorithm>

namespace gauntlet::onnx_model {

const std::vector<OperatorInfo>& supported_operators() {
  // Sorted by name. "Folded": evaluated in prepare() on values known then (shapes, constants);
  // on a value computed at run time it is refused.
  static const std::vector<OperatorInfo> table = {
      {"Add", "oneDNN binary (broadcasting), or fused into the Conv/Gemm/MatMul before it", 0},
      {"AveragePool", "oneDNN pooling (a zero Pad before it is folded into its padding)", 0},
      {"BatchNormalization", "folded into the Conv before it, else oneDNN batch normalization", 0b11110},
      {"Cast", "folded; float32 to float32 at run time", 0},
      {"Clip", "oneDNN eltwise clip, fused into the op before it where possible", 0b110},
      {"Concat", "oneDNN concat", 0},
      {"Constant", "a constant", 0},
      {"Conv", "oneDNN convolution with bias, fused with a following Add and activation", 0b110},
      {"Div", "oneDNN binary (broadcasting)", 0},
      {"Dropout", "nothing (inference)", 0b110},
      {"Flatten", "nothing: a new shape over the same memory", 0},
      {"Gather", "folded (the dynamic-batch shape chain)", 0b11},
      {"Gemm", "oneDNN matmul, with bias and a following activation fused", 0},
      {"GlobalAveragePool", "oneDNN pooling", 0},
      {"GlobalMaxPool", "oneDNN pooling", 0},
      {"Identity", "nothing", 0},
      {"LeakyRelu", "oneDNN eltwise, fused into the op before it where possible", 0},
      {"LogSoftmax", "oneDNN logsoftmax", 0},
      {"MatMul", "oneDNN matmul (2-D and batched, broadcasting)", 0},
      {"MaxPool", "oneDNN pooling", 0},
      {"Mul", "oneDNN binary (broadcasting)", 0},
      {"Pad", "constant mode: nothing when the pads are zero, else a fill and a copy", 0b1110},
      {"Relu", "oneDNN eltwise, fused into the op before it where possible", 0},
      {"Reshape", "nothing: a new shape over the same memory (its shape folded in prepare())", 0b10},
      {"Shape", "folded", 0},
      {"Sigmoid", "oneDNN eltwise, fused into the op before it where possible", 0},
      {"Softmax", "oneDNN softmax", 0},
      {"Squeeze", "nothing: a new shape over the same memory", 0b10},
      {"Sub", "oneDNN binary (broadcasting)", 0},
      {"Tanh", "oneDNN eltwise, fused into the op before it where possible", 0},
      {"Transpose", "oneDNN reorder", 0},
      {"Unsqueeze", "nothing: a new shape over the same memory", 0b10},
  };
  return table;
}

const OperatorInfo* find_operator(const std::string& domain, const std::string& op) {
  if (!domain.empty()) return nullptr;
  const auto& table = supported_operators();
  const auto it =
      std::find_if(table.begin(), table.end(), [&](const OperatorInfo& o) { return o.name == op; });
  return it == table.end() ? nullptr : &*it;
}

std::string supported_list() {
  std::string out;
  for (const auto& o : supported_operators()) {
    if (!out.empty()) out += ", ";
    out += o.name;
  }
  return out;
}

bool requires_constant(const std::string& op, std::size_t index) {
  const OperatorInfo* info = find_operator("", op);
  return info && index < 32 && ((info->constant_inputs >> index) & 1u);
}

std::optional<std::string> unsupported(const Node& node, int64_t opset) {
  const std::string op = node.domain.empty() ? node.op : node.domain + "." + node.op;
  if (!find_operator(node.domain, node.op))
    return cat("unsupported ONNX operator ", quoted(op), " (node ", quoted(node.name), ", opset ", opset,
               "); supported: ", supported_list());
  if (opset >= kMinOpset) return std::nullopt;
  // An older opset is fine where the operator's definition has not changed since: the one in
  // force at the model's opset is the one in force at kMinOpset (ONNX's schema registry says).
  const auto* old = onnx::OpSchemaRegistry::Schema(node.op, static_cast<int>(opset));
  const auto* now = onnx::OpSchemaRegistry::Schema(node.op, kMinOpset);
  if (old && now && old->SinceVersion() == now->SinceVersion()) return std::nullopt;
  return cat("unsupported ONNX operator version: ", quoted(op), " (node ", quoted(node.name), ", opset ",
             opset, ") follows ",
             old ? cat("its opset-", old->SinceVersion(), " definition") : std::string("no definition"),
             ", older than the runner implements (opsets ", kMinOpset, " to ", kMaxOpset,
             "): export with opset_version=14");
}

void check_supported(const Model& model) {
  if (model.opset < 1 || model.opset > kMaxOpset)
    throw ModelError(cat("unsupported ONNX opset ", model.opset,
                         " (ai.onnx); the runner supports opsets up to ", kMaxOpset,
                         " (those of ONNX 1.12): export with opset_version=14"));
  for (const Node& n : model.nodes)
    if (auto why = unsupported(n, model.opset)) throw ModelError(*why);
}

}  // namespace gauntlet::onnx_model
