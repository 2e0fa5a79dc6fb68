#include "onnx_model/analysis.hpp"

#include "onnx_model/attributes.hpp"
#include "onnx_model/folding.hpp"
#include "onnx_model/operators.hpp"
#include "onnx_model/shape_rules.hpp"
#include "onnx_model/text.hpp"

#include <cfloat>
#include <set>

namespace gauntlet::onnx_model {
namespace {

bool is_binary(const std::string& op) { return op == "Add" || op == "Sub" || op == "Mul" || op == "Div"; }
Binary binary_of(const std::string& op) {
  return op == "Add" ? Binary::add : op == "Sub" ? Binary::sub : op == "Mul" ? Binary::mul : Binary::div;
}
// Operators that only give the same elements a new shape.
bool is_reshape(const std::string& op) {
  return op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" || op == "Identity" ||
         op == "Dropout";
}

class Analyzer {
 public:
  Analyzer(const Model& model, Analysis& out) : model_(model), out_(out) {
    for (const Node& n : model.nodes)
      for (const auto& in : n.inputs) used_.insert(in);
    for (const auto& o : model.outputs) used_.insert(o.name);
  }

  void node(const Node& n) {
    node_ = &n;
    const Attributes a(n);
    check_extra_outputs(a);
    if (fold(a)) return;
    run_time(a);
  }

 private:
  const ValueInfo* input(std::size_t k) const {
    if (k >= node_->inputs.size() || node_->inputs[k].empty()) return nullptr;
    return &out_.values.at(node_->inputs[k]);
  }
  const ValueInfo& required(const Attributes& a, std::size_t k) const {
    const ValueInfo* v = input(k);
    if (!v) throw a.error(cat("input ", k, " is missing"));
    return *v;
  }
  // Input k as a constant: initializers, Constants and what folded before.
  const Constant& known(const Attributes& a, std::size_t k) const {
    const ValueInfo& v = required(a, k);
    if (!v.constant)
      throw a.error(cat("input ", k, " (", quoted(node_->inputs[k]),
                        ") must be known in prepare() (an "
                        "initializer, or a value folded from shapes), but it is computed at run time"));
    return *v.constant;
  }
  bool all_known() const {
    for (std::size_t k = 0; k < node_->inputs.size(); ++k)
      if (input(k) && !input(k)->constant) return false;
    return true;
  }

  // Outputs after the first (Dropout's mask, BatchNormalization's training statistics,
  // MaxPool's indices) are refused when anything reads them.
  void check_extra_outputs(const Attributes& a) const {
    for (std::size_t k = 1; k < node_->outputs.size(); ++k)
      if (!node_->outputs[k].empty() && used_.count(node_->outputs[k]))
        throw a.error(cat("output ", k, " (", quoted(node_->outputs[k]), ") is not supported"));
  }

  void define_constant(Constant c) {
    checked_numel(c.shape, 8, "the output of " + node_text(*node_));
    ValueInfo v;
    v.shape = c.shape;
    v.type = c.type;
    v.constant = std::move(c);
    out_.values[node_->outputs.at(0)] = std::move(v);
  }

  bool fold(const Attributes& a) {
    const std::string& op = node_->op;
    if (op == "Constant") {
      define_constant(fold::constant_node(a));
      return true;
    }
    if (op == "Shape") {
      define_constant(fold::shape_of(a, required(a, 0).shape));
      return true;
    }
    if (op == "Gather") {
      define_constant(fold::gather(a, known(a, 0), known(a, 1)));
      return true;
    }
    if (!all_known() || node_->inputs.empty()) return false;
    if (is_binary(op)) {
      define_constant(fold::binary(a, binary_of(op), known(a, 0), known(a, 1)));
      return true;
    }
    if (op == "Cast") {
      define_constant(fold::cast(a, known(a, 0)));
      return true;
    }
    if (op == "Concat") {
      std::vector<const Constant*> xs;
      for (std::size_t k = 0; k < node_->inputs.size(); ++k) xs.push_back(&known(a, k));
      define_constant(fold::concat(a, xs));
      return true;
    }
    if (is_reshape(op)) {
      const Constant& x = known(a, 0);
      define_constant(fold::reshaped(x, reshape_shape(a, x.shape)));
      return true;
    }
    return false;  // other operators on constants run like any other node
  }

