#include "onnx_model/attributes.hpp"

#include "onnx_model/text.hpp"

namespace gauntlet::onnx_model {

ModelError Attributes::error(const std::string& message) const {
  return ModelError(cat(node_text(node_), ": ", message));
}

const onnx::AttributeProto* Attributes::find(const std::string& name) const {
  for (const auto& a : node_.proto->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

const onnx::AttributeProto& Attributes::expect(const onnx::AttributeProto& a, int type,
                                               const char* what) const {
  // A model from an old exporter may leave `type` unset; then the field present decides.
  if (a.type() != onnx::AttributeProto::UNDEFINED && a.type() != type)
    throw error(cat("attribute ", quoted(a.name()), " must be ", what));
  return a;
}

int64_t Attributes::get_int(const std::string& name, int64_t fallback) const {
  const auto* a = find(name);
  if (!a) return fallback;
  return expect(*a, onnx::AttributeProto::INT, "an integer").i();
}

float Attributes::get_float(const std::string& name, float fallback) const {
  const auto* a = find(name);
  if (!a) return fallback;
  return expect(*a, onnx::AttributeProto::FLOAT, "a float").f();
}

std::string Attributes::get_string(const std::string& name, const std::string& fallback) const {
  const auto* a = find(name);
  if (!a) return fallback;
  return expect(*a, onnx::AttributeProto::STRING, "a string").s();
}

std::optional<std::vector<int64_t>> Attributes::get_ints(const std::string& name) const {
  const auto* a = find(name);
  if (!a) return std::nullopt;
  const auto& v = expect(*a, onnx::AttributeProto::INTS, "a list of integers").ints();
  if (v.size() > 64) throw error(cat("attribute ", quoted(name), " has ", v.size(), " values"));
  return std::vector<int64_t>(v.begin(), v.end());
}

std::optional<std::vector<float>> Attributes::get_floats(const std::string& name) const {
  const auto* a = find(name);
  if (!a) return std::nullopt;
  const auto& v = expect(*a, onnx::AttributeProto::FLOATS, "a list of floats").floats();
  return std::vector<float>(v.begin(), v.end());
}

std::optional<Constant> Attributes::get_tensor(const std::string& name) const {
  const auto* a = find(name);
  if (!a) return std::nullopt;
  const auto& t = expect(*a, onnx::AttributeProto::TENSOR, "a tensor");
  if (!t.has_t()) throw error(cat("attribute ", quoted(name), " holds no tensor"));
  return constant_from_proto(t.t(), cat(node_text(node_), " attribute ", quoted(name)));
}

}  // namespace gauntlet::onnx_model
