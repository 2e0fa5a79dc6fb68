// What prepare() knows about a model once the input shapes are fixed (one batch size): the
// shape of every value, the values known without data (initializers, Constants, and what folds
// from them and from shapes: PyTorch's Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain of
// a dynamic batch), and the steps left to compute at run time, each with its attributes read
// and checked. Pure C++ over the parsed model: the oneDNN planner (runner/) lowers the steps,
// `gauntlet inspect` shows the shapes, and the model fuzzer runs it on hostile models.
#pragma once

#include "onnx_model/model.hpp"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace gauntlet::onnx_model {

// Convolution and pooling geometry over the spatial dimensions (ONNX's auto_pad resolved).
struct Window {
  Shape kernel, strides, dilations;  // dilations as ONNX counts them: 1 = dense
  Shape pad_begin, pad_end;          // pad_end includes what ceil_mode adds
};

struct ConvAttrs {
  Window window;
  int64_t group = 1;
};
struct PoolAttrs {
  Window window;
  bool max = true;
  bool count_include_pad = false;  // AveragePool
};
struct GemmAttrs {
  float alpha = 1, beta = 1;
  bool trans_a = false, trans_b = false;
};
enum class Binary { add, sub, mul, div };
enum class Activation { relu, leaky_relu, sigmoid, tanh, clip };
struct EltwiseAttrs {
  Activation kind = Activation::relu;
  float alpha = 0, beta = 0;  // LeakyRelu: alpha; Clip: [alpha, beta]
};
struct SoftmaxAttrs {
  int64_t axis = -1;  // non-negative once read
  bool log = false;
  bool flatten = false;  // opset < 13: over all dimensions from `axis` on
};
struct BatchNormAttrs {
  float epsilon = 1e-5f;
};
struct TransposeAttrs {
  Shape perm;
};
struct ConcatAttrs {
  int64_t axis = 0;  // non-negative once read
};
struct PadAttrs {
  Shape begin, end;
  float value = 0;
};

enum class StepKind {
  conv,        // inputs: X, W, B?
  pool,        // X
  batch_norm,  // X, scale, bias, mean, var
  gemm,        // A, B, C?
  matmul,      // A, B
  binary,      // A, B
  eltwise,     // X
  softmax,     // X
  reshape,     // X: the same elements in a new shape (Flatten, Reshape, Squeeze, Identity, ...)
  transpose,   // X
  concat,      // X...
  pad,         // X
};

using StepAttrs = std::variant<std::monostate, ConvAttrs, PoolAttrs, GemmAttrs, Binary, EltwiseAttrs,
                               SoftmaxAttrs, BatchNormAttrs, TransposeAttrs, ConcatAttrs, PadAttrs>;

struct Step {
  const Node* node = nullptr;
  StepKind kind = StepKind::reshape;
  StepAttrs attrs;
  std::vector<std::string> inputs;  // the data inputs it reads, omitted optional ones as ""
  std::string output;
};

struct ValueInfo {
  Shape shape;
  ElemType type = ElemType::f32;
  std::optional<Constant> constant;  // known in prepare()
};

struct Analysis {
  std::map<std::string, ValueInfo> values;
  std::vector<Step> steps;  // what runs at run time, in an order that respects dependencies
  const ValueInfo& at(const std::string& name) const { return values.at(name); }
};

// Runs the shapes of `input_shapes` (every graph input, float32) through the model. Throws
// ModelError, naming the node, for anything the runner cannot run: an unsupported operator or
// attribute, inconsistent shapes, a tensor over kMaxTensorBytes, a value that must be known in
// prepare() but is computed at run time.
Analysis analyze(const Model& model, const std::map<std::string, Shape>& input_shapes);

}  // namespace gauntlet::onnx_model
