// The ONNX library's own checks, after the runner's (model.hpp) have made sure the model is
// safe to hand to it: its checker (every node against its operator's schema), then its shape
// inference, whose shapes the runner's analysis must agree with (a disagreement is refused, not
// computed).
#pragma once

#include "onnx_model/analysis.hpp"
#include "onnx_model/model.hpp"

#include <map>
#include <string>

namespace gauntlet::onnx_model {

// Runs the checker and the shape inference (which annotates model.proto's value_info). Throws
// ModelError with the checker's message on one line.
void check_with_onnx(Model& model);

// What ONNX's shape inference found, by value name (graph inputs, outputs and intermediate
// values), -1 for a symbolic or unknown extent. Values without a known rank are left out.
std::map<std::string, Shape> inferred_shapes(const Model& model);

// Every runtime value whose shape ONNX inferred must have the analysis's shape (symbolic
// extents match anything). Throws ModelError naming the first that differs.
void compare_with_inferred(const std::map<std::string, Shape>& inferred, const Analysis& analysis);

}  // namespace gauntlet::onnx_model
