// The runner's parts on real exported models and small hand-written ones: the loader's order and
// refusals, the folding of PyTorch's dynamic-batch shape chain, which steps fuse, and the engine
// on inputs with other strides than compact (which the ABI allows).
#include <doctest/doctest.h>

#include "onnx_model/analysis.hpp"
#include "onnx_model/operators.hpp"
#include "onnx_model/text.hpp"
#include "runner/engine.hpp"
#include "runner/fusion.hpp"
#include "support/run_command.hpp"

#include <google/protobuf/text_format.h>

#include <cmath>
#include <numeric>
#include <random>

namespace om = gauntlet::onnx_model;
namespace runner = gauntlet::onnx_runner;

namespace {

om::Model load(const std::string& relative) {
  return om::parse_model(gauntlet::testing::read_file(gauntlet::testing::source_path(relative)));
}

// A model from protobuf text.
om::Model from_text(const std::string& text) {
  onnx::ModelProto proto;
  REQUIRE(google::protobuf::TextFormat::ParseFromString(text, &proto));
  std::string bytes;
  proto.SerializeToString(&bytes);
  return om::parse_model(bytes);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const om::ModelError& e) {
    return e.what();
  }
  return "";
}

om::Shape strides(const om::Shape& s) {
  om::Shape st(s.size(), 1);
  for (std::size_t i = s.size(); i > 1; --i) st[i - 2] = st[i - 1] * s[i - 1];
  return st;
}

const char* kHeader = R"(ir_version: 8 opset_import { domain: "" version: 14 } )";

}  // namespace

TEST_CASE("the loader puts nodes in dependency order whatever the file's order") {
  const om::Model m = from_text(std::string(kHeader) + R"(graph { name: "g"
    node { name: "second" op_type: "Relu" input: "a" output: "y" }
    node { name: "first" op_type: "Sigmoid" input: "x" output: "a" }
    input { name: "x" type { tensor_type { elem_type: 1 shape { dim { dim_value: 2 } } } } }
    output { name: "y" type { tensor_type { elem_type: 1 } } } })");
  REQUIRE(m.nodes.size() == 2);
  CHECK(m.nodes[0].name == "first");
  CHECK(m.nodes[1].name == "second");
}

TEST_CASE("names from the model are escaped in messages: one line, whatever the bytes") {
  const std::string message = error_of([] {
    from_text(std::string(kHeader) + R"(graph { name: "g"
      node { name: "evil\n\033[2Jname" op_type: "Relu" input: "nowhere" output: "y" }
      input { name: "x" type { tensor_type { elem_type: 1 } } }
      output { name: "y" type { tensor_type { elem_type: 1 } } } })");
  });
  CHECK(message ==
        "node 'evil\\x0a\\x1b[2Jname' (Relu) reads 'nowhere', which no node, graph input or initializer "
        "defines (a missing initializer?)");
}

TEST_CASE("PyTorch's dynamic-batch shape chain folds in prepare(): only the computation is left to run") {
  const om::Model m = load("tests/onnx/models/residual.onnx");
  for (const int64_t batch : {1, 7}) {
    const om::Analysis a = om::analyze(m, {{"image", {batch, 1, 28, 28}}});
    for (const auto& s : a.steps) {
      INFO(s.node->op);
      CHECK(s.node->op != "Shape");
      CHECK(s.node->op != "Gather");
      CHECK(s.node->op != "Concat");
      CHECK(s.node->op != "Unsqueeze");
    }
    const auto& reshape = *std::find_if(a.steps.begin(), a.steps.end(),
                                        [](const om::Step& s) { return s.node->op == "Reshape"; });
    CHECK(a.at(reshape.output).shape == om::Shape{batch, 16 * 7 * 7});
    CHECK(a.at("logits").shape == om::Shape{batch, 10});
  }
}

TEST_CASE("fusion: a residual Add and ReLU into the convolution, the zero Pad into the average pool") {
  const om::Model m = load("tests/onnx/models/residual.onnx");
  const om::Analysis a = om::analyze(m, {{"image", {2, 1, 28, 28}}});
  const runner::FusionPlan plan = runner::plan_fusion(a, {"logits"});
  std::map<std::string, int> kept;
  for (std::size_t k = 0; k < a.steps.size(); ++k)
    if (!plan.absorbed[k]) ++kept[a.steps[k].node->op];
  // conv1, conv2 (+ Add + ReLU), stem (+ ReLU); the pool (+ Pad); Reshape; Gemm; LogSoftmax.
  CHECK(kept == std::map<std::string, int>{
                    {"AveragePool", 1}, {"Conv", 3}, {"Gemm", 1}, {"LogSoftmax", 1}, {"Reshape", 1}});
  for (std::size_t k = 0; k < a.steps.size(); ++k) {
    if (a.steps[k].node->name != "/conv2/Conv") continue;
    REQUIRE(plan.fused[k].post.size() == 2);
    CHECK(plan.fused[k].post[0].add);
    CHECK(plan.fused[k].post[0].operand == "/Relu_output_0");  // the block's input, computed earlier
    CHECK_FALSE(plan.fused[k].post[1].add);
  }
}

