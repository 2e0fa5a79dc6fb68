#include "data/preprocess.hpp"

#include "data/dataset.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <stdexcept>

namespace gauntlet::data {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

// One CPU engine per process: creating it is the expensive part, streams are cheap.
const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += i == 0 && shape[i] < 0 ? "batch" : std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t per_sample(const TensorSpec& spec) {
  int64_t n = 1;
  for (std::size_t i = 1; i < spec.shape.size(); ++i) n *= spec.shape[i];
  return n;
}

void eltwise_linear_in_place(const memory::desc& md, float* data, float alpha, float beta, dnnl::stream& s) {
  const dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_linear, md,
                                      alpha, beta);
  const dnnl::eltwise_forward::primitive_desc pd(d, cpu_engine());
  memory mem(md, cpu_engine(), data);
  dnnl::eltwise_forward(pd).execute(s, {{DNNL_ARG_SRC, mem}, {DNNL_ARG_DST, mem}});
}

}  // namespace

void check_image_input(const TensorSpec& spec, Layout layout, int64_t h, int64_t w, int64_t c,
                       const std::string& source) {
  if (spec.dtype != DType::f32)
    throw DataError(source + ": input '" + spec.name + "' has dtype " + std::string(dtype_name(spec.dtype)) +
                    "; preprocessed images are f32");
  const std::string images = std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c) +
                             " images (height x width x channels)";
  if (spec.shape.size() == 4) {
    const bool nchw = layout == Layout::nchw;
    const std::vector<int64_t> want =
        nchw ? std::vector<int64_t>{-1, c, h, w} : std::vector<int64_t>{-1, h, w, c};
    if (std::vector<int64_t>(spec.shape.begin() + 1, spec.shape.end()) !=
        std::vector<int64_t>(want.begin() + 1, want.end()))
      throw DataError(source + ": holds " + images + " but input '" + spec.name + "' is " +
                      shape_text(spec.shape) + " in layout " + (nchw ? "nchw" : "nhwc") + ", which needs " +
                      shape_text(want));
    return;
  }
  if (per_sample(spec) != h * w * c)
    throw DataError(source + ": holds " + images + " (" + std::to_string(h * w * c) +
                    " values each) but input '" + spec.name + "' is " + shape_text(spec.shape) + " (" +
                    std::to_string(per_sample(spec)) + " values per sample)");
}

void preprocess_images(const RawImages& src, const TensorSpec& spec, const Preprocess& pp, float* dst) {
  if (src.n == 0) return;  // oneDNN accepts empty tensors, but there is nothing to do
  // A 4-D input gets a real layout change; any other rank keeps file order (channels last).
  const tag dst_tag = spec.shape.size() == 4 && pp.layout == Layout::nchw ? tag::nchw : tag::nhwc;
  const memory::dims dims = {src.n, src.c, src.h, src.w};
  const memory::desc src_md(dims, dt::u8, tag::nhwc);
  const memory::desc dst_md(dims, dt::f32, dst_tag);
  try {
    dnnl::stream stream(cpu_engine());
    // oneDNN's memory objects wrap the caller's buffers: no copy on either side.
    memory src_mem(src_md, cpu_engine(), const_cast<uint8_t*>(src.data));
    memory dst_mem(dst_md, cpu_engine(), dst);
    dnnl::primitive_attr attr;
    attr.set_output_scales(0, {static_cast<float>(pp.scale / pp.stddev)});
    const dnnl::reorder::primitive_desc pd(cpu_engine(), src_md, cpu_engine(), dst_md, attr);
    dnnl::reorder(pd).execute(stream, src_mem, dst_mem);
    const auto shift = static_cast<float>(-pp.mean / pp.stddev);
    if (shift != 0) eltwise_linear_in_place(dst_md, dst, 1.0f, shift, stream);
    stream.wait();
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("oneDNN image preprocessing failed: ") + e.what());
  }
}

void preprocess_features(float* data, int64_t count, const Preprocess& pp) {
  const auto alpha = static_cast<float>(pp.scale / pp.stddev);
  const auto beta = static_cast<float>(-pp.mean / pp.stddev);
  if (count == 0 || (alpha == 1.0f && beta == 0.0f)) return;
  try {
    dnnl::stream stream(cpu_engine());
    eltwise_linear_in_place(memory::desc({count}, dt::f32, tag::a), data, alpha, beta, stream);
    stream.wait();
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("oneDNN feature preprocessing failed: ") + e.what());
  }
}

}  // namespace gauntlet::data
