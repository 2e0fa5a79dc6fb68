// Evaluation of nodes on constants in prepare(): what folds PyTorch's dynamic-batch shape chain
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) and constant arithmetic. Internal to
// analysis.cpp; errors are ModelErrors naming the node.
#pragma once

#include "onnx_model/analysis.hpp"
#include "onnx_model/attributes.hpp"

namespace gauntlet::onnx_model::fold {

Constant constant_node(const Attributes& a);
Constant shape_of(const Attributes& a, const Shape& x);
Constant gather(const Attributes& a, const Constant& data, const Constant& indices);
Constant concat(const Attributes& a, const std::vector<const Constant*>& xs);
Constant cast(const Attributes& a, const Constant& x);
Constant binary(const Attributes& a, Binary op, const Constant& x, const Constant& y);
// The same elements under a new shape.
Constant reshaped(Constant c, Shape shape);

}  // namespace gauntlet::onnx_model::fold
