// Gemm and MatMul (oneDNN matmul), elementwise binary ops with broadcasting, activations and
// softmax.
#include "onnx_model/attributes.hpp"
#include "onnx_model/text.hpp"
#include "runner/planner.hpp"

#include <algorithm>
#include <optional>

namespace gauntlet::onnx_runner {

using onnx_model::cat;
using onnx_model::Shape;
using onnx_model::Step;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

namespace {

// `shape` with leading 1s up to `rank`.
Shape extended(const Shape& shape, std::size_t rank) {
  Shape s(rank - std::min(rank, shape.size()), 1);
  s.insert(s.end(), shape.begin(), shape.end());
  return s;
}

// A [rows, cols] view of a plain [cols, rows] matrix (a transposed operand), else plain.
dnnl::memory::desc matrix(int64_t rows, int64_t cols, bool transposed) {
  return {{rows, cols}, dt::f32, transposed ? dnnl_dims{1, rows} : dnnl_dims{cols, 1}};
}

}  // namespace

void Planner::lower_gemm(const Step& s, const Fusion& f) {
  const auto& g = std::get<onnx_model::GemmAttrs>(s.attrs);
  const Shape& y = shape(s.output);
  const int64_t m = y[0], n = y[1], k = g.trans_a ? shape(s.inputs[0])[0] : shape(s.inputs[0])[1];
  const Tensor a = plain(value(s.inputs[0]));
  const Tensor a_view{matrix(m, k, g.trans_a), a.slot};
  const bool b_known = analysis_.at(s.inputs[1]).constant.has_value();
  const bool has_c = s.inputs.size() > 2 && !s.inputs[2].empty();
  const bool c_known = has_c && analysis_.at(s.inputs[2]).constant.has_value();
  dnnl::primitive_attr attr;
  // alpha: into constant weights, else an output scale (which a bias would share: the bias is
  // then a post-op, applied after scaling). A computed C with beta != 1 adds as
  // (alpha / beta * AB + C) * beta: a scale, then post-ops (not with two eltwise_linear
  // post-ops: oneDNN 2.6 applies the first one's factor to both, see fusion.cpp).
  const bool c_scaled = has_c && !c_known && g.beta != 1.0f && g.beta != 0.0f;
  const bool scale_output = (!b_known && g.alpha != 1.0f) || c_scaled;
  if (scale_output) attr.set_output_scales(0, {(b_known ? 1.0f : g.alpha) / (c_scaled ? g.beta : 1.0f)});
  const dnnl::memory::desc dst_md = plain_desc({m, n});
  std::vector<std::pair<int, Tensor>> args, post_args;
  dnnl::post_ops ops;
  // A constant input times a factor, made once (B by alpha, C by beta).
  auto scaled = [&](std::size_t input, float factor, const std::string& key) {
    return constants_.derived(key, [&] {
      std::vector<float> v = constant(s.inputs[input]).f;
      for (float& x : v) x *= factor;
      return v;
    });
  };
  std::optional<Tensor> bias;
  if (has_c && (c_known || g.beta != 0.0f)) {
    const Shape cs = extended(shape(s.inputs[2]), 2);
    if (c_known) {
      bias = constant_tensor(s.node->name + "|C", scaled(2, g.beta, s.node->name + "|C"), plain_desc(cs));
    }
    const std::string c_name = "\x01gemm-c:" + s.node->name;
    tensors_[c_name] = c_known ? *bias : alias(value(s.inputs[2]), cs);
    if (!c_known || scale_output) {
      bias.reset();
      append_post_ops(ops, {PostOp{true, c_name, {}}}, dst_md, post_args);
      if (c_scaled) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, g.beta, 0.0f);
    }
  }
  append_post_ops(ops, f.post, dst_md, post_args);
  attr.set_post_ops(ops);

