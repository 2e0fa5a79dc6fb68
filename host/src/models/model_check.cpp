#include "models/model_check.hpp"

#include "common/errors.hpp"
#include "common/file_check.hpp"
#include "common/sha256.hpp"
#include "judge/session_data.hpp"
#include "onnx_model/interface.hpp"
#include "onnx_model/onnx_checks.hpp"
#include "onnx_model/operators.hpp"
#include "onnx_model/text.hpp"
#include "report/text_table.hpp"

#include <map>
#include <stdexcept>

namespace gauntlet::models {

namespace om = onnx_model;

namespace {

std::vector<om::IoSpec> specs(const std::vector<TensorSpec>& tensors) {
  std::vector<om::IoSpec> out;
  out.reserve(tensors.size());
  for (const auto& t : tensors)
    out.push_back({t.name, t.dtype == DType::f32 ? "float32" : std::string(dtype_name(t.dtype)), t.shape});
  return out;
}

void check(om::Model& model, const Challenge& challenge) {
  om::check_for_challenge(model, specs(challenge.inputs), specs(challenge.outputs),
                          judge::announced_batch_sizes(challenge));
}

std::string decl_text(const om::ValueDecl& d, const std::map<std::string, om::Shape>& inferred) {
  const auto it = inferred.find(d.name);
  if (d.has_shape || it == inferred.end()) return om::declared_text(d);
  return om::declared_text(d) + ", inferred " + om::shape_text(it->second, "?");
}

}  // namespace

int inspect_model(std::ostream& out, const std::filesystem::path& path, const Challenge* challenge) {
  out << "File          " << path.string() << "\n";
  if (const std::optional<std::string> why = why_not_regular_file(path)) {
    out << "Verdict       PLUGIN_ERROR: the model " << path.string() << ": " << *why << "\n";
    return kExitFailure;
  }
  out << "SHA-256       " << sha256_file_hex(path) << "\n";
  om::Model model;
  try {
    model = om::read_model_file(path.string());
  } catch (const om::ModelError& e) {
    out << "Verdict       PLUGIN_ERROR: " << e.what() << "\n";
    return kExitFailure;
  }
  out << "Format        ONNX, IR version " << model.ir_version << ", opset " << model.opset
      << (model.producer.empty() ? "" : ", made by " + printable_line(model.producer)) << "\n";
  // ONNX's checker and shape inference (which fills in what the graph does not declare); a
  // refusal is the verdict's, after the operators.
  std::map<std::string, om::Shape> inferred;
  std::string onnx_refusal;
  try {
    om::check_with_onnx(model);
    inferred = om::inferred_shapes(model);
  } catch (const om::ModelError& e) {
    onnx_refusal = e.what();
  }
  for (const auto& in : model.inputs) out << "Input         " << decl_text(in, inferred) << "\n";
  for (const auto& o : model.outputs) out << "Output        " << decl_text(o, inferred) << "\n";

  std::map<std::string, int> count;
  std::map<std::string, const om::Node*> first;
  for (const auto& n : model.nodes) {
    const std::string op = n.domain.empty() ? n.op : n.domain + "." + n.op;
    if (!count[op]++) first[op] = &n;
  }
  out << "Operators     " << model.nodes.size() << " nodes, " << count.size() << " operators\n";
  report::TextTable table(
      {"operator", "nodes", "runner"},
      {report::TextTable::Align::left, report::TextTable::Align::right, report::TextTable::Align::left});
  for (const auto& [op, n] : count) {
    const auto why = om::unsupported(*first[op], model.opset);
    const auto* info = om::find_operator(first[op]->domain, first[op]->op);
    table.add_row(
        {printable_line(op), std::to_string(n),
         why ? (info ? "an older definition: not supported" : "not supported") : std::string(info->how)});
  }
  table.print(out, "  ");
  try {
    om::check_supported(model);
    const auto batches = challenge ? judge::announced_batch_sizes(*challenge) : std::vector<int64_t>();
    if (challenge) om::match_interface(model, specs(challenge->inputs), specs(challenge->outputs), batches);
    if (!onnx_refusal.empty()) throw om::ModelError(onnx_refusal);
    if (challenge) {
      om::check_interface_and_shapes(model, inferred, specs(challenge->inputs), specs(challenge->outputs),
                                     batches);
      out << "Verdict       the runner takes it for " << challenge->id
          << " (its operators, interface and batch sizes)\n";
    } else {
      out << "Verdict       the runner supports every operator (--challenge also checks the interface)\n";
    }
  } catch (const om::ModelError& e) {
    out << "Verdict       PLUGIN_ERROR: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

std::string model_refusal(const std::filesystem::path& path, const Challenge& challenge) {
  try {
    om::Model model = om::read_model_file(path.string());
    check(model, challenge);
    return "";
  } catch (const om::ModelError& e) {
    return std::string("PLUGIN_ERROR: ") + e.what();
  }
}

}  // namespace gauntlet::models
