// oneDNN interop for Gauntlet plugins: zero-copy dnnl::memory views of ABI tensors and the
// reverse. Written for oneDNN 2.6 (Debian's libdnnl-dev), the version the judge's worker loads;
// link the same library (CMake: LINK Gauntlet::sdk_dnnl) -- see sdk/README.md for why.
//
// No dnnl object ever crosses the C ABI: these helpers only re-describe memory the host
// already shares with the plugin.
#pragma once

#include <gauntlet/sdk.hpp>

#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstdint>
#include <string>

namespace gauntlet::sdk {

// dnnl data type of an ABI dtype. oneDNN 2.6 has no 64-bit types: s64/f64 throw
// Error(UNSUPPORTED).
inline dnnl::memory::data_type to_dnnl_data_type(gauntlet_dtype d) {
  using dt = dnnl::memory::data_type;
  if (d.lanes == 1) {
    if (d.code == GAUNTLET_DTYPE_FLOAT && d.bits == 32) return dt::f32;
    if (d.code == GAUNTLET_DTYPE_FLOAT && d.bits == 16) return dt::f16;
    if (d.code == GAUNTLET_DTYPE_BFLOAT && d.bits == 16) return dt::bf16;
    if (d.code == GAUNTLET_DTYPE_INT && d.bits == 32) return dt::s32;
    if (d.code == GAUNTLET_DTYPE_INT && d.bits == 8) return dt::s8;
    if (d.code == GAUNTLET_DTYPE_UINT && d.bits == 8) return dt::u8;
  }
  throw Error::unsupported(str("oneDNN has no data type for ", dtype_name(d)));
}

inline gauntlet_dtype from_dnnl_data_type(dnnl::memory::data_type t) {
  using dt = dnnl::memory::data_type;
  switch (t) {
    case dt::f32:
      return {GAUNTLET_DTYPE_FLOAT, 32, 1};
    case dt::f16:
      return {GAUNTLET_DTYPE_FLOAT, 16, 1};
    case dt::bf16:
      return {GAUNTLET_DTYPE_BFLOAT, 16, 1};
    case dt::s32:
      return {GAUNTLET_DTYPE_INT, 32, 1};
    case dt::s8:
      return {GAUNTLET_DTYPE_INT, 8, 1};
    case dt::u8:
      return {GAUNTLET_DTYPE_UINT, 8, 1};
    default:
      break;
  }
  throw Error::unsupported(str("no Gauntlet dtype for oneDNN data type ", static_cast<int>(t)));
}

// Memory descriptor of a tensor: same dims, same strides (in elements), mapped dtype. Layouts
// oneDNN cannot describe (negative strides, more than DNNL_MAX_NDIMS dims) throw
// Error(UNSUPPORTED).
inline dnnl::memory::desc to_dnnl_desc(const gauntlet_tensor& t) {
  const auto type = to_dnnl_data_type(t.dtype);
  const std::string what = str("tensor '", t.name, "'");
  if (t.ndim < 1 || t.ndim > DNNL_MAX_NDIMS)
    throw Error::unsupported(str(what, ": oneDNN cannot describe ndim ", t.ndim));
  const TensorView view(t);
  dnnl::memory::dims dims = view.shape();
  dnnl::memory::dims strides = view.strides();
  for (int64_t s : strides)
    if (s < 0) throw Error::unsupported(str(what, ": oneDNN cannot describe negative strides"));
  try {
    return dnnl::memory::desc(dims, type, strides);
  } catch (const dnnl::error& e) {
    throw Error::unsupported(str(what, ": oneDNN rejects its layout: ", e.what()));
  }
}
inline dnnl::memory::desc to_dnnl_desc(const TensorView& t) { return to_dnnl_desc(t.raw()); }

// Compact row-major descriptor of a spec with the batch dimension set to `batch` (prepare()).
inline dnnl::memory::desc to_dnnl_desc(const TensorSpecView& spec, int64_t batch) {
  dnnl::memory::dims dims = spec.shape();
  if (dims.empty() || dims.size() > DNNL_MAX_NDIMS)
    throw Error::unsupported(str("spec '", spec.name(), "': oneDNN cannot describe its rank"));
  dims[0] = batch;
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t d = dims.size() - 1; d > 0; --d) strides[d - 1] = strides[d] * dims[d];
  return dnnl::memory::desc(dims, to_dnnl_data_type(spec.dtype()), strides);
}

