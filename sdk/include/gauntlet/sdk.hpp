// Gauntlet plugin SDK: a header-only C++17 layer over the C ABI (gauntlet/plugin_api.h).
//
// A plugin is one class derived from gauntlet::sdk::Plugin plus one macro:
//
//   #include <gauntlet/sdk.hpp>
//   namespace sdk = gauntlet::sdk;
//
//   class MyModel : public sdk::Plugin {
//    public:
//     explicit MyModel(const sdk::CreateContext& ctx) : Plugin(ctx) {}
//     void prepare(const sdk::PrepareContext& ctx) override;   // optional
//     void train(const sdk::TrainData& data) override;         // optional
//     void infer(sdk::InputBatch in, sdk::OutputBatch out) override;
//   };
//   GAUNTLET_PLUGIN(MyModel, "my-model", "Team Name", "1.0", "One line about it")
//
// The macro defines the only exported symbol (gauntlet_plugin_entry) and a static function
// table whose every entry catches every exception: no C++ exception ever crosses the C ABI.
// Throw sdk::Error(status, message) to choose the status the judge sees; any other
// std::exception becomes GAUNTLET_ERROR with its what() as the message, std::bad_alloc becomes
// GAUNTLET_OUT_OF_MEMORY, anything else GAUNTLET_ERROR "unknown exception".
//
// Threads: the host calls every virtual below from one thread (the "plugin thread"), never two
// at once. You may start threads inside a call (up to num_threads() in total, counting the
// plugin thread) but they must be idle when the call returns. Host services (log,
// should_cancel) may be called from any thread.
//
// Lifetime: every view handed to a virtual (tensors, specs, lists) points into host memory
// that is valid only during that call. Copy what you keep.
#pragma once

#include <gauntlet/plugin_api.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace gauntlet::sdk {

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

namespace detail {
inline void append_piece(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }
inline void append_piece(std::string& out, const char* s) { out.append(s ? s : ""); }
inline void append_piece(std::string& out, char c) { out.push_back(c); }
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
void append_piece(std::string& out, T v) {
  out.append(std::to_string(v));
}
}  // namespace detail

// Concatenates strings and numbers into one message: str("label ", 12, " of sample ", i).
// (Appending also sidesteps GCC 12's false -Wrestrict on `"literal" + std::to_string(n)`.)
template <class... Pieces>
std::string str(const Pieces&... pieces) {
  std::string out;
  (detail::append_piece(out, pieces), ...);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

// The exception to throw from a plugin when the status matters. The export layer turns it into
// the status it carries and makes last_error() return what().
class Error : public std::runtime_error {
 public:
  Error(gauntlet_status status, const std::string& message)
      : std::runtime_error(message), status_(status == GAUNTLET_OK ? GAUNTLET_ERROR : status) {}
  explicit Error(const std::string& message) : Error(GAUNTLET_ERROR, message) {}

  gauntlet_status status() const noexcept { return status_; }

  static Error unsupported(const std::string& m) { return Error(GAUNTLET_UNSUPPORTED, m); }
  static Error invalid_argument(const std::string& m) { return Error(GAUNTLET_INVALID_ARGUMENT, m); }
  static Error cancelled(const std::string& m) { return Error(GAUNTLET_CANCELLED, m); }

 private:
  gauntlet_status status_;
};

// ---------------------------------------------------------------------------------------------
// Element types
// ---------------------------------------------------------------------------------------------

namespace detail {
template <class T>
struct DTypeOf;  // only the element types below have a gauntlet_dtype
template <>
struct DTypeOf<float> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_FLOAT, 32, 1};
};
template <>
struct DTypeOf<double> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_FLOAT, 64, 1};
};
template <>
struct DTypeOf<int32_t> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_INT, 32, 1};
};
template <>
struct DTypeOf<int64_t> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_INT, 64, 1};
};
template <>
struct DTypeOf<int8_t> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_INT, 8, 1};
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr gauntlet_dtype value{GAUNTLET_DTYPE_UINT, 8, 1};
};
}  // namespace detail

