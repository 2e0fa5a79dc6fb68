// Gauntlet plugin SDK, part: Tensor specs: what prepare() is told about the tensors infer() will see.
// Include <gauntlet/sdk.hpp>, not this file; the contract is stated there.
#pragma once

#include <gauntlet/sdk/tensors.hpp>

namespace gauntlet::sdk {

// ---------------------------------------------------------------------------------------------
// Tensor specs (prepare)
// ---------------------------------------------------------------------------------------------

// What a tensor will look like; shape(0) == -1 stands for the batch dimension.
class TensorSpecView {
 public:
  explicit TensorSpecView(const gauntlet_tensor_spec& spec) : s_(&spec) {}

  const gauntlet_tensor_spec& raw() const noexcept { return *s_; }
  std::string_view name() const noexcept { return s_->name ? s_->name : ""; }
  gauntlet_dtype dtype() const noexcept { return s_->dtype; }
  int ndim() const noexcept { return s_->ndim; }
  int64_t shape(int dim) const {
    if (dim < 0 || dim >= s_->ndim)
      throw Error::invalid_argument(str("spec '", name(), "': dimension ", dim, " out of range"));
    return s_->shape[dim];
  }
  std::vector<int64_t> shape() const { return std::vector<int64_t>(s_->shape, s_->shape + s_->ndim); }
  // shape[1:], the shape of one sample.
  std::vector<int64_t> sample_shape() const {
    return s_->ndim > 1 ? std::vector<int64_t>(s_->shape + 1, s_->shape + s_->ndim) : std::vector<int64_t>{};
  }
  // Elements per sample; throws when a non-batch dimension is not fixed.
  int64_t sample_numel() const {
    int64_t n = 1;
    for (int d = 1; d < s_->ndim; ++d) {
      if (s_->shape[d] < 0)
        throw Error::unsupported(str("spec '", name(), "': dimension ", d, " is not fixed"));
      n *= s_->shape[d];
    }
    return n;
  }
  template <class T>
  bool is() const noexcept {
    return same_dtype(s_->dtype, dtype_of<T>());
  }
  template <class T>
  void expect() const {
    if (!is<T>())
      throw Error::unsupported(str("spec '", name(), "': expected dtype ", dtype_name(dtype_of<T>()),
                                   ", got ", dtype_name(s_->dtype)));
  }

 private:
  const gauntlet_tensor_spec* s_;
};

// The specs of prepare(). Elements are stepped by the host's struct_size so that a host built
// against another minor version (a longer or, for an older host, shorter gauntlet_tensor_spec)
// is read correctly. TensorSpecView reads only v1.0 fields.
class SpecList {
 public:
  SpecList(const gauntlet_tensor_spec* specs, size_t count) : s_(specs), n_(specs ? count : 0) {
    // Any host lays out at least the v1.0 element; an older one than this SDK, only that.
    stride_ = (s_ && s_->struct_size >= GAUNTLET_TENSOR_SPEC_V1_SIZE) ? s_->struct_size
                                                                      : sizeof(gauntlet_tensor_spec);
  }
  size_t size() const noexcept { return n_; }
  bool empty() const noexcept { return n_ == 0; }
  TensorSpecView operator[](size_t i) const {
    if (i >= n_) throw Error::invalid_argument(str("spec #", i, " requested, only ", n_, " given"));
    return TensorSpecView(
        *reinterpret_cast<const gauntlet_tensor_spec*>(reinterpret_cast<const char*>(s_) + i * stride_));
  }
  TensorSpecView get(std::string_view name) const {
    for (size_t i = 0; i < n_; ++i)
      if ((*this)[i].name() == name) return (*this)[i];
    throw Error::invalid_argument(str("no tensor spec named '", name, "'"));
  }

 private:
  const gauntlet_tensor_spec* s_;
  size_t n_;
  size_t stride_;
};

// Argument of prepare(): the exact interface infer() will see.
class PrepareContext {
 public:
  PrepareContext(SpecList inputs, SpecList outputs, std::vector<int64_t> batch_sizes)
      : inputs_(inputs), outputs_(outputs), batch_sizes_(std::move(batch_sizes)) {}

  const SpecList& inputs() const noexcept { return inputs_; }
  const SpecList& outputs() const noexcept { return outputs_; }
  // Every batch size infer() will be called with, ascending.
  const std::vector<int64_t>& batch_sizes() const noexcept { return batch_sizes_; }
  int64_t max_batch_size() const noexcept { return batch_sizes_.empty() ? 0 : batch_sizes_.back(); }

 private:
  SpecList inputs_, outputs_;
  std::vector<int64_t> batch_sizes_;
};

}  // namespace gauntlet::sdk
