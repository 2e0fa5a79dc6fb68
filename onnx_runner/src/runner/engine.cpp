#include "runner/engine.hpp"

#include "onnx_model/onnx_checks.hpp"
#include "onnx_model/operators.hpp"
#include "onnx_model/text.hpp"
#include "runner/planner.hpp"

namespace gauntlet::onnx_runner {

using onnx_model::cat;
using onnx_model::ModelError;
using onnx_model::Shape;

namespace {

Shape compact_strides(const Shape& shape) {
  Shape s(shape.size(), 1);
  for (std::size_t i = shape.size(); i > 1; --i) s[i - 2] = s[i - 1] * shape[i - 1];
  return s;
}

bool is_compact(const Buffer& b) {
  const Shape c = compact_strides(b.shape);
  for (std::size_t i = 0; i < b.shape.size(); ++i)
    if (b.shape[i] > 1 && b.strides[i] != c[i]) return false;  // extents of 1 have no stride to keep
  return true;
}

}  // namespace

Engine::Engine(onnx_model::Model model)
    : model_(std::move(model)), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_), constants_(engine_) {
  onnx_model::check_supported(model_);
  onnx_model::check_with_onnx(model_);
  inferred_ = onnx_model::inferred_shapes(model_);
}

std::vector<Shape> Engine::plan(int64_t key, const std::map<std::string, Shape>& input_shapes,
                                const std::vector<std::string>& outputs) {
  const onnx_model::Analysis analysis = onnx_model::analyze(model_, input_shapes);
  onnx_model::compare_with_inferred(inferred_, analysis);
  Planned p;
  std::vector<std::string> inputs;
  for (const auto& in : model_.inputs) {
    inputs.push_back(in.name);
    p.inputs.push_back(input_shapes.at(in.name));
  }
  for (const auto& o : outputs) {
    const auto it = analysis.values.find(o);
    if (it == analysis.values.end()) throw ModelError(cat("the model has no value ", onnx_model::quoted(o)));
    p.outputs.push_back(it->second.shape);
  }
  p.plan = Planner(analysis, engine_, constants_, inputs, outputs).build();
  auto shapes = p.outputs;
  plans_[key] = std::move(p);
  return shapes;
}

const void* Engine::staged_input(Planned& p, std::size_t i, const Buffer& b) {
  if (is_compact(b)) return b.data;
  // Another layout than the compact one the plan reads: one reorder into a compact copy, made
  // the first time these strides come (the judge passes compact tensors).
  auto& st = p.staging[{false, i}];
  if (st.buffer.empty() || st.strides != b.strides) {
    const dnnl::memory::desc from(b.shape, dnnl::memory::data_type::f32, b.strides);
    st.buffer.resize(plain_desc(b.shape).get_size() / sizeof(float));
    st.strides = b.strides;
    st.reorder = dnnl::reorder(dnnl::reorder::primitive_desc(engine_, from, engine_, plain_desc(b.shape)));
  }
  dnnl::memory from({b.shape, dnnl::memory::data_type::f32, b.strides}, engine_, b.data);
  dnnl::memory to(plain_desc(b.shape), engine_, st.buffer.data());
  st.reorder.execute(stream_, from, to);
  return st.buffer.data();
}

void* Engine::staged_output(Planned& p, std::size_t i, const Buffer& b, bool& copy_back) {
  copy_back = !is_compact(b);
  if (!copy_back) return b.data;
  auto& st = p.staging[{true, i}];
  if (st.buffer.empty() || st.strides != b.strides) {
    st.buffer.resize(plain_desc(b.shape).get_size() / sizeof(float));
    st.strides = b.strides;
    st.reorder = dnnl::reorder(
        dnnl::reorder::primitive_desc(engine_, plain_desc(b.shape), engine_,
                                      dnnl::memory::desc(b.shape, dnnl::memory::data_type::f32, b.strides)));
  }
  return st.buffer.data();
}

void Engine::run(int64_t key, const std::vector<Buffer>& inputs, const std::vector<Buffer>& outputs) {
  const auto it = plans_.find(key);
  if (it == plans_.end()) throw ModelError(cat("no plan for batch ", key, ": prepare() did not announce it"));
  Planned& p = it->second;
  if (inputs.size() != p.inputs.size() || outputs.size() != p.outputs.size())
    throw ModelError("wrong number of inputs or outputs");
  std::vector<const void*> in;
  std::vector<void*> out;
  std::vector<bool> copy_back(outputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].shape != p.inputs[i])
      throw ModelError(cat("input ", i, " has shape ", onnx_model::shape_text(inputs[i].shape),
                           ", planned for ", onnx_model::shape_text(p.inputs[i])));
    in.push_back(staged_input(p, i, inputs[i]));
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].shape != p.outputs[i])
      throw ModelError(cat("output ", i, " has shape ", onnx_model::shape_text(outputs[i].shape),
                           ", planned for ", onnx_model::shape_text(p.outputs[i])));
    bool back = false;
    out.push_back(staged_output(p, i, outputs[i], back));
    copy_back[i] = back;
  }
  p.plan->run(stream_, in, out);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!copy_back[i]) continue;
    auto& st = p.staging.at({true, i});
    dnnl::memory from(plain_desc(outputs[i].shape), engine_, st.buffer.data());
    dnnl::memory to({outputs[i].shape, dnnl::memory::data_type::f32, outputs[i].strides}, engine_,
                    outputs[i].data);
    st.reorder.execute(stream_, from, to);
  }
  stream_.wait();
}

}  // namespace gauntlet::onnx_runner
