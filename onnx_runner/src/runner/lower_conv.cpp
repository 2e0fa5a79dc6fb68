// Convolution, pooling and batch normalization.
#include "onnx_model/attributes.hpp"
#include "onnx_model/text.hpp"
#include "runner/planner.hpp"

#include <cmath>

namespace gauntlet::onnx_runner {

using onnx_model::cat;
using onnx_model::Shape;
using onnx_model::Step;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

namespace {

dnnl_dims minus_one(const Shape& dilations) {
  dnnl_dims d;
  for (const int64_t v : dilations) d.push_back(v - 1);  // oneDNN counts the gaps
  return d;
}

// A zero Pad folded into a window: its spatial pads add to the window's.
void widen(onnx_model::Window& w, const Step* pad) {
  if (!pad) return;
  const auto& p = std::get<onnx_model::PadAttrs>(pad->attrs);
  for (std::size_t i = 0; i < w.pad_begin.size(); ++i) {
    w.pad_begin[i] += p.begin[i + 2];
    w.pad_end[i] += p.end[i + 2];
  }
}

dnnl::memory::desc any_desc(const dnnl_dims& dims) { return {dims, dt::f32, tag::any}; }

}  // namespace

void Planner::lower_conv(const Step& s, const Fusion& f) {
  auto attrs = std::get<onnx_model::ConvAttrs>(s.attrs);
  widen(attrs.window, f.pad);
  const std::string& x_name = f.pad ? f.pad->inputs[0] : s.inputs[0];
  const onnx_model::Constant& w = constant(s.inputs[1]);
  const int64_t out_channels = w.shape[0], g = attrs.group;

  // Weights and bias as oneDNN wants them: [g, M/g, C/g, k...] when grouped; a batch
  // normalization after the convolution folded in (y = (conv - mean) * s + shift).
  const std::string key = s.node->name + "|" + s.output;
  const bool has_bias = s.inputs.size() > 2 && !s.inputs[2].empty();
  auto folded = [&](bool bias) {
    return constants_.derived(key + (bias ? "|b" : "|w"), [&] {
      std::vector<float> wv = w.f, bv(static_cast<std::size_t>(out_channels), 0.0f);
      if (has_bias) bv = constant(s.inputs[2]).f;
      if (f.batch_norm) {
        const float eps = std::get<onnx_model::BatchNormAttrs>(f.batch_norm->attrs).epsilon;
        const auto& in = f.batch_norm->inputs;
        const auto &gamma = constant(in[1]).f, &beta = constant(in[2]).f, &mean = constant(in[3]).f,
                   &var = constant(in[4]).f;
        const std::size_t per = wv.size() / static_cast<std::size_t>(out_channels);
        for (std::size_t m = 0; m < static_cast<std::size_t>(out_channels); ++m) {
          const float scale = gamma[m] / std::sqrt(var[m] + eps);
          for (std::size_t j = 0; j < per; ++j) wv[m * per + j] *= scale;
          bv[m] = (bv[m] - mean[m]) * scale + beta[m];
        }
      }
      return bias ? bv : wv;
    });
  };
  if (!w.is_float()) throw onnx_model::ModelError(cat(onnx_model::node_text(*s.node), ": integer weights"));
  dnnl_dims w_dims = w.shape;
  if (g > 1) {
    w_dims[0] /= g;
    w_dims.insert(w_dims.begin(), g);
  }
  const Shape& x_shape = shape(x_name);
  const Shape& y_shape = shape(s.output);
  const auto& win = attrs.window;
  const dnnl::memory::desc bias_md({out_channels}, dt::f32, tag::a);
  auto make = [&](const dnnl::post_ops& ops, const dnnl::memory::desc& dst) {
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    return dnnl::convolution_forward::primitive_desc(
        {dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, any_desc(x_shape),
         any_desc(w_dims), bias_md, dst, win.strides, minus_one(win.dilations), win.pad_begin, win.pad_end},
        attr, engine_);
  };
  // The destination's layout is oneDNN's choice; a fused Add's operand must then come in it.
  std::vector<std::pair<int, Tensor>> post_args;
  auto pd = make(dnnl::post_ops(), any_desc(y_shape));
  if (!f.post.empty()) {
    const dnnl::memory::desc dst = pd.dst_desc();
    dnnl::post_ops ops;
    append_post_ops(ops, f.post, dst, post_args);
    pd = make(ops, dst);
  }
  const Tensor src = reorder_to(value(x_name), pd.src_desc());
  const Tensor wt = weights(key + "|w", folded(false), plain_desc(w_dims), pd.weights_desc());
  const Tensor bt = constant_tensor(key + "|b", folded(true), bias_md);
  const Tensor dst = new_tensor(pd.dst_desc());
  std::vector<std::pair<int, Tensor>> args = {
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wt}, {DNNL_ARG_BIAS, bt}, {DNNL_ARG_DST, dst}};
  args.insert(args.end(), post_args.begin(), post_args.end());
  add(dnnl::convolution_forward(pd), args);
  tensors_[f.output] = dst;
}

void Planner::lower_pool(const Step& s, const Fusion& f) {
  auto attrs = std::get<onnx_model::PoolAttrs>(s.attrs);
  widen(attrs.window, f.pad);
  const std::string& x_name = f.pad ? f.pad->inputs[0] : s.inputs[0];
  const Tensor src = value(x_name);
  const auto algo = attrs.max ? dnnl::algorithm::pooling_max
                    : attrs.count_include_pad || f.pad != nullptr
                        ? dnnl::algorithm::pooling_avg_include_padding
                        : dnnl::algorithm::pooling_avg_exclude_padding;
  const auto& win = attrs.window;
  dnnl::pooling_v2_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, algo, src.md, any_desc(shape(s.output)), win.strides, win.kernel,
       minus_one(win.dilations), win.pad_begin, win.pad_end},
      engine_);
  const Tensor dst = new_tensor(pd.dst_desc());
  add(dnnl::pooling_v2_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  tensors_[f.output] = dst;
}

void Planner::lower_batch_norm(const Step& s) {
  const Tensor src = value(s.inputs[0]);
  const float eps = std::get<onnx_model::BatchNormAttrs>(s.attrs).epsilon;
  const auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                     dnnl::normalization_flags::use_shift;
  dnnl::batch_normalization_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, src.md, eps, flags}, engine_);
  const Tensor dst = new_tensor(pd.dst_desc());
  add(dnnl::batch_normalization_forward(pd), {{DNNL_ARG_SRC, src},
                                              {DNNL_ARG_SCALE, value(s.inputs[1])},
                                              {DNNL_ARG_SHIFT, value(s.inputs[2])},
                                              {DNNL_ARG_MEAN, value(s.inputs[3])},
                                              {DNNL_ARG_VARIANCE, value(s.inputs[4])},
                                              {DNNL_ARG_DST, dst}});
  tensors_[s.output] = dst;
}

}  // namespace gauntlet::onnx_runner
