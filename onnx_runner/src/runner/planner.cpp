#include "runner/planner.hpp"

#include "onnx_model/attributes.hpp"
#include "onnx_model/text.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>

namespace gauntlet::onnx_runner {

using onnx_model::cat;
using onnx_model::ModelError;
using onnx_model::Shape;
using onnx_model::Step;
using onnx_model::StepKind;
using dt = dnnl::memory::data_type;

dnnl::memory::desc plain_desc(const Shape& shape) {
  dnnl_dims dims = shape.empty() ? dnnl_dims{1} : shape;
  dnnl_dims strides(dims.size(), 1);
  for (std::size_t i = dims.size() - 1; i > 0; --i) strides[i - 1] = strides[i] * dims[i];
  return {dims, dt::f32, strides};
}

Planner::Planner(const onnx_model::Analysis& analysis, const dnnl::engine& engine, ConstantStore& constants,
                 std::vector<std::string> inputs, std::vector<std::string> outputs)
    : analysis_(analysis),
      engine_(engine),
      constants_(constants),
      inputs_(std::move(inputs)),
      outputs_(std::move(outputs)) {}

std::unique_ptr<Plan> Planner::build() {
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    Slot s;
    s.kind = Slot::Kind::input;
    s.index = static_cast<int>(i);
    slots_.push_back(s);
    tensors_[inputs_[i]] = Tensor{plain_desc(shape(inputs_[i])), static_cast<int>(slots_.size()) - 1};
  }
  fusion_ = plan_fusion(analysis_, std::set<std::string>(outputs_.begin(), outputs_.end()));
  for (std::size_t k = 0; k < analysis_.steps.size(); ++k) {
    if (fusion_.absorbed[k]) continue;
    try {
      lower(k);
    } catch (const dnnl::error& e) {
      throw ModelError(cat(onnx_model::node_text(*analysis_.steps[k].node), ": oneDNN cannot run it here (",
                           onnx_model::one_line(e.what()), ")"));
    }
  }
  for (std::size_t j = 0; j < outputs_.size(); ++j) bind_output(j, outputs_[j]);
  auto plan = std::make_unique<Plan>();
  plan->finalize(engine_, std::move(slots_), memories_, std::move(steps_), std::move(keep_));
  return plan;
}

void Planner::lower(std::size_t k) {
  const Step& s = analysis_.steps[k];
  const Fusion& f = fusion_.fused[k];
  switch (s.kind) {
    case StepKind::conv:
      return lower_conv(s, f);
    case StepKind::pool:
      return lower_pool(s, f);
    case StepKind::batch_norm:
      return lower_batch_norm(s);
    case StepKind::gemm:
      return lower_gemm(s, f);
    case StepKind::matmul:
      return lower_matmul(s, f);
    case StepKind::binary:
      return lower_binary(s, f);
    case StepKind::eltwise:
      return lower_eltwise(s);
    case StepKind::softmax:
      return lower_softmax(s);
    case StepKind::reshape:
      return lower_reshape(s);
    case StepKind::transpose:
      return lower_transpose(s);
    case StepKind::concat:
      return lower_concat(s);
    case StepKind::pad:
      return lower_pad(s);
  }
}

const onnx_model::Constant& Planner::constant(const std::string& name) const {
  return *analysis_.at(name).constant;
}

Planner::Tensor Planner::value(const std::string& name) {
  if (const auto it = tensors_.find(name); it != tensors_.end()) return it->second;
  const auto& info = analysis_.at(name);
  if (!info.constant)
    throw ModelError(cat("internal: value ", onnx_model::quoted(name), " used before it is computed"));
  return constant_tensor(name, constants_.floats(name, *info.constant), plain_desc(info.shape));
}

Planner::Tensor Planner::new_tensor(const dnnl::memory::desc& md) {
  Slot s;
  s.bytes = std::max<std::size_t>(md.get_size(), 1);
  slots_.push_back(s);
  return Tensor{md, static_cast<int>(slots_.size()) - 1};
}

Planner::Tensor Planner::owned_tensor(const dnnl::memory::desc& md, float fill) {
  auto buffer = std::make_shared<std::vector<float>>(md.get_size() / sizeof(float) + 1, fill);
  Slot s;
  s.kind = Slot::Kind::owned;
  s.bytes = md.get_size();
  s.data = buffer->data();
  keep_.emplace_back(buffer, buffer->data());
  slots_.push_back(s);
  return Tensor{md, static_cast<int>(slots_.size()) - 1};
}

