// Gauntlet plugin SDK, part: Tensor views and the tensor lists of infer() and train().
// Include <gauntlet/sdk.hpp>, not this file; the contract is stated there.
#pragma once

#include <gauntlet/sdk/errors.hpp>

namespace gauntlet::sdk {

// ---------------------------------------------------------------------------------------------
// Tensor views
// ---------------------------------------------------------------------------------------------

namespace detail {
inline std::string quoted_name(const char* name) { return str("tensor '", name, "'"); }

// Visits every element of an N-d strided region in row-major order: fn(element_offset).
// Offsets are in elements, relative to element (0,..,0).
template <class Fn>
void for_each_offset(int ndim, const int64_t* shape, const int64_t* strides, Fn&& fn) {
  if (ndim <= 0) {
    fn(int64_t{0});
    return;
  }
  for (int d = 0; d < ndim; ++d)
    if (shape[d] <= 0) return;
  std::vector<int64_t> index(static_cast<size_t>(ndim), 0);
  const int last = ndim - 1;
  int64_t base = 0;  // offset of index[0..last-1] with index[last] == 0
  for (;;) {
    for (int64_t i = 0; i < shape[last]; ++i) fn(base + i * strides[last]);
    int d = last - 1;
    for (; d >= 0; --d) {
      base += strides[d];
      if (++index[static_cast<size_t>(d)] < shape[d]) break;
      base -= strides[d] * shape[d];
      index[static_cast<size_t>(d)] = 0;
    }
    if (d < 0) return;
  }
}
}  // namespace detail

// A read-only, non-owning view of a host tensor. Shapes and strides are in ELEMENTS; element
// (0,..,0) is at data + byte_offset. Valid only while the call that received it runs.
class TensorView {
 public:
  explicit TensorView(const gauntlet_tensor& tensor) : t_(&tensor) {}

  const gauntlet_tensor& raw() const noexcept { return *t_; }
  std::string_view name() const noexcept { return t_->name ? t_->name : ""; }
  gauntlet_dtype dtype() const noexcept { return t_->dtype; }
  int ndim() const noexcept { return t_->ndim; }

  int64_t shape(int dim) const {
    check_dim(dim);
    return t_->shape[dim];
  }
  // Stride of `dim` in elements; a NULL strides array means compact row-major.
  int64_t stride(int dim) const {
    check_dim(dim);
    if (t_->strides) return t_->strides[dim];
    int64_t s = 1;
    for (int d = dim + 1; d < t_->ndim; ++d) s *= t_->shape[d];
    return s;
  }
  std::vector<int64_t> shape() const { return std::vector<int64_t>(t_->shape, t_->shape + t_->ndim); }
  std::vector<int64_t> strides() const {
    std::vector<int64_t> s(static_cast<size_t>(t_->ndim));
    for (int d = 0; d < t_->ndim; ++d) s[static_cast<size_t>(d)] = stride(d);
    return s;
  }

  // shape[0]: the number of samples in this tensor.
  int64_t batch() const { return shape(0); }
  int64_t numel() const noexcept {
    int64_t n = 1;
    for (int d = 0; d < t_->ndim; ++d) n *= t_->shape[d];
    return n;
  }
  // Elements per sample: the product of shape[1:].
  int64_t sample_numel() const noexcept {
    int64_t n = 1;
    for (int d = 1; d < t_->ndim; ++d) n *= t_->shape[d];
    return n;
  }

  bool read_only() const noexcept { return (t_->flags & GAUNTLET_TENSOR_READ_ONLY) != 0; }
  // Computed from shape and strides (dimensions of extent 1 may have any stride), so it does not
  // depend on the host having set GAUNTLET_TENSOR_CONTIGUOUS.
  bool is_contiguous() const noexcept {
    if (!t_->strides) return true;
    int64_t expected = 1;
    for (int d = t_->ndim - 1; d >= 0; --d) {
      if (t_->shape[d] != 1 && t_->strides[d] != expected) return false;
      expected *= t_->shape[d];
    }
    return true;
  }
  // Whether every sample's elements are compact row-major (samples may be apart).
  bool is_sample_contiguous() const noexcept {
    if (!t_->strides) return true;
    int64_t expected = 1;
    for (int d = t_->ndim - 1; d >= 1; --d) {
      if (t_->shape[d] != 1 && t_->strides[d] != expected) return false;
      expected *= t_->shape[d];
    }
    return true;
  }

  // Address of element (0,..,0).
  const void* bytes() const noexcept { return static_cast<const char*>(t_->data) + t_->byte_offset; }

