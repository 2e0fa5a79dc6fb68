// The operators the runner executes, and the one-line refusal of any other.
#pragma once

#include "onnx_model/model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::onnx_model {

struct OperatorInfo {
  std::string_view name;
  std::string_view how;      // how the runner executes it (sdk/ONNX.md's operator table)
  uint32_t constant_inputs;  // bit k: input k must be known in prepare() (an initializer or folded)
};

// Every supported operator of the default domain, by name.
const std::vector<OperatorInfo>& supported_operators();
const OperatorInfo* find_operator(const std::string& domain, const std::string& op);

// "Add, AveragePool, ..." (sorted).
std::string supported_list();

// Whether input `index` of `op` must be known when the runner plans (an initializer, a
// Constant, or folded from shapes), as the runner's weights and shape arguments are.
bool requires_constant(const std::string& op, std::size_t index);

// Why the runner cannot run this node, or nothing:
// "unsupported ONNX operator 'X' (node 'n', opset 14); supported: ...".
std::optional<std::string> unsupported(const Node& node, int64_t opset);

// The opset check and the first unsupported node, as a ModelError.
void check_supported(const Model& model);

}  // namespace gauntlet::onnx_model
