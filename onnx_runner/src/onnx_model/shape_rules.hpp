// The shape rules of the operators the runner executes (ONNX's operator specifications, for
// the opsets kMinOpset..kMaxOpset), with their attributes read and checked. Internal to
// analysis.cpp; every failure is a ModelError naming the node.
#pragma once

#include "onnx_model/analysis.hpp"
#include "onnx_model/attributes.hpp"

namespace gauntlet::onnx_model::rules {

// `axis` in [-rank, rank) made non-negative.
int64_t normalize_axis(const Attributes& a, int64_t axis, int64_t rank, const char* what);

// Conv: X [N, C, d...], W [M, C/group, k...], B [M].
Shape conv(const Attributes& a, const Shape& x, const Shape& w, const Shape* b, ConvAttrs& out);
// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool.
Shape pool(const Attributes& a, const std::string& op, const Shape& x, PoolAttrs& out);
Shape gemm(const Attributes& a, const Shape& x, const Shape& w, const Shape* c, GemmAttrs& out);
Shape matmul(const Attributes& a, const Shape& x, const Shape& w);
// Numpy-style (multidirectional) broadcasting.
Shape broadcast(const Attributes& a, const Shape& x, const Shape& y);
Shape flatten(const Attributes& a, const Shape& x);
Shape reshape(const Attributes& a, const Shape& x, const Constant& target);
Shape squeeze(const Attributes& a, const Shape& x, const std::optional<Constant>& axes);
Shape unsqueeze(const Attributes& a, const Shape& x, const Constant& axes);
Shape transpose(const Attributes& a, const Shape& x, TransposeAttrs& out);
Shape concat(const Attributes& a, const std::vector<Shape>& xs, ConcatAttrs& out);
Shape pad(const Attributes& a, const Shape& x, const Constant& pads, PadAttrs& out);

}  // namespace gauntlet::onnx_model::rules
