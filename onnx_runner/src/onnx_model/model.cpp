#include "onnx_model/model.hpp"

#include "onnx_model/text.hpp"

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <queue>
#include <set>

namespace gauntlet::onnx_model {
namespace {

ValueDecl declare(const onnx::ValueInfoProto& v, const char* kind) {
  ValueDecl d;
  d.name = v.name();
  if (d.name.empty()) throw ModelError(cat("a graph ", kind, " has no name"));
  if (!v.has_type()) return d;
  if (!v.type().has_tensor_type())
    throw ModelError(cat("graph ", kind, " ", quoted(d.name),
                         " is not a tensor (sequences, maps and optionals "
                         "are not supported)"));
  const auto& tt = v.type().tensor_type();
  d.elem_type = tt.elem_type();
  if (!tt.has_shape()) return d;
  d.has_shape = true;
  if (tt.shape().dim_size() > kMaxRank)
    throw ModelError(cat("graph ", kind, " ", quoted(d.name), " has ", tt.shape().dim_size(),
                         " dimensions; the runner supports at most ", kMaxRank));
  for (const auto& dim : tt.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() < 0)
      throw ModelError(cat("graph ", kind, " ", quoted(d.name), " has a negative dimension"));
    d.dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    d.dim_names.push_back(dim.has_dim_param() ? dim.dim_param() : std::string());
  }
  return d;
}

std::string node_label(const onnx::NodeProto& n, int index) {
  // cat(), not "#" + to_string(): GCC 12 warns falsely (-Wrestrict) on the latter.
  return n.name().empty() ? cat("#", index) : n.name();
}

}  // namespace

std::string node_text(const Node& node) {
  return cat("node ", quoted(node.name), " (", escaped(node.op), ")");
}