// The gauntlet_dtype of a C++ element type (float, double, int32_t, int64_t, int8_t, uint8_t).
template <class T>
constexpr gauntlet_dtype dtype_of() noexcept {
  return detail::DTypeOf<std::remove_cv_t<T>>::value;
}

constexpr bool same_dtype(gauntlet_dtype a, gauntlet_dtype b) noexcept {
  return a.code == b.code && a.bits == b.bits && a.lanes == b.lanes;
}

// Bytes per element (lanes included).
constexpr size_t dtype_size(gauntlet_dtype d) noexcept {
  return (static_cast<size_t>(d.bits) * (d.lanes ? d.lanes : 1) + 7) / 8;
}

// "f32", "s32", "s64", "u8", ... as in the challenge YAML.
inline std::string dtype_name(gauntlet_dtype d) {
  const char* prefix = nullptr;
  switch (d.code) {
    case GAUNTLET_DTYPE_FLOAT:
      prefix = "f";
      break;
    case GAUNTLET_DTYPE_INT:
      prefix = "s";
      break;
    case GAUNTLET_DTYPE_UINT:
      prefix = "u";
      break;
    case GAUNTLET_DTYPE_BFLOAT:
      prefix = "bf";
      break;
  }
  std::string name = prefix ? str(prefix, d.bits) : str("dtype(", d.code, ",", d.bits, ")");
  if (d.lanes != 1) name.append("x").append(std::to_string(d.lanes));
  return name;
}

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

// ---------------------------------------------------------------------------------------------
// Configuration (the challenge's plugin_config)
// ---------------------------------------------------------------------------------------------

// Key/value strings from the YAML (scalars as their text) with typed getters:
//   int epochs = config().get<int>("epochs", 8);     // default when absent
//   double lr = config().get<double>("learning_rate"); // throws when absent
// A present but malformed value throws Error(INVALID_ARGUMENT) naming the key, so that a typo
// in the YAML is reported instead of silently replaced by the default.
class Config {
 public:
  Config() = default;
  Config(const gauntlet_config_entry* entries, size_t count) {
    for (size_t i = 0; entries && i < count; ++i)
      if (entries[i].key) set(entries[i].key, entries[i].value ? entries[i].value : "");
  }

  void set(std::string key, std::string value) { map_[std::move(key)] = std::move(value); }
  bool has(std::string_view key) const { return map_.find(key) != map_.end(); }
  const std::map<std::string, std::string, std::less<>>& entries() const noexcept { return map_; }

  template <class T>
  T get(std::string_view key) const {
    auto it = map_.find(key);
    if (it == map_.end()) throw Error::invalid_argument(str("plugin_config: missing key '", key, "'"));
    return parse<T>(key, it->second);
  }
  template <class T>
  T get(std::string_view key, const T& fallback) const {
    auto it = map_.find(key);
    return it == map_.end() ? fallback : parse<T>(key, it->second);
  }

  // Parses one YAML scalar as T (bool, an integer type, float, double or std::string).
  template <class T>
  static T parse(std::string_view key, std::string_view text) {
    std::string_view s = trim(text);
    auto fail = [&](const char* what) -> Error {
      return Error::invalid_argument(str("plugin_config '", key, "': expected ", what, ", got '", text, "'"));
    };
    if constexpr (std::is_same_v<T, std::string>) {
      return std::string(text);
    } else if constexpr (std::is_same_v<T, bool>) {
      std::string l(s);
      for (char& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      if (l == "true" || l == "yes" || l == "on" || l == "1") return true;
      if (l == "false" || l == "no" || l == "off" || l == "0") return false;
      throw fail("a boolean");
    } else if constexpr (std::is_integral_v<T>) {
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      T v{};
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        throw fail(ec == std::errc::result_out_of_range ? "an integer in range" : "an integer");
      return v;
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      T v{};
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (s.empty() || ec != std::errc() || p != s.data() + s.size()) throw fail("a number");
      return v;
    } else {
      static_assert(sizeof(T) == 0, "Config::get supports bool, integers, float, double and std::string");
    }
  }

 private:
  static std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  }

