// Typed access to a node's attributes, with the one-line errors a wrong type or value gets.
#pragma once

#include "onnx_model/model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::onnx_model {

class Attributes {
 public:
  explicit Attributes(const Node& node) : node_(node) {}
  const Node& node() const { return node_; }

  bool has(const std::string& name) const { return find(name) != nullptr; }
  int64_t get_int(const std::string& name, int64_t fallback) const;
  float get_float(const std::string& name, float fallback) const;
  std::string get_string(const std::string& name, const std::string& fallback) const;
  std::optional<std::vector<int64_t>> get_ints(const std::string& name) const;
  std::optional<std::vector<float>> get_floats(const std::string& name) const;
  // A tensor-valued attribute (Constant's `value`), decoded and checked.
  std::optional<Constant> get_tensor(const std::string& name) const;

  // A ModelError "node 'n' (Op): <message>".
  ModelError error(const std::string& message) const;

 private:
  const onnx::AttributeProto* find(const std::string& name) const;
  const onnx::AttributeProto& expect(const onnx::AttributeProto& a, int type, const char* what) const;

  const Node& node_;
};

}  // namespace gauntlet::onnx_model