// A dnnl::memory over the tensor's own buffer (data + byte_offset): no copy, no allocation of
// the data. A read-only tensor (infer inputs, train data) must only be used as a source: oneDNN
// cannot enforce that, and writing to it faults.
inline dnnl::memory as_dnnl_memory(const gauntlet_tensor& t, const dnnl::engine& engine) {
  void* base = static_cast<char*>(t.data) + t.byte_offset;
  return dnnl::memory(to_dnnl_desc(t), engine, base);
}
inline dnnl::memory as_dnnl_memory(const TensorView& t, const dnnl::engine& engine) {
  return as_dnnl_memory(t.raw(), engine);
}

// A gauntlet_tensor describing a dnnl::memory with a plain (strided, unblocked) layout, e.g. to
// hand a plugin's own buffers to code written against TensorView. Owns the shape/strides/name
// storage the tensor points to; the data stays the dnnl::memory's, which must outlive it.
class DnnlTensorView {
 public:
  DnnlTensorView(const dnnl::memory& memory, std::string name = {}, bool read_only = false)
      : name_(std::move(name)) {
    const dnnl::memory::desc desc = memory.get_desc();
    const dnnl_memory_desc_t& md = desc.data;
    if (md.format_kind != dnnl_blocked || md.format_desc.blocking.inner_nblks != 0)
      throw Error::unsupported(
          "only plain strided oneDNN layouts (no blocking) can be described as a tensor");
    if (md.ndims < 1) throw Error::unsupported("a zero memory descriptor has no tensor view");
    for (int d = 0; d < md.ndims; ++d) {
      if (md.padded_dims[d] != md.dims[d])
        throw Error::unsupported("padded oneDNN layouts cannot be described");
      shape_[static_cast<size_t>(d)] = md.dims[d];
      strides_[static_cast<size_t>(d)] = md.format_desc.blocking.strides[d];
    }
    tensor_.data = memory.get_data_handle();
    tensor_.device = {GAUNTLET_DEVICE_CPU, 0};
    tensor_.ndim = md.ndims;
    tensor_.dtype = from_dnnl_data_type(desc.data_type());
    tensor_.byte_offset = static_cast<uint64_t>(md.offset0) * dtype_size(tensor_.dtype);
    relink();
    const TensorView view(tensor_);
    tensor_.flags = (read_only ? GAUNTLET_TENSOR_READ_ONLY : 0u) |
                    (view.is_contiguous() ? GAUNTLET_TENSOR_CONTIGUOUS : 0u) |
                    (reinterpret_cast<uintptr_t>(view.bytes()) % 64 == 0 ? GAUNTLET_TENSOR_ALIGNED_64 : 0u);
  }
  // The tensor points into this object: copies re-point it at their own storage.
  DnnlTensorView(const DnnlTensorView& o)
      : tensor_(o.tensor_), shape_(o.shape_), strides_(o.strides_), name_(o.name_) {
    relink();
  }
  DnnlTensorView& operator=(const DnnlTensorView& o) {
    tensor_ = o.tensor_;
    shape_ = o.shape_;
    strides_ = o.strides_;
    name_ = o.name_;
    relink();
    return *this;
  }

  const gauntlet_tensor& tensor() const noexcept { return tensor_; }
  gauntlet_tensor& tensor() noexcept { return tensor_; }
  TensorView view() const { return TensorView(tensor_); }

 private:
  void relink() noexcept {
    tensor_.shape = shape_.data();
    tensor_.strides = strides_.data();
    tensor_.name = name_.c_str();
  }

  gauntlet_tensor tensor_{};
  std::array<int64_t, DNNL_MAX_NDIMS> shape_{};
  std::array<int64_t, DNNL_MAX_NDIMS> strides_{};
  std::string name_;
};

}  // namespace gauntlet::sdk