  std::map<std::string, std::string, std::less<>> map_;
};

// ---------------------------------------------------------------------------------------------
// Host services
// ---------------------------------------------------------------------------------------------

enum class LogLevel : int32_t {
  debug = GAUNTLET_LOG_DEBUG,
  info = GAUNTLET_LOG_INFO,
  warning = GAUNTLET_LOG_WARNING,
  error = GAUNTLET_LOG_ERROR,
};

// The host's services. [thread-safe]: callable from any plugin thread. A missing host (NULL,
// as in a unit test) or a missing service makes log() a no-op and should_cancel() false.
class Host {
 public:
  Host() = default;
  explicit Host(const gauntlet_host_api* api) : api_(api) {}

  const gauntlet_host_api* raw() const noexcept { return api_; }
  std::string_view name() const noexcept { return api_ && api_->host_name ? api_->host_name : ""; }

  // One line in the judge's log; rate-limited by the host, never blocks.
  void log(LogLevel level, const char* message) const noexcept {
    if (api_ && has_field(offsetof(gauntlet_host_api, log) + sizeof(api_->log)) && api_->log)
      api_->log(api_, static_cast<int32_t>(level), message ? message : "");
  }
  void log(LogLevel level, const std::string& message) const noexcept { log(level, message.c_str()); }

  // True when the host wants the current call to stop early (its time limit is near).
  bool should_cancel() const noexcept {
    return api_ && has_field(offsetof(gauntlet_host_api, should_cancel) + sizeof(api_->should_cancel)) &&
           api_->should_cancel && api_->should_cancel(api_) != 0;
  }

 private:
  bool has_field(size_t end) const noexcept { return api_->struct_size >= end; }
  const gauntlet_host_api* api_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// The plugin base class
// ---------------------------------------------------------------------------------------------

// Everything create() received, copied (the C arguments die with the call). A plain struct so
// that a test can construct a plugin directly, without the C table.
struct CreateContext {
  Config config;             // the challenge's plugin_config
  uint32_t num_threads = 1;  // thread budget, the plugin thread included
  std::string challenge_id;
  std::string asset_dir;  // the plugin's read-only files; empty when it has none
  uint64_t seed = 0;      // seed of this run: use it for reproducible training
  Host host;
};

// Base class of a plugin. The derived class must be constructible from `const CreateContext&`
// and must declare its overrides public (the export macro inspects &Derived::train).
//
// Contract of each member, in call order (the C ABI's, restated for C++):
//
// constructor(const CreateContext&)  [plugin-thread, untimed, setup time limit]
//   Called by create(). Read config, set the thread budget of your threading runtime, load
//   assets. Throwing fails create(); the message is reported through last_error(NULL).
//
// prepare(const PrepareContext&)  [plugin-thread, untimed, setup time limit]
//   Called exactly once before train()/infer() with the exact tensor specs and every batch
//   size infer() will see. Build kernels, primitives and scratch buffers here, so that infer()
//   allocates nothing. Default: does nothing. Reject an interface you cannot serve with
//   Error::unsupported(...).
//
// train(const TrainData&)  [plugin-thread, untimed but wall-clock limited]
//   Called at most once, only if the plugin has GAUNTLET_CAP_TRAIN (i.e. overrides train) and
//   the challenge allows training. The training split is read-only shared memory valid only
//   during the call: copy or fully consume it. Poll should_cancel() between mini-batches; on
//   cancel either return normally with the model learned so far (the run continues), or throw
//   Error::cancelled(...) (the run ends). Default: throws Error(UNSUPPORTED).
//
// infer(InputBatch, OutputBatch)  [plugin-thread, TIMED around the whole call]
//   Write every element of every output for the batch. Inputs are read-only (writing faults).
//   Must not depend on earlier calls' inputs: the host may repeat or reorder samples. Output
//   writes after returning are lost; threads you started must be idle when you return.
//
// destructor  [plugin-thread, untimed]
//   Called by destroy(), also after a failed call. Stop and join every thread you started.
class Plugin {
 public:
  explicit Plugin(const CreateContext& ctx) : ctx_(ctx) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  virtual void prepare(const PrepareContext& /*ctx*/) {}
  virtual void train(const TrainData& /*data*/) {
    throw Error::unsupported("this plugin does not implement train()");
  }
  virtual void infer(InputBatch inputs, OutputBatch outputs) = 0;

