#include "data/preprocess.hpp"

#include "common/errors.hpp"
#include "common/text.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>
#include <cstring>
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

bool is_image(const HostTensor& src, const TensorSpec& spec) {
  return spec.shape.size() == 4 && (src.shape.size() == 3 || src.shape.size() == 4);
}

struct Hwc {
  int64_t h, w, c;
};
Hwc hwc_of(const HostTensor& src) {
  return {src.shape[1], src.shape[2], src.shape.size() == 4 ? src.shape[3] : 1};
}

void eltwise_linear_in_place(const memory::desc& md, float* data, float alpha, float beta, dnnl::stream& s) {
  const dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_linear, md,
                                      alpha, beta);
  const dnnl::eltwise_forward::primitive_desc pd(d, cpu_engine());
  memory mem(md, cpu_engine(), data);
  dnnl::eltwise_forward(pd).execute(s, {{DNNL_ARG_SRC, mem}, {DNNL_ARG_DST, mem}});
}

// u8 images [n, h, w, c] -> f32 in the input's layout, x * scale / std - mean / std, with one
// oneDNN reorder (u8 -> f32, layout change, output scale) and an in-place eltwise_linear.
// Any other rank keeps file order (channels last).
void images_with_onednn(const uint8_t* src, int64_t n, const Hwc& s, const TensorSpec& spec, float* dst) {
  const InputPreprocess& pp = spec.preprocess;
  const tag dst_tag = pp.layout == Layout::nchw && spec.shape.size() == 4 ? tag::nchw : tag::nhwc;
  const memory::dims dims = {n, s.c, s.h, s.w};
  const memory::desc src_md(dims, dt::u8, tag::nhwc);
  const memory::desc dst_md(dims, dt::f32, dst_tag);
  try {
    dnnl::stream stream(cpu_engine());
    // oneDNN's memory objects wrap the caller's buffers: no copy on either side.
    memory src_mem(src_md, cpu_engine(), const_cast<uint8_t*>(src));
    memory dst_mem(dst_md, cpu_engine(), dst);
    dnnl::primitive_attr attr;
    attr.set_output_scales(0, {static_cast<float>(pp.scale[0] / pp.stddev[0])});
    const dnnl::reorder::primitive_desc pd(cpu_engine(), src_md, cpu_engine(), dst_md, attr);
    dnnl::reorder(pd).execute(stream, src_mem, dst_mem);
    const auto shift = static_cast<float>(-pp.mean[0] / pp.stddev[0]);
    if (shift != 0) eltwise_linear_in_place(dst_md, dst, 1.0f, shift, stream);
    stream.wait();
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("oneDNN image preprocessing failed: ") + e.what());
  }
}

void store(HostTensor& dst, std::size_t i, double v, const TensorSpec& spec, const std::string& origin) {
  if (dst.dtype == DType::f32) {
    dst.as<float>()[i] = static_cast<float>(v);
    return;
  }
  const double lo = dst.dtype == DType::u8 ? 0 : dst.dtype == DType::s32 ? -2147483648.0 : -9.2e18;
  const double hi = dst.dtype == DType::u8 ? 255 : dst.dtype == DType::s32 ? 2147483647.0 : 9.2e18;
  if (v != std::floor(v) || v < lo || v > hi)
    throw DataError(origin + ": value " + format_number(v) + " does not fit input '" + spec.name + "' (" +
                    std::string(dtype_name(dst.dtype)) + "); give the input another dtype or preprocess it");
  if (dst.dtype == DType::u8) dst.as<uint8_t>()[i] = static_cast<uint8_t>(v);
  if (dst.dtype == DType::s32) dst.as<int32_t>()[i] = static_cast<int32_t>(v);
  if (dst.dtype == DType::s64) dst.as<int64_t>()[i] = static_cast<int64_t>(v);
}

}  // namespace

FeatureStats fit_standardize(const HostTensor& src, const std::vector<int64_t>& rows) {
  const auto f = static_cast<std::size_t>(src.sample_numel());
  FeatureStats s{std::vector<double>(f, 0.0), std::vector<double>(f, 0.0)};
  if (rows.empty()) {
    s.stddev.assign(f, 1.0);
    return s;
  }
  for (const int64_t r : rows)
    for (std::size_t j = 0; j < f; ++j) s.mean[j] += src.value(static_cast<std::size_t>(r) * f + j);
  for (double& m : s.mean) m /= static_cast<double>(rows.size());
  for (const int64_t r : rows)
    for (std::size_t j = 0; j < f; ++j) {
      const double d = src.value(static_cast<std::size_t>(r) * f + j) - s.mean[j];
      s.stddev[j] += d * d;
    }
  for (double& v : s.stddev) {
    v = std::sqrt(v / static_cast<double>(rows.size()));
    if (v == 0) v = 1;
  }
  return s;
}

