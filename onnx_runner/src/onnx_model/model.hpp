// An ONNX model file, parsed with the ONNX library's protobuf classes and checked before
// anything else looks at it: a model is untrusted bytes (a team's upload). parse_model()
// refuses, with one line, whatever could crash, hang or exhaust the worker later: truncated or
// corrupt protobuf, values read before they are defined or defined twice, cycles, missing
// initializers, initializers whose data does not match their dims, sizes that overflow or
// exceed kMaxTensorBytes, external data, absurd counts. What it accepts is a graph in
// topological order whose every name resolves.
#pragma once

#include "onnx_model/tensor.hpp"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::onnx_model {

inline constexpr uint64_t kMaxModelBytes = uint64_t{512} << 20;  // a model file, 512 MiB
inline constexpr int kMaxNodes = 100000;
// Opsets of the default (ai.onnx) domain: the runner implements the operator definitions in
// force from kMinOpset to kMaxOpset (ONNX 1.12), and older opsets where a node's definition is
// still the same.
inline constexpr int kMinOpset = 11, kMaxOpset = 17;

// A graph input or output as the model declares it. dims: -1 for a symbolic extent
// (dim_param, e.g. the dynamic batch) or one the model leaves unset.
struct ValueDecl {
  std::string name;
  int32_t elem_type = 0;  // ONNX TensorProto.DataType; 0 when the model does not say
  bool has_shape = false;
  Shape dims;
  std::vector<std::string> dim_names;  // dim_param of each symbolic extent, "" otherwise
};

struct Node {
  const onnx::NodeProto* proto = nullptr;  // owned by Model::proto
  std::string op;                          // op_type
  std::string domain;                      // "" for ai.onnx
  std::string name;                        // the node's name, or "#<index>" when it has none
  std::vector<std::string> inputs;         // "" marks an omitted optional input
  std::vector<std::string> outputs;        // "" marks an omitted optional output
};

struct Model {
  std::unique_ptr<onnx::ModelProto> proto;
  int64_t opset = 0;  // of the default domain
  int64_t ir_version = 0;
  std::string producer;           // e.g. "pytorch 1.13.1"
  std::vector<ValueDecl> inputs;  // graph inputs that are not initializers
  std::vector<ValueDecl> outputs;
  std::map<std::string, Constant> initializers;
  std::vector<Node> nodes;  // in topological order
};

// Parses and checks the bytes of a .onnx file. Throws ModelError.
Model parse_model(std::string_view bytes);

// Reads a model file (at most kMaxModelBytes) and parses it. Throws ModelError, naming the file.
Model read_model_file(const std::string& path);

// "node 'name' (Op)" for messages, both escaped (they come from the model).
std::string node_text(const Node& node);

}  // namespace gauntlet::onnx_model