  const Config& config() const noexcept { return ctx_.config; }
  uint32_t num_threads() const noexcept { return ctx_.num_threads; }
  uint64_t seed() const noexcept { return ctx_.seed; }
  const std::string& challenge_id() const noexcept { return ctx_.challenge_id; }
  const std::string& asset_dir() const noexcept { return ctx_.asset_dir; }
  const Host& host() const noexcept { return ctx_.host; }

  // [thread-safe] Shorthands for host().log / host().should_cancel.
  void log(LogLevel level, const std::string& message) const noexcept { ctx_.host.log(level, message); }
  bool should_cancel() const noexcept { return ctx_.host.should_cancel(); }
  // Throws Error::cancelled when the host asks to stop.
  void throw_if_cancelled() const {
    if (should_cancel()) throw Error::cancelled("stopped on the host's request (should_cancel)");
  }

 private:
  CreateContext ctx_;
};

// ---------------------------------------------------------------------------------------------
// The export layer: C function table over a Plugin class
// ---------------------------------------------------------------------------------------------

namespace detail {

// Fixed-size storage for last_error(): recording a failure never allocates, so an out-of-memory
// failure can still be described.
class ErrorSlot {
 public:
  static constexpr size_t kCapacity = 2048;
  void clear() noexcept { text_[0] = '\0'; }
  void set(const char* message) noexcept {
    if (!message || !*message) message = "unspecified error";
    size_t n = std::strlen(message);
    if (n >= kCapacity) {
      n = kCapacity - 1;
      while (n > 0 && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80) --n;  // keep UTF-8 whole
    }
    std::memcpy(text_, message, n);
    text_[n] = '\0';
  }
  const char* get() const noexcept { return text_; }