void check_input(const HostTensor& src, const TensorSpec& spec, const std::string& origin) {
  if (is_image(src, spec)) {
    const Hwc s = hwc_of(src);
    const bool nchw = spec.preprocess.layout == Layout::nchw;
    const std::vector<int64_t> want =
        nchw ? std::vector<int64_t>{-1, s.c, s.h, s.w} : std::vector<int64_t>{-1, s.h, s.w, s.c};
    if (std::vector<int64_t>(spec.shape.begin() + 1, spec.shape.end()) !=
        std::vector<int64_t>(want.begin() + 1, want.end()))
      throw DataError(origin + ": holds " + std::to_string(s.h) + "x" + std::to_string(s.w) + "x" +
                      std::to_string(s.c) + " images (height x width x channels) but input '" + spec.name +
                      "' is " + format_shape(spec.shape) + " in layout " + (nchw ? "nchw" : "nhwc") +
                      ", which needs " + format_shape(want));
    return;
  }
  if (src.sample_numel() != sample_elements(spec.shape))
    throw DataError(origin + ": holds " + std::to_string(src.sample_numel()) + " values per sample " +
                    format_shape(src.shape) + " but input '" + spec.name + "' is " +
                    format_shape(spec.shape) + " (" + std::to_string(sample_elements(spec.shape)) +
                    " values per sample)");
}

void fill_input(const HostTensor& src, const std::vector<int64_t>& rows, const TensorSpec& spec,
                const FeatureStats* stats, HostTensor& dst, const std::string& origin) {
  check_input(src, spec, origin);
  const InputPreprocess& pp = spec.preprocess;
  const auto n = static_cast<int64_t>(rows.size());
  const auto f = static_cast<std::size_t>(sample_elements(spec.shape));
  if (n == 0) return;
  const bool image = is_image(src, spec);
  const bool scalar = pp.scale.size() == 1 && pp.mean.size() == 1 && pp.stddev.size() == 1;
  if (src.dtype == DType::u8 && dst.dtype == DType::f32 && pp.kind == InputPreprocess::Kind::affine &&
      scalar) {
    const bool contiguous = rows.back() - rows.front() + 1 == n;
    std::vector<uint8_t> gathered;  // the chosen u8 images (4x smaller than the f32 result) first
    const uint8_t* base = src.as<uint8_t>() + static_cast<std::size_t>(rows.front()) * f;
    if (!contiguous) {
      gathered.resize(f * rows.size());
      for (std::size_t i = 0; i < rows.size(); ++i)
        std::memcpy(gathered.data() + i * f, src.as<uint8_t>() + static_cast<std::size_t>(rows[i]) * f, f);
      base = gathered.data();
    }
    const Hwc shape =
        src.shape.size() == 3 || src.shape.size() == 4 ? hwc_of(src) : Hwc{1, static_cast<int64_t>(f), 1};
    images_with_onednn(base, n, shape, spec, dst.as<float>());
    return;
  }
  // Element j of a destination sample reads element source_of(j) of the source sample.
  const Hwc s = image ? hwc_of(src) : Hwc{1, 1, 1};
  const bool permute = image && pp.layout == Layout::nchw && s.c > 1;
  const int64_t channels = spec.shape.size() == 4
                               ? (pp.layout == Layout::nchw ? spec.shape[1] : spec.shape[3])
                               : (spec.shape.size() < 2 ? 1 : spec.shape.back());
  for (int64_t i = 0; i < n; ++i) {
    const std::size_t from = static_cast<std::size_t>(rows[i]) * f;
    for (std::size_t j = 0; j < f; ++j) {
      std::size_t k = j;
      if (permute) {  // dst (c, y, x) <- src (y, x, c)
        const std::size_t plane = static_cast<std::size_t>(s.h * s.w);
        k = (j % plane) * static_cast<std::size_t>(s.c) + j / plane;
      }
      double v = src.value(from + k);
      const std::size_t ch = spec.shape.size() == 4 && pp.layout == Layout::nchw
                                 ? j / static_cast<std::size_t>(spec.shape[2] * spec.shape[3]) %
                                       static_cast<std::size_t>(channels)
                                 : j % static_cast<std::size_t>(channels);
      auto pick = [ch](const std::vector<double>& values) {
        return values.size() == 1 ? values[0] : values[ch];
      };
      if (pp.kind == InputPreprocess::Kind::affine)
        v = (v * pick(pp.scale) - pick(pp.mean)) / pick(pp.stddev);
      if (pp.kind == InputPreprocess::Kind::standardize) v = (v - stats->mean[j]) / stats->stddev[j];
      store(dst, static_cast<std::size_t>(i) * f + j, v, spec, origin);
    }
  }
}

}  // namespace gauntlet::data