  template <class T>
  bool is() const noexcept {
    return same_dtype(t_->dtype, dtype_of<T>());
  }
  // Throws Error(UNSUPPORTED) naming the tensor when the dtype is not T.
  template <class T>
  void expect() const {
    if (!is<T>())
      throw Error::unsupported(str(detail::quoted_name(t_->name), ": expected dtype ",
                                   dtype_name(dtype_of<T>()), ", got ", dtype_name(t_->dtype)));
  }

  // Typed pointer to element (0,..,0). Index it with stride(), not with the shape, unless
  // is_contiguous().
  template <class T>
  const T* data() const {
    expect<T>();
    return static_cast<const T*>(bytes());
  }
  // Pointer to the first element of sample i (i * stride(0) elements from data()).
  template <class T>
  const T* sample(int64_t i) const {
    check_sample(i);
    return data<T>() + i * stride(0);
  }
  // Bounds-checked element access: at<float>(n, c, h, w). Convenient, not fast.
  template <class T, class... Index>
  const T& at(Index... index) const {
    return data<T>()[offset_of(index...)];
  }

  // Copies the whole tensor to dst as compact row-major (numel() elements), honouring strides.
  template <class T>
  void copy_to(T* dst) const {
    const T* src = data<T>();
    if (is_contiguous()) {
      std::memcpy(dst, src, static_cast<size_t>(numel()) * sizeof(T));
      return;
    }
    const std::vector<int64_t> st = strides();
    detail::for_each_offset(t_->ndim, t_->shape, st.data(), [&](int64_t off) { *dst++ = src[off]; });
  }
  template <class T>
  std::vector<T> to_vector() const {
    std::vector<T> v(static_cast<size_t>(numel()));
    copy_to(v.data());
    return v;
  }
  // Copies sample i to dst as compact row-major (sample_numel() elements).
  template <class T>
  void copy_sample_to(int64_t i, T* dst) const {
    const T* src = sample<T>(i);
    if (is_sample_contiguous()) {
      std::memcpy(dst, src, static_cast<size_t>(sample_numel()) * sizeof(T));
      return;
    }
    const std::vector<int64_t> st = strides();
    detail::for_each_offset(t_->ndim - 1, t_->shape + 1, st.data() + 1,
                            [&](int64_t off) { *dst++ = src[off]; });
  }

 protected:
  void check_dim(int dim) const {
    if (dim < 0 || dim >= t_->ndim)
      throw Error::invalid_argument(
          str(detail::quoted_name(t_->name), ": dimension ", dim, " out of range (ndim ", t_->ndim, ")"));
  }
  void check_sample(int64_t i) const {
    if (i < 0 || i >= batch())
      throw Error::invalid_argument(
          str(detail::quoted_name(t_->name), ": sample ", i, " out of range (batch ", batch(), ")"));
  }
  template <class... Index>
  int64_t offset_of(Index... index) const {
    static_assert((std::is_integral_v<Index> && ...), "indices must be integers");
    if (static_cast<int>(sizeof...(Index)) != t_->ndim)
      throw Error::invalid_argument(str(detail::quoted_name(t_->name), ": ", sizeof...(Index),
                                        " indices for a tensor of ndim ", t_->ndim));
    const int64_t idx[] = {static_cast<int64_t>(index)...};
    int64_t off = 0;
    for (int d = 0; d < t_->ndim; ++d) {
      if (idx[d] < 0 || idx[d] >= t_->shape[d])
        throw Error::invalid_argument(
            str(detail::quoted_name(t_->name), ": index ", idx[d], " out of range in dimension ", d));
      off += idx[d] * stride(d);
    }
    return off;
  }

  const gauntlet_tensor* t_;
};

// A writable view (infer() outputs). Refuses tensors flagged GAUNTLET_TENSOR_READ_ONLY.
class MutableTensorView : public TensorView {
 public:
  explicit MutableTensorView(gauntlet_tensor& tensor) : TensorView(tensor) {
    if (read_only()) throw Error::invalid_argument(str(detail::quoted_name(tensor.name), " is read-only"));
  }

  gauntlet_tensor& raw() const noexcept { return const_cast<gauntlet_tensor&>(*t_); }
  void* mutable_bytes() const noexcept { return static_cast<char*>(t_->data) + t_->byte_offset; }

  template <class T>
  T* data() const {
    expect<T>();
    return static_cast<T*>(mutable_bytes());
  }
  template <class T>
  T* sample(int64_t i) const {
    check_sample(i);
    return data<T>() + i * stride(0);
  }
  template <class T, class... Index>
  T& at(Index... index) const {
    return data<T>()[offset_of(index...)];
  }

