// libFuzzer target: the ONNX runner's model loader (onnx_runner/src/onnx_model), which reads a
// team's .onnx upload in the judge (gauntlet inspect, gauntlet submit) and in the worker. Every
// input must give a model or one ModelError of one line, whatever the bytes: the parse and the
// runner's structural checks, the operators, ONNX's checker and shape inference, then the shape
// analysis at batch 1 and 3 where the inputs have shapes, and, for small models, the oneDNN plan
// and one run on zeros.
#include "fuzz_check.hpp"
#include "onnx_model/analysis.hpp"
#include "onnx_model/onnx_checks.hpp"
#include "onnx_model/operators.hpp"
#include "runner/engine.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace om = gauntlet::onnx_model;

namespace {

// Runs the model at `batch` when every value stays small (a fuzzed model must not make a run
// slow enough to look like a hang).
void plan_and_run(gauntlet::onnx_runner::Engine& engine, const std::map<std::string, om::Shape>& shapes,
                  const om::Analysis& analysis, int64_t batch) {
  for (const auto& [name, v] : analysis.values) {
    int64_t n = 1;
    for (const int64_t d : v.shape) n *= d;
    if (n > (1 << 16)) return;
  }
  std::vector<std::string> outputs;
  for (const auto& o : engine.model().outputs) outputs.push_back(o.name);
  const auto out_shapes = engine.plan(batch, shapes, outputs);
  std::vector<std::vector<float>> data;
  std::vector<gauntlet::onnx_runner::Buffer> in, out;
  auto strides = [](const om::Shape& s) {
    om::Shape st(s.size(), 1);
    for (std::size_t i = s.size(); i > 1; --i) st[i - 2] = st[i - 1] * s[i - 1];
    return st;
  };
  auto buffer = [&](const om::Shape& s) {
    int64_t n = 1;
    for (const int64_t d : s) n *= d;
    data.emplace_back(static_cast<std::size_t>(std::max<int64_t>(n, 1)), 0.0f);
    return gauntlet::onnx_runner::Buffer{data.back().data(), s, strides(s)};
  };
  data.reserve(shapes.size() + out_shapes.size());
  for (const auto& decl : engine.model().inputs) in.push_back(buffer(shapes.at(decl.name)));
  for (const auto& s : out_shapes) out.push_back(buffer(s));
  engine.run(batch, in, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    om::Model model = om::parse_model(std::string_view(reinterpret_cast<const char*>(data), size));
    std::vector<std::map<std::string, om::Shape>> shapes(2);
    for (const auto& in : model.inputs) {
      if (!in.has_shape) return 0;
      for (std::size_t k = 0; k < shapes.size(); ++k) {
        om::Shape s = in.dims;
        for (auto& d : s)
          if (d < 0) d = k == 0 ? 1 : 3;
        shapes[k][in.name] = s;
      }
    }
    gauntlet::onnx_runner::Engine engine(std::move(model));
    for (std::size_t k = 0; k < shapes.size(); ++k) {
      const om::Analysis analysis = om::analyze(engine.model(), shapes[k]);
      plan_and_run(engine, shapes[k], analysis, static_cast<int64_t>(k + 1));
    }
  } catch (const om::ModelError& e) {
    gauntlet::fuzz::check_message(e.what());
  }
  return 0;
}