 private:
  char text_[kCapacity] = {};
};

// Runs f, mapping every exception to a status and a message. The only place exceptions stop.
template <class F>
gauntlet_status guarded(ErrorSlot& slot, F&& f) noexcept {
  slot.clear();
  try {
    f();
    return GAUNTLET_OK;
  } catch (const Error& e) {
    slot.set(e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    slot.set("out of memory (std::bad_alloc)");
    return GAUNTLET_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    slot.set(e.what());
    return GAUNTLET_ERROR;
  } catch (...) {
    slot.set("unknown exception");
    return GAUNTLET_ERROR;
  }
}

// What a gauntlet_instance* really points to.
struct Instance {
  std::unique_ptr<Plugin> plugin;
  ErrorSlot error;
  bool prepared = false;
};

// Rejects a NULL or truncated argument struct (every v1 host fills at least the v1 fields).
template <class Args>
void check_args(const Args* args, size_t v1_size, const char* what) {
  if (!args) throw Error::invalid_argument(str(what, " is NULL"));
  if (args->struct_size < v1_size)
    throw Error::invalid_argument(
        str(what, ": struct_size ", args->struct_size, " is smaller than the v1 layout (", v1_size, ")"));
}

template <class P, class = void>
struct HasCanTrainFlag : std::false_type {};
template <class P>
struct HasCanTrainFlag<P, std::void_t<decltype(P::kCanTrain)>> : std::true_type {};
template <class P, class = void>
struct TrainIsVisible : std::false_type {};
template <class P>
struct TrainIsVisible<P, std::void_t<decltype(&P::train)>> : std::true_type {};

}  // namespace detail

// True when P implements train(): P (or a base between P and Plugin) overrides it, detected by
// the type of &P::train, which names the class that declares the function found by lookup. A
// class may instead state it with `static constexpr bool kCanTrain = true/false;`.
template <class P>
constexpr bool can_train() {
  if constexpr (detail::HasCanTrainFlag<P>::value) {
    return P::kCanTrain;
  } else {
    static_assert(detail::TrainIsVisible<P>::value,
                  "declare train() public and not overloaded, or state `static constexpr bool kCanTrain`");
    return !std::is_same_v<decltype(&P::train), void (Plugin::*)(const TrainData&)>;
  }
}

// The C table for a traits struct { using type = P; static constexpr const char *name, *team,
// *version, *description; }. GAUNTLET_PLUGIN instantiates it; tests may use it directly.
template <class Traits>
struct Exporter {
  using P = typename Traits::type;
  static_assert(std::is_base_of_v<Plugin, P>, "the plugin class must derive from gauntlet::sdk::Plugin");
  static_assert(std::is_constructible_v<P, const CreateContext&>,
                "the plugin class must be constructible from const gauntlet::sdk::CreateContext&");

  static constexpr uint64_t kCapabilities = can_train<P>() ? GAUNTLET_CAP_TRAIN : 0;
  static constexpr gauntlet_plugin_info kInfo{sizeof(gauntlet_plugin_info),
                                              0,
                                              Traits::name,
                                              Traits::team,
                                              Traits::version,
                                              Traits::description,
                                              kCapabilities};

  static const gauntlet_plugin_info* get_info() noexcept { return &kInfo; }

  static gauntlet_status create(const gauntlet_create_args* args, gauntlet_instance** out) noexcept {
    if (out) *out = nullptr;
    return detail::guarded(create_error(), [&] {
      if (!out) throw Error::invalid_argument("create: out_instance is NULL");
      detail::check_args(args, GAUNTLET_CREATE_ARGS_V1_SIZE, "create args");
      CreateContext ctx;
      ctx.config = Config(args->config, args->num_config);
      ctx.num_threads = args->num_threads ? args->num_threads : 1;
      ctx.challenge_id = args->challenge_id ? args->challenge_id : "";
      ctx.asset_dir = args->asset_dir ? args->asset_dir : "";
      ctx.seed = args->seed;
      ctx.host = Host(host());
      auto instance = std::make_unique<detail::Instance>();
      instance->plugin = std::make_unique<P>(ctx);
      *out = reinterpret_cast<gauntlet_instance*>(instance.release());
    });
  }

  static gauntlet_status prepare(gauntlet_instance* handle, const gauntlet_prepare_args* args) noexcept {
    if (!handle) return GAUNTLET_INVALID_ARGUMENT;
    detail::Instance& inst = *reinterpret_cast<detail::Instance*>(handle);
    return detail::guarded(inst.error, [&] {
      detail::check_args(args, GAUNTLET_PREPARE_ARGS_V1_SIZE, "prepare args");
      std::vector<int64_t> sizes;
      if (args->batch_sizes) sizes.assign(args->batch_sizes, args->batch_sizes + args->num_batch_sizes);
      inst.plugin->prepare(PrepareContext(SpecList(args->inputs, args->num_inputs),
                                          SpecList(args->outputs, args->num_outputs), std::move(sizes)));
      inst.prepared = true;
    });
  }

