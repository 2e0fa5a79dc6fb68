// A model against a challenge's tensor interface: the same names, float32, the same extents,
// and a batch dimension the judge can vary. Used by the runner in prepare() and by the judge
// before it accepts a submitted model (gauntlet submit, gauntlet inspect --challenge).
#pragma once

#include "onnx_model/model.hpp"

#include <string>
#include <vector>

namespace gauntlet::onnx_model {

// One tensor of the challenge's interface. shape[0] == -1 is the batch.
struct IoSpec {
  std::string name;
  std::string dtype;  // "float32", "int32", ... (the runner takes float32 only)
  Shape shape;
};

// "'image' float32 [batch, 1, 28, 28]": a graph input or output as the model declares it, its
// symbolic extents by name.
std::string declared_text(const ValueDecl& decl);

// Throws ModelError (one line, saying which tensor and how to export it) unless every input of
// the challenge is one of the model's, and the other way round, every output of the challenge
// is one of the model's, all float32, with matching extents, and a fixed batch extent only when
// it is every batch size.
void match_interface(const Model& model, const std::vector<IoSpec>& inputs,
                     const std::vector<IoSpec>& outputs, const std::vector<int64_t>& batch_sizes);

// The shape the model computes for an output at `batch` against the challenge's.
void match_output_shape(const IoSpec& spec, const Shape& produced, int64_t batch);

// The input shapes at `batch` (the challenge's shapes with the batch set).
std::map<std::string, Shape> shapes_at(const std::vector<IoSpec>& inputs, int64_t batch);

// The interface, then the shapes of every value at every batch size, against ONNX's inferred
// shapes (`inferred`, from check_with_onnx).
void check_interface_and_shapes(const Model& model, const std::map<std::string, Shape>& inferred,
                                const std::vector<IoSpec>& inputs, const std::vector<IoSpec>& outputs,
                                const std::vector<int64_t>& batch_sizes);

// Checks everything the runner's prepare() checks but oneDNN: operators, the ONNX checker and
// shape inference, the interface, and the shapes of every value at every batch size.
void check_for_challenge(Model& model, const std::vector<IoSpec>& inputs, const std::vector<IoSpec>& outputs,
                         const std::vector<int64_t>& batch_sizes);

}  // namespace gauntlet::onnx_model