  Shape reshape_shape(const Attributes& a, const Shape& x) const {
    const std::string& op = node_->op;
    if (op == "Flatten") return rules::flatten(a, x);
    if (op == "Reshape") return rules::reshape(a, x, known(a, 1));
    if (op == "Squeeze") {
      if (model_.opset < 13) {
        const auto axes = a.get_ints("axes");
        return rules::squeeze(a, x, axes ? std::optional<Constant>(int_constant({}, *axes)) : std::nullopt);
      }
      return rules::squeeze(a, x, input(1) ? std::optional<Constant>(known(a, 1)) : std::nullopt);
    }
    if (op == "Unsqueeze") {
      if (model_.opset < 13) {
        const auto axes = a.get_ints("axes");
        if (!axes) throw a.error("attribute 'axes' is required");
        return rules::unsqueeze(a, x, int_constant({static_cast<int64_t>(axes->size())}, *axes));
      }
      return rules::unsqueeze(a, x, known(a, 1));
    }
    if (op == "Dropout" && input(2) && known(a, 2).numel() > 0 && known(a, 2).as_int(0) != 0)
      throw a.error("training_mode is on: the runner only infers");
    return x;  // Identity, Dropout
  }

  void step(StepKind kind, StepAttrs attrs, Shape shape, std::size_t data_inputs) {
    for (std::size_t k = 0; k < node_->inputs.size(); ++k)
      if (const ValueInfo* v = input(k); v && !v->constant && v->type != ElemType::f32)
        throw Attributes(*node_).error(cat("input ", quoted(node_->inputs[k]), " is ",
                                           elem_type_name(static_cast<int32_t>(v->type)),
                                           "; run-time tensors must be float32"));
    const std::string what = "the output of " + node_text(*node_);
    if (checked_numel(shape, 4, what) == 0)
      throw ModelError(cat(what, " has no elements (", shape_text(shape), ")"));
    Step s;
    s.node = node_;
    s.kind = kind;
    s.attrs = std::move(attrs);
    for (std::size_t k = 0; k < data_inputs; ++k)
      s.inputs.push_back(k < node_->inputs.size() ? node_->inputs[k] : std::string());
    s.output = node_->outputs.at(0);
    out_.steps.push_back(std::move(s));
    ValueInfo v;
    v.shape = std::move(shape);
    out_.values[node_->outputs.at(0)] = std::move(v);
  }