  static gauntlet_status train(gauntlet_instance* handle, const gauntlet_train_args* args) noexcept {
    if (!handle) return GAUNTLET_INVALID_ARGUMENT;
    detail::Instance& inst = *reinterpret_cast<detail::Instance*>(handle);
    return detail::guarded(inst.error, [&] {
      detail::check_args(args, GAUNTLET_TRAIN_ARGS_V1_SIZE, "train args");
      if (!inst.prepared) throw Error::invalid_argument("train() called before prepare()");
      inst.plugin->train(TrainData(TensorList(args->inputs, args->num_inputs),
                                   TensorList(args->targets, args->num_targets), args->time_limit_seconds));
    });
  }

  static gauntlet_status infer(gauntlet_instance* handle, const gauntlet_infer_args* args) noexcept {
    if (!handle) return GAUNTLET_INVALID_ARGUMENT;
    detail::Instance& inst = *reinterpret_cast<detail::Instance*>(handle);
    return detail::guarded(inst.error, [&] {
      detail::check_args(args, GAUNTLET_INFER_ARGS_V1_SIZE, "infer args");
      if (!inst.prepared) throw Error::invalid_argument("infer() called before prepare()");
      inst.plugin->infer(InputBatch(args->inputs, args->num_inputs, args->batch_size),
                         OutputBatch(args->outputs, args->num_outputs, args->batch_size));
    });
  }

  static void destroy(gauntlet_instance* handle) noexcept {
    // A throwing destructor would terminate here (destructors are noexcept): never throw from one.
    delete reinterpret_cast<detail::Instance*>(handle);
  }

  static const char* last_error(const gauntlet_instance* handle) noexcept {
    return handle ? reinterpret_cast<const detail::Instance*>(handle)->error.get() : create_error().get();
  }

  static constexpr gauntlet_plugin_api kTable{
      sizeof(gauntlet_plugin_api),
      GAUNTLET_ABI_MAJOR,
      GAUNTLET_ABI_MINOR,
      0,
      &get_info,
      &create,
      &prepare,
      can_train<P>() ? &train : nullptr,
      &infer,
      &destroy,
      &last_error,
  };

  // The entry function's body: NULL for another major version, else the table.
  static const gauntlet_plugin_api* entry(uint32_t host_abi_major, uint32_t /*host_abi_minor*/,
                                          const gauntlet_host_api* host_api) noexcept {
    if (host_abi_major != GAUNTLET_ABI_MAJOR) return nullptr;
    // The services table is valid until destroy() returns (or unload): keep the pointer only.
    host() = host_api;
    return &kTable;
  }

  static const gauntlet_host_api*& host() noexcept {
    static const gauntlet_host_api* h = nullptr;
    return h;
  }
  static detail::ErrorSlot& create_error() noexcept {
    static detail::ErrorSlot slot;
    return slot;
  }
};

}  // namespace gauntlet::sdk

// Exports `Class` as the plugin of this shared library. Use once, at global namespace scope, in
// one source file. Defines gauntlet_plugin_entry (the library's only exported symbol), the
// static gauntlet_plugin_api table and gauntlet_plugin_info. Capabilities: GAUNTLET_CAP_TRAIN iff
// Class overrides train() (see gauntlet::sdk::can_train).
#define GAUNTLET_PLUGIN(Class, Name, Team, Version, Description)                                         \
  namespace {                                                                                            \
  struct GauntletPluginTraits {                                                                          \
    using type = Class;                                                                                  \
    static constexpr const char* name = Name;                                                            \
    static constexpr const char* team = Team;                                                            \
    static constexpr const char* version = Version;                                                      \
    static constexpr const char* description = Description;                                              \
  };                                                                                                     \
  }                                                                                                      \
  extern "C" GAUNTLET_EXPORT const gauntlet_plugin_api* gauntlet_plugin_entry(                           \
      uint32_t host_abi_major, uint32_t host_abi_minor, const gauntlet_host_api* host) {                 \
    return ::gauntlet::sdk::Exporter<GauntletPluginTraits>::entry(host_abi_major, host_abi_minor, host); \
  }
