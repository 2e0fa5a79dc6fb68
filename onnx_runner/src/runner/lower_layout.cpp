// Steps that move data: a new shape over the same bytes (Flatten, Reshape, Squeeze, Unsqueeze,
// Identity, Dropout), Transpose and Pad (reorders), Concat.
#include "runner/planner.hpp"

namespace gauntlet::onnx_runner {

using onnx_model::Shape;
using onnx_model::Step;

void Planner::lower_reshape(const Step& s) {
  const Shape& y = shape(s.output);
  const auto& in = analysis_.at(s.inputs[0]);
  if (in.constant) {
    // A constant under a new shape: the same data, nothing runs.
    tensors_[s.output] =
        constant_tensor(s.inputs[0], constants_.floats(s.inputs[0], *in.constant), plain_desc(y));
    return;
  }
  tensors_[s.output] = alias(value(s.inputs[0]), y);
}

void Planner::lower_transpose(const Step& s) {
  const auto& perm = std::get<onnx_model::TransposeAttrs>(s.attrs).perm;
  const Tensor x = plain(value(s.inputs[0]));
  const Shape& xs = shape(s.inputs[0]);
  dnnl_dims in_strides(xs.size(), 1);
  for (std::size_t i = xs.size(); i > 1; --i) in_strides[i - 2] = in_strides[i - 1] * xs[i - 1];
  // The input read in the output's order: dims and strides permuted, reordered to compact.
  const Shape& y = shape(s.output);
  dnnl_dims strides(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) strides[i] = in_strides[static_cast<std::size_t>(perm[i])];
  const Tensor view{dnnl::memory::desc(y, dnnl::memory::data_type::f32, strides), x.slot};
  const Tensor dst = new_tensor(plain_desc(y));
  add(dnnl::reorder(dnnl::reorder::primitive_desc(engine_, view.md, engine_, dst.md)),
      {{DNNL_ARG_FROM, view}, {DNNL_ARG_TO, dst}});
  tensors_[s.output] = dst;
}

void Planner::lower_concat(const Step& s) {
  const auto axis = static_cast<int>(std::get<onnx_model::ConcatAttrs>(s.attrs).axis);
  std::vector<Tensor> srcs;
  std::vector<dnnl::memory::desc> mds;
  for (const auto& in : s.inputs) {
    srcs.push_back(plain(value(in)));
    mds.push_back(srcs.back().md);
  }
  const dnnl::concat::primitive_desc pd(plain_desc(shape(s.output)), axis, mds, engine_);
  const Tensor dst = new_tensor(pd.dst_desc());
  std::vector<std::pair<int, Tensor>> args;
  for (std::size_t i = 0; i < srcs.size(); ++i)
    args.emplace_back(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), srcs[i]);
  args.emplace_back(DNNL_ARG_DST, dst);
  add(dnnl::concat(pd), args);
  tensors_[s.output] = dst;
}

void Planner::lower_pad(const Step& s) {
  const auto& p = std::get<onnx_model::PadAttrs>(s.attrs);
  const Tensor x = plain(value(s.inputs[0]));
  // The border is written once, here: the buffer is this plan's alone, and each run only
  // copies the input into its interior.
  const Tensor dst = owned_tensor(plain_desc(shape(s.output)), p.value);
  const Tensor interior{dst.md.submemory_desc(x.md.dims(), p.begin), dst.slot};
  add(dnnl::reorder(dnnl::reorder::primitive_desc(engine_, x.md, engine_, interior.md)),
      {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, interior}});
  tensors_[s.output] = dst;
}

}  // namespace gauntlet::onnx_runner
