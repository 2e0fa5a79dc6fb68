#include "metrics/log_softmax.hpp"

#include <oneapi/dnnl/dnnl.hpp>

#include <stdexcept>
#include <string>

namespace gauntlet::metrics {

std::vector<float> log_softmax_rows(const float* x, int64_t rows, int64_t cols) {
  std::vector<float> out(static_cast<std::size_t>(rows * cols));
  if (out.empty()) return out;
  try {
    // One engine per process: creating it is the costly part.
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    const dnnl::memory::desc md({rows, cols}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab);
    const dnnl::softmax_v2_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_log,
                                           md, md, 1);
    const dnnl::softmax_v2_forward::primitive_desc pd(d, engine);
    dnnl::memory src(md, engine, const_cast<float*>(x));
    dnnl::memory dst(md, engine, out.data());
    dnnl::softmax_v2_forward(pd).execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    stream.wait();
  } catch (const dnnl::error& e) {
    throw std::runtime_error(std::string("oneDNN log-softmax failed: ") + e.what());
  }
  return out;
}

}  // namespace gauntlet::metrics