  Tensor w;
  dnnl::memory::desc w_md;
  if (b_known) {
    const auto data = scaled(1, g.alpha, s.node->name + "|B");
    w_md = dnnl::memory::desc({k, n}, dt::f32, tag::any);
    const dnnl::matmul::primitive_desc probe(bias ? dnnl::matmul::desc(a_view.md, w_md, bias->md, dst_md)
                                                  : dnnl::matmul::desc(a_view.md, w_md, dst_md),
                                             attr, engine_);
    w = weights(s.node->name + "|B", data, matrix(k, n, g.trans_b), probe.weights_desc());
    w_md = probe.weights_desc();
  } else {
    w = plain(value(s.inputs[1]));
    w = Tensor{matrix(k, n, g.trans_b), w.slot};
    w_md = w.md;
  }
  const dnnl::matmul::primitive_desc pd(bias ? dnnl::matmul::desc(a_view.md, w_md, bias->md, dst_md)
                                             : dnnl::matmul::desc(a_view.md, w_md, dst_md),
                                        attr, engine_);
  const Tensor dst = new_tensor(dst_md);
  args = {{DNNL_ARG_SRC, a_view}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
  if (bias) args.emplace_back(DNNL_ARG_BIAS, *bias);
  args.insert(args.end(), post_args.begin(), post_args.end());
  add(dnnl::matmul(pd), args);
  tensors_[f.output] = dst;
}

void Planner::lower_matmul(const Step& s, const Fusion& f) {
  Shape xa = shape(s.inputs[0]), xb = shape(s.inputs[1]);
  if (xa.size() == 1) xa.insert(xa.begin(), 1);
  if (xb.size() == 1) xb.push_back(1);
  const std::size_t rank = std::max(xa.size(), xb.size());
  xa = extended(xa, rank);
  xb = extended(xb, rank);
  Shape yd = xa;
  for (std::size_t i = 0; i + 2 < rank; ++i) yd[i] = std::max(xa[i], xb[i]);
  yd[rank - 1] = xb[rank - 1];
  const Tensor a = alias(value(s.inputs[0]), xa);
  const dnnl::memory::desc dst_md = plain_desc(yd);
  std::vector<std::pair<int, Tensor>> post_args;
  dnnl::post_ops ops;
  append_post_ops(ops, f.post, dst_md, post_args);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  Tensor w;
  if (analysis_.at(s.inputs[1]).constant && rank == 2) {
    const dnnl::matmul::primitive_desc probe({a.md, dnnl::memory::desc(xb, dt::f32, tag::any), dst_md}, attr,
                                             engine_);
    w = weights(s.node->name + "|B", constants_.floats(s.inputs[1], constant(s.inputs[1])), plain_desc(xb),
                probe.weights_desc());
  } else {
    w = alias(value(s.inputs[1]), xb);
  }
  const dnnl::matmul::primitive_desc pd({a.md, w.md, dst_md}, attr, engine_);
  const Tensor dst = new_tensor(dst_md);
  std::vector<std::pair<int, Tensor>> args = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
  args.insert(args.end(), post_args.begin(), post_args.end());
  add(dnnl::matmul(pd), args);
  tensors_[f.output] = yd == shape(f.output) ? dst : alias(dst, shape(f.output));
}

void Planner::lower_binary(const Step& s, const Fusion& f) {
  const auto op = std::get<onnx_model::Binary>(s.attrs);
  const Shape& out = shape(s.output);
  Tensor x = value(s.inputs[0]), y = value(s.inputs[1]);
  const Shape xs = extended(shape(s.inputs[0]), out.size()), ys = extended(shape(s.inputs[1]), out.size());
  std::vector<PostOp> fixup;
  // oneDNN broadcasts the second operand only: a first operand that needs it swaps places (a
  // subtraction then negates, a division inverts), or, when both do, is first spread over the
  // output's shape (0 + x).
  bool swapped = false;
  if (xs != out && ys == out) {
    std::swap(x, y);
    swapped = true;
  } else if (xs != out) {
    auto zeros = constants_.derived(cat("zeros", out.size(), onnx_model::shape_text(out)), [&] {
      return std::vector<float>(plain_desc(out).get_size() / sizeof(float), 0.0f);
    });
    const Tensor z = constant_tensor(cat("zeros", onnx_model::shape_text(out)), zeros, plain_desc(out));
    const Tensor spread = new_tensor(z.md);
    const Tensor xp = alias(x, xs);
    dnnl::binary::primitive_desc pd({dnnl::algorithm::binary_add, z.md, xp.md, z.md}, engine_);
    add(dnnl::binary(pd), {{DNNL_ARG_SRC_0, z}, {DNNL_ARG_SRC_1, xp}, {DNNL_ARG_DST, spread}});
    x = spread;
  }
  const Shape& second = swapped ? xs : ys;
  if (x.md.dims() != out) x = alias(x, out);
  y = second == out ? reorder_to(y, x.md) : alias(y, second);
  dnnl::algorithm algo = dnnl::algorithm::binary_add;
  if (op == onnx_model::Binary::sub) algo = dnnl::algorithm::binary_sub;
  if (op == onnx_model::Binary::mul) algo = dnnl::algorithm::binary_mul;
  if (op == onnx_model::Binary::div) algo = dnnl::algorithm::binary_div;
  dnnl::post_ops ops;
  if (swapped && op == onnx_model::Binary::sub)
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, -1.0f, 0.0f);
  if (swapped && op == onnx_model::Binary::div)
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_pow, 1.0f, -1.0f);
  std::vector<std::pair<int, Tensor>> post_args;
  dnnl::post_ops fused;
  append_post_ops(fused, f.post, x.md, post_args);
  for (int i = 0; i < fused.len(); ++i) {
    float scale, alpha, beta;
    dnnl::algorithm a;
    fused.get_params_eltwise(i, scale, a, alpha, beta);
    ops.append_eltwise(scale, a, alpha, beta);
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  dnnl::binary::primitive_desc pd({algo, x.md, y.md, x.md}, attr, engine_);
  const Tensor dst = new_tensor(pd.dst_desc());
  add(dnnl::binary(pd), {{DNNL_ARG_SRC_0, x}, {DNNL_ARG_SRC_1, y}, {DNNL_ARG_DST, dst}});
  tensors_[f.output] = dst;
}