  void run_time(const Attributes& a) {
    const std::string& op = node_->op;
    const Shape& x = required(a, 0).shape;
    if (op == "Conv") {
      ConvAttrs attrs;
      const Constant& w = known(a, 1);
      const Shape* b = input(2) ? &known(a, 2).shape : nullptr;
      Shape y = rules::conv(a, x, w.shape, b, attrs);
      step(StepKind::conv, attrs, std::move(y), 3);
    } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "GlobalMaxPool") {
      PoolAttrs attrs;
      Shape y = rules::pool(a, op, x, attrs);
      step(StepKind::pool, attrs, std::move(y), 1);
    } else if (op == "BatchNormalization") {
      if (a.get_int("training_mode", 0) != 0) throw a.error("training_mode is on: the runner only infers");
      for (std::size_t k = 1; k <= 4; ++k)
        if (x.size() < 2 || known(a, k).shape != Shape{x[1]})
          throw a.error(cat("input ", k, " must have shape [", x.size() < 2 ? 0 : x[1], "]"));
      step(StepKind::batch_norm, BatchNormAttrs{a.get_float("epsilon", 1e-5f)}, x, 5);
    } else if (op == "Gemm") {
      GemmAttrs attrs;
      const Shape* c = input(2) ? &input(2)->shape : nullptr;
      Shape y = rules::gemm(a, x, required(a, 1).shape, c, attrs);
      step(StepKind::gemm, attrs, std::move(y), 3);
    } else if (op == "MatMul") {
      step(StepKind::matmul, {}, rules::matmul(a, x, required(a, 1).shape), 2);
    } else if (is_binary(op)) {
      step(StepKind::binary, binary_of(op), rules::broadcast(a, x, required(a, 1).shape), 2);
    } else if (op == "Relu" || op == "LeakyRelu" || op == "Sigmoid" || op == "Tanh" || op == "Clip") {
      step(StepKind::eltwise, eltwise(a), x, 1);
    } else if (op == "Softmax" || op == "LogSoftmax") {
      SoftmaxAttrs attrs;
      attrs.log = op == "LogSoftmax";
      attrs.flatten = model_.opset < 13;
      attrs.axis = rules::normalize_axis(a, a.get_int("axis", attrs.flatten ? 1 : -1),
                                         static_cast<int64_t>(x.size()), "axis");
      step(StepKind::softmax, attrs, x, 1);
    } else if (is_reshape(op)) {
      step(StepKind::reshape, {}, reshape_shape(a, x), 1);
    } else if (op == "Cast") {
      if (a.get_int("to", 0) != static_cast<int64_t>(ElemType::f32))
        throw a.error(cat("casts a run-time tensor to ",
                          elem_type_name(static_cast<int32_t>(a.get_int("to", 0))),
                          "; run-time tensors must stay float32"));
      step(StepKind::reshape, {}, x, 1);
    } else if (op == "Transpose") {
      TransposeAttrs attrs;
      Shape y = rules::transpose(a, x, attrs);
      step(StepKind::transpose, attrs, std::move(y), 1);
    } else if (op == "Concat") {
      std::vector<Shape> shapes;
      for (std::size_t k = 0; k < node_->inputs.size(); ++k) shapes.push_back(required(a, k).shape);
      ConcatAttrs attrs;
      Shape y = rules::concat(a, shapes, attrs);
      step(StepKind::concat, attrs, std::move(y), node_->inputs.size());
    } else if (op == "Pad") {
      PadAttrs attrs;
      if (input(3)) throw a.error("the axes input is not supported");
      Shape y = rules::pad(a, x, known(a, 1), attrs);
      if (input(2)) {
        const Constant& v = known(a, 2);
        if (v.numel() != 1) throw a.error("constant_value must be a scalar");
        attrs.value = static_cast<float>(v.as_double(0));
      }
      const bool none = y == x;
      step(none ? StepKind::reshape : StepKind::pad, none ? StepAttrs{} : StepAttrs{attrs}, std::move(y), 1);
    } else {
      throw ModelError(unsupported(*node_, model_.opset).value_or(node_text(*node_) + ": not supported"));
    }
  }

  EltwiseAttrs eltwise(const Attributes& a) const {
    const std::string& op = node_->op;
    EltwiseAttrs e;
    if (op == "Relu") e.kind = Activation::relu;
    if (op == "Sigmoid") e.kind = Activation::sigmoid;
    if (op == "Tanh") e.kind = Activation::tanh;
    if (op == "LeakyRelu") {
      e.kind = Activation::leaky_relu;
      e.alpha = a.get_float("alpha", 0.01f);
    }
    if (op == "Clip") {
      e.kind = Activation::clip;
      e.alpha = -FLT_MAX;
      e.beta = FLT_MAX;
      for (std::size_t k = 1; k <= 2; ++k)
        if (input(k)) {
          const Constant& c = known(a, k);
          if (c.numel() != 1) throw a.error("min and max must be scalars");
          (k == 1 ? e.alpha : e.beta) = static_cast<float>(c.as_double(0));
        }
    }
    return e;
  }

  const Model& model_;
  Analysis& out_;
  std::set<std::string> used_;
  const Node* node_ = nullptr;
};

}  // namespace

Analysis analyze(const Model& model, const std::map<std::string, Shape>& input_shapes) {
  check_supported(model);
  Analysis out;
  for (const auto& [name, c] : model.initializers) {
    ValueInfo v;
    v.shape = c.shape;
    v.type = c.type;
    v.constant = c;
    out.values[name] = std::move(v);
  }
  for (const ValueDecl& in : model.inputs) {
    const auto it = input_shapes.find(in.name);
    if (it == input_shapes.end())
      throw ModelError(cat("no shape given for the model's input ", quoted(in.name)));
    if (checked_numel(it->second, 4, "input " + quoted(in.name)) == 0)
      throw ModelError(cat("input ", quoted(in.name), " has no elements"));
    ValueInfo v;
    v.shape = it->second;
    out.values[in.name] = std::move(v);
  }
  Analyzer analyzer(model, out);
  for (const Node& n : model.nodes) analyzer.node(n);
  return out;
}

}  // namespace gauntlet::onnx_model
