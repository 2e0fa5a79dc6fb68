#include "onnx_model/onnx_checks.hpp"

#include "onnx_model/text.hpp"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

namespace gauntlet::onnx_model {
namespace {

void add_shape(std::map<std::string, Shape>& out, const onnx::ValueInfoProto& v) {
  if (!v.has_type() || !v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
  Shape s;
  for (const auto& d : v.type().tensor_type().shape().dim())
    s.push_back(d.has_dim_value() ? d.dim_value() : -1);
  out[v.name()] = std::move(s);
}

}  // namespace

void check_with_onnx(Model& model) {
  try {
    onnx::checker::check_model(*model.proto);
  } catch (const std::exception& e) {
    throw ModelError("the ONNX checker refuses the model: " + one_line(e.what()));
  }
  try {
    // Data propagation folds shape computations (PyTorch's dynamic-batch Reshape) as the
    // runner does; node-level inference errors are left for the runner's own analysis.
    onnx::shape_inference::InferShapes(*model.proto, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(false, 0, true));
  } catch (const std::exception& e) {
    throw ModelError("ONNX shape inference fails on the model: " + one_line(e.what()));
  }
}

std::map<std::string, Shape> inferred_shapes(const Model& model) {
  std::map<std::string, Shape> out;
  const auto& g = model.proto->graph();
  for (const auto& v : g.input()) add_shape(out, v);
  for (const auto& v : g.value_info()) add_shape(out, v);
  for (const auto& v : g.output()) add_shape(out, v);
  return out;
}

void compare_with_inferred(const std::map<std::string, Shape>& inferred, const Analysis& analysis) {
  for (const Step& s : analysis.steps) {
    const auto it = inferred.find(s.output);
    if (it == inferred.end()) continue;
    const Shape& ours = analysis.at(s.output).shape;
    bool same = it->second.size() == ours.size();
    for (std::size_t i = 0; same && i < ours.size(); ++i)
      same = it->second[i] < 0 || it->second[i] == ours[i];
    if (!same)
      throw ModelError(cat("the runner computes ", shape_text(ours), " for ", quoted(s.output), " of ",
                           node_text(*s.node), ", ONNX shape inference ", shape_text(it->second, "?"),
                           "; refusing rather than computing something else"));
  }
}

}  // namespace gauntlet::onnx_model
