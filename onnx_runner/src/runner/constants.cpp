#include "runner/constants.hpp"

#include "onnx_model/text.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace gauntlet::onnx_runner {

using onnx_model::cat;
using onnx_model::quoted;

std::shared_ptr<void> ConstantStore::hold(std::vector<float> v) {
  auto owner = std::make_shared<std::vector<float>>(std::move(v));
  return {owner, owner->data()};  // aliasing constructor: the vector lives as long as the pointer
}

std::shared_ptr<void> ConstantStore::floats(const std::string& name, const onnx_model::Constant& c) {
  auto& slot = buffers_["value:" + name];
  if (!slot) {
    if (!c.is_float())
      throw onnx_model::ModelError(cat("constant ", quoted(name), " is ",
                                       onnx_model::elem_type_name(static_cast<int32_t>(c.type)),
                                       " where the runner computes with float32"));
    std::vector<float> v = c.f;
    if (v.empty()) v.push_back(0.0f);  // oneDNN memories are never empty
    slot = hold(std::move(v));
  }
  return slot;
}

std::shared_ptr<void> ConstantStore::derived(const std::string& key,
                                             const std::function<std::vector<float>()>& make) {
  auto& slot = buffers_["derived:" + key];
  if (!slot) slot = hold(make());
  return slot;
}

std::shared_ptr<void> ConstantStore::reordered(const std::string& key, const std::shared_ptr<void>& data,
                                               const dnnl::memory::desc& source,
                                               const dnnl::memory::desc& wanted) {
  auto& list = reordered_[key];
  for (const auto& [desc, buffer] : list)
    if (desc == wanted) return buffer;
  // Aligned and zeroed: blocked layouts pad channels, and the padding must be zero.
  const std::size_t bytes = wanted.get_size();
  void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) throw std::bad_alloc();
  std::memset(p, 0, bytes);
  std::shared_ptr<void> buffer(p, std::free);
  dnnl::memory from(source, engine_, data.get()), to(wanted, engine_, buffer.get());
  dnnl::reorder(from, to).execute(stream_, from, to);
  stream_.wait();
  list.emplace_back(wanted, buffer);
  return buffer;
}

}  // namespace gauntlet::onnx_runner
