// Per-operator conformance: ONNX's own node tests (Debian's libonnx-testdata: a model, its
// inputs and the expected outputs, as protobufs) run through the runner's engine. Every case
// whose operators the runner supports must pass within 1e-4 (relative to 1 + |expected|),
// except the cases listed in kSkipped with the reason; those must be refused with a clean
// error, never computed wrong. Inputs that the runner requires to be known in prepare() (Conv
// weights, Reshape's shape, Clip's bounds, ...) become initializers, as they are in exported
// models.
#include <doctest/doctest.h>

#include "onnx_model/model.hpp"
#include "onnx_model/operators.hpp"
#include "onnx_model/text.hpp"
#include "runner/engine.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
namespace om = gauntlet::onnx_model;

namespace {

const fs::path kNodeTests = "/usr/share/libonnx-testdata/data/node";
constexpr double kTolerance = 1e-4;

// Cases of supported operators the runner refuses, and why.
const std::map<std::string, std::string> kSkipped = {
    {"test_batchnorm_epsilon_training_mode", "training mode (running statistics as outputs): inference only"},
    {"test_batchnorm_example_training_mode", "training mode (running statistics as outputs): inference only"},
    {"test_dropout_default_mask", "Dropout's mask output"},
    {"test_dropout_default_mask_ratio", "Dropout's mask output"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", "MaxPool's Indices output"},
    {"test_maxpool_with_argmax_2d_precomputed_strides", "MaxPool's Indices output"},
    {"test_identity_sequence", "a sequence, not a tensor"},
    {"test_reshape_allowzero_reordered", "an empty tensor (a zero extent)"},
    {"test_training_dropout", "training mode: inference only"},
    {"test_training_dropout_default", "training mode: inference only"},
    {"test_training_dropout_zero_ratio", "training mode: inference only"},
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

onnx::TensorProto read_tensor(const fs::path& p) {
  onnx::TensorProto t;
  const std::string bytes = read_bytes(p);
  if (!t.ParseFromString(bytes)) throw std::runtime_error("cannot parse " + p.string());
  return t;
}

struct Outcome {
  enum Kind { passed, failed, skipped } kind = passed;
  std::string why;
};

// The node test's data sets run through a fresh engine. Returns what happened.
Outcome run_case(const fs::path& dir) {
  onnx::ModelProto proto;
  if (!proto.ParseFromString(read_bytes(dir / "model.onnx")))
    return {Outcome::failed, "model.onnx does not parse"};
  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) return {Outcome::skipped, "no data set"};

  for (const fs::path& set : sets) {
    onnx::ModelProto m = proto;
    auto* g = m.mutable_graph();
    // Graph inputs, in order, with their data; those read where the runner needs a constant
    // become initializers.
    std::vector<std::pair<std::string, onnx::TensorProto>> runtime;
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> kept;
    for (int k = 0; k < g->input_size(); ++k) {
      onnx::TensorProto t = read_tensor(set / ("input_" + std::to_string(k) + ".pb"));
      const std::string name = g->input(k).name();
      bool constant = false;
      for (const auto& n : g->node())
        for (int i = 0; i < n.input_size(); ++i)
          constant = constant ||
                     (n.input(i) == name && om::requires_constant(n.op_type(), static_cast<std::size_t>(i)));
      if (constant) {
        t.set_name(name);
        *g->add_initializer() = t;
      } else {
        if (t.data_type() != onnx::TensorProto::FLOAT)
          return {Outcome::skipped, "a run-time input of type " + om::elem_type_name(t.data_type()) +
                                        " (run-time tensors are float32)"};
        *kept.Add() = g->input(k);
        runtime.emplace_back(name, std::move(t));
      }
    }
    g->mutable_input()->Swap(&kept);
    std::vector<onnx::TensorProto> expected;
    std::vector<std::string> outputs;
    for (int k = 0; k < g->output_size(); ++k) {
      expected.push_back(read_tensor(set / ("output_" + std::to_string(k) + ".pb")));
      outputs.push_back(g->output(k).name());
      if (expected.back().data_type() != onnx::TensorProto::FLOAT)
        return {Outcome::skipped, "an output of type " + om::elem_type_name(expected.back().data_type())};
    }

    try {
      std::string bytes;
      m.SerializeToString(&bytes);
      gauntlet::onnx_runner::Engine engine(om::parse_model(bytes));
      std::map<std::string, om::Shape> shapes;
      std::vector<om::Constant> inputs;
      for (const auto& [name, t] : runtime) {
        inputs.push_back(om::constant_from_proto(t, name));
        shapes[name] = inputs.back().shape;
      }
      const auto out_shapes = engine.plan(0, shapes, outputs);
      std::vector<gauntlet::onnx_runner::Buffer> in_buffers, out_buffers;
      auto strides = [](const om::Shape& s) {
        om::Shape st(s.size(), 1);
        for (std::size_t i = s.size(); i > 1; --i) st[i - 2] = st[i - 1] * s[i - 1];
        return st;
      };
      // In the engine's order (the model's inputs), which is the order of `runtime`.
      for (auto& c : inputs) in_buffers.push_back({c.f.data(), c.shape, strides(c.shape)});
      std::vector<std::vector<float>> results;
      for (std::size_t k = 0; k < outputs.size(); ++k) {
        const om::Constant want = om::constant_from_proto(expected[k], outputs[k]);
        if (out_shapes[k] != want.shape && !(out_shapes[k].empty() && want.shape.empty()))
          return {Outcome::failed, "output " + outputs[k] + " has shape " + om::shape_text(out_shapes[k]) +
                                       ", expected " + om::shape_text(want.shape)};
        results.emplace_back(static_cast<std::size_t>(std::max<int64_t>(want.numel(), 1)));
        out_buffers.push_back({results.back().data(), out_shapes[k], strides(out_shapes[k])});
      }
      engine.run(0, in_buffers, out_buffers);
      for (std::size_t k = 0; k < outputs.size(); ++k) {
        const om::Constant want = om::constant_from_proto(expected[k], outputs[k]);
        for (int64_t i = 0; i < want.numel(); ++i) {
          const double a = results[k][static_cast<std::size_t>(i)], b = want.f[static_cast<std::size_t>(i)];
          const bool same =
              (std::isnan(a) && std::isnan(b)) || std::fabs(a - b) <= kTolerance * (1 + std::fabs(b));
          if (!same)
            return {Outcome::failed, set.filename().string() + " output " + outputs[k] + "[" +
                                         std::to_string(i) + "] is " + std::to_string(a) + ", expected " +
                                         std::to_string(b)};
        }
      }
    } catch (const om::ModelError& e) {
      return {Outcome::skipped, std::string("refused: ") + e.what()};
    }
  }
  return {};
}

// The operators a test's model uses, and whether the runner supports all of them.
std::set<std::string> operators_of(const fs::path& dir, bool& supported) {
  onnx::ModelProto m;
  m.ParseFromString(read_bytes(dir / "model.onnx"));
  std::set<std::string> ops;
  supported = true;
  for (const auto& n : m.graph().node()) {
    ops.insert(n.op_type());
    supported = supported && om::find_operator(n.domain() == "ai.onnx" ? "" : n.domain(), n.op_type());
  }
  return ops;
}

}  // namespace

TEST_CASE("ONNX node tests of every supported operator pass within 1e-4") {
  REQUIRE(fs::is_directory(kNodeTests));
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(kNodeTests))
    if (e.is_directory()) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());

  std::map<std::string, std::pair<int, int>> by_operator;  // passed, skipped
  int passed = 0, skipped = 0, other = 0;
  std::string skipped_list;
  for (const fs::path& dir : cases) {
    bool supported = false;
    const auto ops = operators_of(dir, supported);
    if (!supported) {
      ++other;
      continue;
    }
    const std::string name = dir.filename().string();
    const Outcome o = run_case(dir);
    const auto listed = kSkipped.find(name);
    INFO(name << ": " << o.why);
    if (listed != kSkipped.end()) {
      // A listed case must be refused cleanly (or skipped for its types), never computed.
      CHECK(o.kind == Outcome::skipped);
    } else if (o.kind == Outcome::skipped) {
      CHECK_MESSAGE(o.why.rfind("refused", 0) != 0, "refused without being listed in kSkipped");
    } else {
      CHECK(o.kind == Outcome::passed);
    }
    const std::string op =
        *ops.begin() == "Constant" && ops.size() > 1 ? *std::next(ops.begin()) : *ops.begin();
    if (o.kind == Outcome::passed) {
      ++passed;
      ++by_operator[op].first;
    } else {
      ++skipped;
      ++by_operator[op].second;
      skipped_list += "\n  " + name + ": " + (listed != kSkipped.end() ? listed->second : o.why);
    }
  }
  std::string table;
  for (const auto& [op, counts] : by_operator)
    table += "\n  " + op + ": " + std::to_string(counts.first) + " passed, " + std::to_string(counts.second) +
             " skipped";
  MESSAGE(passed << " node tests passed, " << skipped << " skipped (" << other
                 << " test other operators); by operator:" << table << "\nskipped:" << skipped_list);
  CHECK(passed >= 150);
}