void Planner::lower_eltwise(const Step& s) {
  const Tensor src = value(s.inputs[0]);
  std::vector<std::pair<int, Tensor>> unused;
  dnnl::post_ops one;
  append_post_ops(one, {PostOp{false, {}, std::get<onnx_model::EltwiseAttrs>(s.attrs)}}, src.md, unused);
  float scale, alpha, beta;
  dnnl::algorithm algo;
  one.get_params_eltwise(0, scale, algo, alpha, beta);
  dnnl::eltwise_forward::primitive_desc pd({dnnl::prop_kind::forward_inference, algo, src.md, alpha, beta},
                                           engine_);
  const Tensor dst = new_tensor(pd.dst_desc());
  add(dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  tensors_[s.output] = dst;
}

void Planner::lower_softmax(const Step& s) {
  const auto& sm = std::get<onnx_model::SoftmaxAttrs>(s.attrs);
  const Shape& x = shape(s.inputs[0]);
  Tensor src = plain(value(s.inputs[0]));
  int axis = static_cast<int>(sm.axis);
  if (sm.flatten && sm.axis + 1 < static_cast<int64_t>(x.size())) {
    // Opset < 13: over everything from `axis` on, as one row.
    int64_t rows = 1, cols = 1;
    for (std::size_t i = 0; i < x.size(); ++i) (static_cast<int64_t>(i) < sm.axis ? rows : cols) *= x[i];
    src = alias(src, {rows, cols});
    axis = 1;
  }
  const Tensor dst = new_tensor(src.md);
  if (sm.log) {
    dnnl::logsoftmax_forward::primitive_desc pd({dnnl::prop_kind::forward_inference, src.md, axis}, engine_);
    add(dnnl::logsoftmax_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  } else {
    dnnl::softmax_forward::primitive_desc pd({dnnl::prop_kind::forward_inference, src.md, axis}, engine_);
    add(dnnl::softmax_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  }
  tensors_[s.output] = src.md.dims() == x ? dst : alias(dst, x);
}

}  // namespace gauntlet::onnx_runner
