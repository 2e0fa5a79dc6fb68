#include "onnx_model/interface.hpp"

#include "onnx_model/analysis.hpp"
#include "onnx_model/onnx_checks.hpp"
#include "onnx_model/operators.hpp"
#include "onnx_model/text.hpp"

namespace gauntlet::onnx_model {
namespace {

std::string spec_text(const IoSpec& s) { return cat(quoted(s.name), " ", s.dtype, " ", shape_text(s.shape)); }

std::string decl_text(const ValueDecl& d) { return declared_text(d); }

template <class T>
std::string list_text(const std::vector<T>& items, std::string (*text)(const T&)) {
  std::string out;
  for (const auto& i : items) out += cat(out.empty() ? "" : ", ", text(i));
  return out;
}

const ValueDecl* find_decl(const std::vector<ValueDecl>& list, const std::string& name) {
  for (const auto& d : list)
    if (d.name == name) return &d;
  return nullptr;
}

bool is_float(int32_t elem_type) {
  return elem_type == 0 || elem_type == static_cast<int32_t>(ElemType::f32);
}

}  // namespace

std::string declared_text(const ValueDecl& d) {
  std::string text = quoted(d.name) + " " + (d.elem_type ? elem_type_name(d.elem_type) : "(no type)");
  if (!d.has_shape) return text + " (no shape)";
  for (std::size_t i = 0; i < d.dims.size(); ++i) {
    text.append(i ? ", " : " [");
    text.append(d.dims[i] >= 0           ? std::to_string(d.dims[i])
                : d.dim_names[i].empty() ? "?"
                                         : escaped(d.dim_names[i]));
  }
  return text.append(d.dims.empty() ? " []" : "]");
}

void match_interface(const Model& m, const std::vector<IoSpec>& inputs, const std::vector<IoSpec>& outputs,
                     const std::vector<int64_t>& batch_sizes) {
  const std::string offered = list_text(inputs, &spec_text);
  for (const ValueDecl& decl : m.inputs) {
    const IoSpec* spec = nullptr;
    for (const auto& s : inputs)
      if (s.name == decl.name) spec = &s;
    if (!spec)
      throw ModelError(cat("the model's input ", decl_text(decl), " is not the challenge's: it gives ",
                           offered, " (export with input_names=[...] to match)"));
    if (spec->dtype != "float32")
      throw ModelError(cat("the challenge's input ", quoted(decl.name), " is ", spec->dtype,
                           "; the ONNX runner takes float32 inputs only"));
    if (!is_float(decl.elem_type))
      throw ModelError(
          cat("the model's input ", decl_text(decl), " must be float32, as the challenge's ", offered));
    if (!decl.has_shape) continue;
    if (decl.dims.size() != spec->shape.size())
      throw ModelError(cat("the model's input ", decl_text(decl), " has rank ", decl.dims.size(),
                           "; the challenge gives ", offered));
    for (std::size_t i = 0; i < decl.dims.size(); ++i) {
      if (decl.dims[i] < 0) continue;  // symbolic: whatever the judge gives
      if (i == 0 && spec->shape[0] < 0) {
        for (const int64_t b : batch_sizes)
          if (b != decl.dims[0])
            throw ModelError(cat("the model's input ", decl_text(decl), " has a fixed batch of ",
                                 decl.dims[0], ", but the judge calls it with batches of ",
                                 shape_text(batch_sizes), ": export with dynamic_axes={", quoted(decl.name),
                                 ": {0: 'batch'}}"));
      } else if (decl.dims[i] != spec->shape[i]) {
        throw ModelError(
            cat("the model's input ", decl_text(decl), " does not match the challenge's ", offered));
      }
    }
  }
  for (const auto& spec : inputs)
    if (!find_decl(m.inputs, spec.name))
      throw ModelError(cat("the challenge gives the input ", spec_text(spec),
                           ", which the model does not take; its inputs: ", list_text(m.inputs, &decl_text)));
  for (const auto& spec : outputs) {
    const ValueDecl* decl = find_decl(m.outputs, spec.name);
    if (!decl)
      throw ModelError(cat("the challenge wants the output ", spec_text(spec), "; the model's outputs are ",
                           list_text(m.outputs, &decl_text), " (export with output_names=[...])"));
    if (spec.dtype != "float32" || !is_float(decl->elem_type))
      throw ModelError(cat("the output ", quoted(spec.name), " is ", spec.dtype, " in the challenge and ",
                           decl_text(*decl), " in the model; the ONNX runner writes float32 only"));
  }
}

void match_output_shape(const IoSpec& spec, const Shape& produced, int64_t batch) {
  Shape want = spec.shape;
  if (!want.empty() && want[0] < 0) want[0] = batch;
  if (produced != want)
    throw ModelError(cat("the model's output ", quoted(spec.name), " is ", shape_text(produced), " at batch ",
                         batch, "; the challenge wants ", shape_text(spec.shape)));
}

std::map<std::string, Shape> shapes_at(const std::vector<IoSpec>& inputs, int64_t batch) {
  std::map<std::string, Shape> shapes;
  for (const auto& spec : inputs) {
    Shape s = spec.shape;
    if (!s.empty() && s[0] < 0) s[0] = batch;
    shapes[spec.name] = std::move(s);
  }
  return shapes;
}

void check_interface_and_shapes(const Model& model, const std::map<std::string, Shape>& inferred,
                                const std::vector<IoSpec>& inputs, const std::vector<IoSpec>& outputs,
                                const std::vector<int64_t>& batch_sizes) {
  match_interface(model, inputs, outputs, batch_sizes);
  for (const int64_t batch : batch_sizes) {
    const Analysis a = analyze(model, shapes_at(inputs, batch));
    compare_with_inferred(inferred, a);
    for (const auto& spec : outputs) match_output_shape(spec, a.at(spec.name).shape, batch);
  }
}

void check_for_challenge(Model& model, const std::vector<IoSpec>& inputs, const std::vector<IoSpec>& outputs,
                         const std::vector<int64_t>& batch_sizes) {
  check_supported(model);
  match_interface(model, inputs, outputs, batch_sizes);
  check_with_onnx(model);
  check_interface_and_shapes(model, inferred_shapes(model), inputs, outputs, batch_sizes);
}

}  // namespace gauntlet::onnx_model