Model parse_model(std::string_view bytes) {
  if (bytes.empty()) throw ModelError("an empty file, not an ONNX model");
  if (bytes.size() > kMaxModelBytes)
    throw ModelError(cat("the model is ", bytes_text(bytes.size()), "; the runner's limit is ",
                         bytes_text(kMaxModelBytes)));
  Model m;
  m.proto = std::make_unique<onnx::ModelProto>();
  if (!m.proto->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw ModelError("not an ONNX model: the protobuf does not parse (a truncated or damaged file?)");
  const onnx::ModelProto& p = *m.proto;
  if (!p.has_graph()) throw ModelError("not an ONNX model: it has no graph");
  m.ir_version = p.ir_version();
  m.producer = one_line(p.producer_name() + (p.producer_version().empty() ? "" : " " + p.producer_version()));
  bool has_opset = false;
  for (const auto& o : p.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      m.opset = o.version();
      has_opset = true;
    }
  if (!has_opset) throw ModelError("the model imports no opset of the default ONNX domain (ai.onnx)");

  const onnx::GraphProto& g = p.graph();
  if (g.node_size() > kMaxNodes || g.initializer_size() > kMaxNodes)
    throw ModelError(cat("the graph has ", g.node_size(), " nodes and ", g.initializer_size(),
                         " initializers; the runner's limit is ", kMaxNodes, " of each"));
  if (g.sparse_initializer_size() > 0) throw ModelError("sparse initializers are not supported");

  std::set<std::string> defined;
  auto define = [&](const std::string& name, const std::string& by) {
    if (!defined.insert(name).second)
      throw ModelError(cat("value ", quoted(name), " is defined twice (again by ", by, ")"));
  };
  for (const auto& t : g.initializer()) {
    const std::string what = cat("initializer ", quoted(t.name()));
    if (t.name().empty()) throw ModelError("an initializer has no name");
    define(t.name(), what);
    m.initializers.emplace(t.name(), constant_from_proto(t, what));
  }
  for (const auto& v : g.input()) {
    if (m.initializers.count(v.name())) continue;  // IR < 4 lists initializers as inputs too
    ValueDecl d = declare(v, "input");
    define(d.name, "graph input " + quoted(d.name));
    m.inputs.push_back(std::move(d));
  }
  for (const auto& v : g.output()) m.outputs.push_back(declare(v, "output"));
  if (m.outputs.empty()) throw ModelError("the graph has no outputs");

  // Every node's outputs, then: which node reads what nobody defines, and an order in which
  // every node comes after what it reads (Kahn's algorithm; what is left over lies on a cycle).
  std::vector<Node> nodes(static_cast<std::size_t>(g.node_size()));
  for (int k = 0; k < g.node_size(); ++k) {
    const onnx::NodeProto& n = g.node(k);
    Node& node = nodes[static_cast<std::size_t>(k)];
    node.proto = &n;
    node.op = n.op_type();
    node.domain = n.domain() == "ai.onnx" ? "" : n.domain();
    node.name = node_label(n, k);
    if (node.op.empty()) throw ModelError(cat("node ", quoted(node.name), " has no operator type"));
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    for (const auto& o : node.outputs)
      if (!o.empty()) define(o, node_text(node));
  }
  for (const Node& node : nodes)
    for (const auto& in : node.inputs)
      if (!in.empty() && !defined.count(in))
        throw ModelError(cat(node_text(node), " reads ", quoted(in),
                             ", which no node, graph input or initializer defines (a missing initializer?)"));
  for (const auto& out : m.outputs)
    if (!defined.count(out.name))
      throw ModelError(cat("graph output ", quoted(out.name), " is not computed by any node"));

  // Kahn's algorithm, in file order where the dependencies allow: each node waits for the
  // nodes that define what it reads; what never becomes ready lies on or behind a cycle.
  std::map<std::string, std::size_t> producer;
  for (std::size_t k = 0; k < nodes.size(); ++k)
    for (const auto& o : nodes[k].outputs)
      if (!o.empty()) producer[o] = k;
  std::vector<std::vector<std::size_t>> consumers(nodes.size());
  std::vector<std::size_t> waiting(nodes.size(), 0);
  for (std::size_t k = 0; k < nodes.size(); ++k)
    for (const auto& in : nodes[k].inputs) {
      const auto it = in.empty() ? producer.end() : producer.find(in);
      if (it == producer.end()) continue;
      consumers[it->second].push_back(k);
      ++waiting[k];
    }
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t k = 0; k < nodes.size(); ++k)
    if (waiting[k] == 0) ready.push(k);
  std::vector<bool> placed(nodes.size(), false);
  std::vector<std::size_t> order;
  order.reserve(nodes.size());
  while (!ready.empty()) {
    const std::size_t k = ready.top();
    ready.pop();
    placed[k] = true;
    order.push_back(k);
    for (const std::size_t c : consumers[k])
      if (--waiting[c] == 0) ready.push(c);
  }
  if (order.size() < nodes.size()) {
    // From any node left over, walk to a producer that is also left over until one repeats:
    // that node is on a cycle.
    std::size_t k = 0;
    while (placed[k]) ++k;
    std::vector<bool> seen(nodes.size(), false);
    while (!seen[k]) {
      seen[k] = true;
      for (const auto& in : nodes[k].inputs) {
        const auto it = in.empty() ? producer.end() : producer.find(in);
        if (it != producer.end() && !placed[it->second]) {
          k = it->second;
          break;
        }
      }
    }
    throw ModelError(
        cat("the graph has a cycle through ", node_text(nodes[k]), ": it depends on its own output"));
  }
  m.nodes.reserve(nodes.size());
  for (const std::size_t k : order) m.nodes.push_back(std::move(nodes[k]));
  return m;
}

Model read_model_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw ModelError(cat("cannot read the model ", path, ": ", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) throw ModelError(cat("the model ", path, " is not a regular file"));
  if (static_cast<uint64_t>(st.st_size) > kMaxModelBytes)
    throw ModelError(cat("the model is ", bytes_text(static_cast<uint64_t>(st.st_size)),
                         "; the runner's limit is ", bytes_text(kMaxModelBytes)));
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw ModelError(cat("cannot read the model ", path, ": ", std::strerror(errno)));
  return parse_model(bytes);
}

}  // namespace gauntlet::onnx_model