Planner::Tensor Planner::constant_tensor(const std::string& key, std::shared_ptr<void> data,
                                         const dnnl::memory::desc& md) {
  auto it = constant_slots_.find(key);
  if (it == constant_slots_.end()) {
    Slot s;
    s.kind = Slot::Kind::constant;
    s.bytes = md.get_size();
    s.data = data.get();
    keep_.push_back(std::move(data));
    slots_.push_back(s);
    it = constant_slots_.emplace(key, static_cast<int>(slots_.size()) - 1).first;
  }
  return Tensor{md, it->second};
}

Planner::Tensor Planner::reorder_to(const Tensor& t, const dnnl::memory::desc& md) {
  if (t.md == md) return t;
  Tensor out = new_tensor(md);
  add(dnnl::reorder(dnnl::reorder::primitive_desc(engine_, t.md, engine_, md)),
      {{DNNL_ARG_FROM, t}, {DNNL_ARG_TO, out}});
  return out;
}

Planner::Tensor Planner::plain(const Tensor& t) { return reorder_to(t, plain_desc(t.md.dims())); }

Planner::Tensor Planner::alias(const Tensor& t, const Shape& shape) {
  const Tensor p = plain(t);
  return Tensor{plain_desc(shape), p.slot};
}

Planner::Tensor Planner::weights(const std::string& key, std::shared_ptr<void> data,
                                 const dnnl::memory::desc& source, const dnnl::memory::desc& wanted) {
  auto buffer = constants_.reordered(key, data, source, wanted);
  return constant_tensor(cat(key, "@", steps_.size(), "#", constant_slots_.size()), buffer, wanted);
}

void Planner::append_post_ops(dnnl::post_ops& ops, const std::vector<PostOp>& post,
                              const dnnl::memory::desc& dst, std::vector<std::pair<int, Tensor>>& args) {
  for (const PostOp& p : post) {
    if (p.add) {
      Tensor operand = value(p.operand);
      // Same dims: in the destination's layout (a full-tensor operand in another layout sends
      // oneDNN to a slow reference kernel); broadcast: plain.
      operand = operand.md.dims() == dst.dims() ? reorder_to(operand, dst) : plain(operand);
      args.emplace_back(DNNL_ARG_ATTR_MULTIPLE_POST_OP(ops.len()) | DNNL_ARG_SRC_1, operand);
      ops.append_binary(dnnl::algorithm::binary_add, operand.md);
      continue;
    }
    const auto& e = p.activation;
    switch (e.kind) {
      case onnx_model::Activation::relu:
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        break;
      case onnx_model::Activation::leaky_relu:
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, e.alpha, 0.0f);
        break;
      case onnx_model::Activation::sigmoid:
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f);
        break;
      case onnx_model::Activation::tanh:
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f);
        break;
      case onnx_model::Activation::clip:
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, e.alpha, e.beta);
        break;
    }
  }
}

void Planner::add(const dnnl::primitive& p, const std::vector<std::pair<int, Tensor>>& args) {
  Plan::Step step;
  step.primitive = p;
  const int index = static_cast<int>(steps_.size());
  for (const auto& [arg, t] : args) {
    Slot& s = slots_[static_cast<std::size_t>(t.slot)];
    if (s.first < 0) s.first = index;
    s.last = std::max(s.last, index);
    s.first = std::min(s.first, index);
    int memory = -1;
    for (std::size_t m = 0; m < memories_.size(); ++m)
      if (memories_[m].slot == t.slot && memories_[m].desc == t.md) memory = static_cast<int>(m);
    if (memory < 0) {
      memories_.push_back({t.md, t.slot});
      memory = static_cast<int>(memories_.size()) - 1;
    }
    step.args.emplace_back(arg, memory);
  }
  steps_.push_back(std::move(step));
}

void Planner::bind_output(std::size_t index, const std::string& name) {
  const Tensor t = value(name);
  const dnnl::memory::desc want = plain_desc(shape(name));
  Slot& s = slots_[static_cast<std::size_t>(t.slot)];
  if (s.kind == Slot::Kind::arena && t.md == want) {
    // Written in place: the scratch slot becomes the call's output buffer.
    s.kind = Slot::Kind::output;
    s.index = static_cast<int>(index);
    return;
  }
  Slot out;
  out.kind = Slot::Kind::output;
  out.index = static_cast<int>(index);
  slots_.push_back(out);
  const Tensor dst{want, static_cast<int>(slots_.size()) - 1};
  const Tensor src = t.md.dims() == want.dims() ? t : alias(t, shape(name));
  add(dnnl::reorder(dnnl::reorder::primitive_desc(engine_, src.md, engine_, dst.md)),
      {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
}

}  // namespace gauntlet::onnx_runner