TEST_CASE("one activation per fused chain (oneDNN 2.6 mixes up two of one kind)") {
  runner::Engine engine(from_text(std::string(kHeader) + R"(graph { name: "g"
    node { name: "mm" op_type: "MatMul" input: "x" input: "w" output: "a" }
    node { name: "act1" op_type: "LeakyRelu" input: "a" output: "b" attribute { name: "alpha" f: 0.5 type: FLOAT } }
    node { name: "act2" op_type: "LeakyRelu" input: "b" output: "y" attribute { name: "alpha" f: 0.25 type: FLOAT } }
    initializer { name: "w" dims: 2 dims: 2 data_type: 1 float_data: [1, 0, 0, 1] }
    input { name: "x" type { tensor_type { elem_type: 1 shape { dim { dim_value: 1 } dim { dim_value: 2 } } } } }
    output { name: "y" type { tensor_type { elem_type: 1 shape { dim { dim_value: 1 } dim { dim_value: 2 } } } } } })"));
  engine.plan(1, {{"x", {1, 2}}}, {"y"});
  std::vector<float> x = {-8, 4}, y(2);
  engine.run(1, {{x.data(), {1, 2}, {2, 1}}}, {{y.data(), {1, 2}, {2, 1}}});
  CHECK(y[0] == doctest::Approx(-1.0));  // -8 * 0.5 * 0.25
  CHECK(y[1] == doctest::Approx(4.0));
}

TEST_CASE("the engine reads inputs and writes outputs with any strides the ABI allows") {
  runner::Engine engine(load("examples/pytorch/fashion_mnist_cnn.onnx"));
  const om::Shape in_shape{3, 1, 28, 28}, out_shape{3, 10};
  REQUIRE(engine.plan(3, {{"image", in_shape}}, {"logits"}) == std::vector<om::Shape>{out_shape});
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  std::vector<float> x(3 * 784);
  for (float& v : x) v = normal(rng);
  std::vector<float> compact(30);
  engine.run(3, {{x.data(), in_shape, strides(in_shape)}}, {{compact.data(), out_shape, strides(out_shape)}});

  // The same samples every other sample of a bigger buffer, the outputs transposed.
  std::vector<float> spread(6 * 784, NAN), transposed(30, NAN);
  for (int i = 0; i < 3; ++i) std::copy_n(x.begin() + i * 784, 784, spread.begin() + 2 * i * 784);
  engine.run(3, {{spread.data(), in_shape, {2 * 784, 784, 28, 1}}}, {{transposed.data(), out_shape, {1, 3}}});
  for (int i = 0; i < 3; ++i)
    for (int c = 0; c < 10; ++c) CHECK(transposed[c * 3 + i] == compact[i * 10 + c]);
}

TEST_CASE("scratch tensors share the arena by lifetime") {
  runner::Engine engine(load("examples/pytorch/fashion_mnist_cnn.onnx"));
  engine.plan(256, {{"image", {256, 1, 28, 28}}}, {"logits"});
  // conv1's output alone is 256 x 32 x 28 x 28 floats (25.7 MB); the plan's steps' tensors add
  // up to over 40 MB, the arena holds the two largest that live at once.
  CHECK(engine.plan_of(256).arena_bytes() < std::size_t{33} << 20);
}

TEST_CASE("the operator table: the refusal line names the operator, the node, the opset and the list") {
  om::Node n;
  n.op = "Resize";
  n.name = "up";
  CHECK(*om::unsupported(n, 14) ==
        "unsupported ONNX operator 'Resize' (node 'up', opset 14); supported: " + om::supported_list());
  CHECK(om::supported_list().rfind("Add, AveragePool, BatchNormalization", 0) == 0);
  CHECK(om::requires_constant("Conv", 1));
  CHECK_FALSE(om::requires_constant("Conv", 0));
  CHECK_FALSE(om::requires_constant("MatMul", 1));
}