  // Fills the tensor from compact row-major src (numel() elements), honouring strides.
  template <class T>
  void copy_from(const T* src) const {
    T* dst = data<T>();
    if (is_contiguous()) {
      std::memcpy(dst, src, static_cast<size_t>(numel()) * sizeof(T));
      return;
    }
    const std::vector<int64_t> st = strides();
    detail::for_each_offset(t_->ndim, t_->shape, st.data(), [&](int64_t off) { dst[off] = *src++; });
  }
  // Fills sample i from compact row-major src (sample_numel() elements).
  template <class T>
  void copy_sample_from(int64_t i, const T* src) const {
    T* dst = sample<T>(i);
    if (is_sample_contiguous()) {
      std::memcpy(dst, src, static_cast<size_t>(sample_numel()) * sizeof(T));
      return;
    }
    const std::vector<int64_t> st = strides();
    detail::for_each_offset(t_->ndim - 1, t_->shape + 1, st.data() + 1,
                            [&](int64_t off) { dst[off] = *src++; });
  }
  template <class T>
  void fill(T value) const {
    T* dst = data<T>();
    const std::vector<int64_t> st = strides();
    detail::for_each_offset(t_->ndim, t_->shape, st.data(), [&](int64_t off) { dst[off] = value; });
  }
};

// The tensors of one call, by position or by their YAML name.
template <class View, class Raw>
class BasicTensorList {
 public:
  BasicTensorList(Raw* tensors, size_t count) : t_(tensors), n_(tensors ? count : 0) {}

  size_t size() const noexcept { return n_; }
  bool empty() const noexcept { return n_ == 0; }
  Raw* raw() const noexcept { return t_; }

  View operator[](size_t i) const {
    if (i >= n_) throw Error::invalid_argument(str("tensor #", i, " requested, only ", n_, " given"));
    return View(t_[i]);
  }
  std::optional<View> find(std::string_view name) const {
    for (size_t i = 0; i < n_; ++i)
      if (t_[i].name && name == t_[i].name) return View(t_[i]);
    return std::nullopt;
  }
  // Throws Error(INVALID_ARGUMENT) listing the names present when `name` is missing.
  View get(std::string_view name) const {
    if (auto v = find(name)) return *v;
    std::string have;
    for (size_t i = 0; i < n_; ++i)
      have.append(have.empty() ? "" : ", ").append(t_[i].name ? t_[i].name : "?");
    throw Error::invalid_argument(str("no tensor named '", name, "' (have: ", have, ")"));
  }

 private:
  Raw* t_;
  size_t n_;
};
using TensorList = BasicTensorList<TensorView, const gauntlet_tensor>;
using MutableTensorList = BasicTensorList<MutableTensorView, gauntlet_tensor>;

// The inputs of one infer() call: read-only, all with shape[0] == batch_size().
class InputBatch : public TensorList {
 public:
  InputBatch(const gauntlet_tensor* tensors, size_t count, int64_t batch_size)
      : TensorList(tensors, count), batch_size_(batch_size) {}
  int64_t batch_size() const noexcept { return batch_size_; }

 private:
  int64_t batch_size_;
};

// The outputs of one infer() call: host memory the plugin must fill completely.
class OutputBatch : public MutableTensorList {
 public:
  OutputBatch(gauntlet_tensor* tensors, size_t count, int64_t batch_size)
      : MutableTensorList(tensors, count), batch_size_(batch_size) {}
  int64_t batch_size() const noexcept { return batch_size_; }

 private:
  int64_t batch_size_;
};

// The training split given to train(): read-only, valid only during the call.
class TrainData {
 public:
  TrainData(TensorList inputs, TensorList targets, double time_limit_seconds)
      : inputs_(inputs), targets_(targets), time_limit_(time_limit_seconds) {}

  const TensorList& inputs() const noexcept { return inputs_; }
  const TensorList& targets() const noexcept { return targets_; }
  TensorView input(size_t i = 0) const { return inputs_[i]; }
  TensorView target(size_t i = 0) const { return targets_[i]; }
  // Samples in the split (shape[0] of the first input).
  int64_t num_samples() const { return inputs_.empty() ? 0 : inputs_[0].batch(); }
  // Wall-clock budget of the train() call; <= 0 when the host stated none.
  double time_limit_seconds() const noexcept { return time_limit_; }

 private:
  TensorList inputs_, targets_;
  double time_limit_;
};

}  // namespace gauntlet::sdk
