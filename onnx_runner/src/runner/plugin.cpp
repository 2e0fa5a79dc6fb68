// The ONNX runner as a Gauntlet plugin: the judge gives it the team's model as model.onnx in its
// asset folder (gauntlet judge --model, or a .onnx file wherever a library is accepted). It
// reads and checks the model in create(); in prepare() it matches the model to the challenge's
// interface and plans one oneDNN pipeline per announced batch size; infer() only executes.
// The ABI is the only contract: inputs are read where each call puts them (never cached), no
// thread beyond the budget (OpenMP, oneDNN's runtime, is capped at it), nothing trained.
#include "onnx_model/interface.hpp"
#include "onnx_model/model.hpp"
#include "onnx_model/operators.hpp"
#include "onnx_model/text.hpp"
#include "runner/engine.hpp"

#include <gauntlet/sdk.hpp>

#include <omp.h>

#include <chrono>
#include <memory>
#include <optional>

namespace sdk = gauntlet::sdk;
namespace om = gauntlet::onnx_model;

namespace {

constexpr const char* kModelFile = "model.onnx";

// Runs f, turning the model's refusals into errors with `status` (verdict PLUGIN_ERROR with the
// message as it is): INVALID_ARGUMENT for a damaged model, UNSUPPORTED for one the runner cannot
// run.
template <class F>
void refusing(gauntlet_status status, F&& f) {
  try {
    f();
  } catch (const om::ModelError& e) {
    throw sdk::Error(status, e.what());
  }
}

std::vector<om::IoSpec> specs(const sdk::SpecList& list) {
  std::vector<om::IoSpec> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const sdk::TensorSpecView s = list[i];
    const bool f32 = s.dtype().code == GAUNTLET_DTYPE_FLOAT && s.dtype().bits == 32 && s.dtype().lanes == 1;
    out.push_back({std::string(s.name()), f32 ? "float32" : sdk::dtype_name(s.dtype()), s.shape()});
  }
  return out;
}

gauntlet::onnx_runner::Buffer buffer(const gauntlet_tensor& t) {
  const sdk::TensorView v(t);
  // This call's pointer only: nothing keeps it past infer().
  return {static_cast<char*>(t.data) + t.byte_offset, v.shape(), v.strides()};
}

class OnnxRunner : public sdk::Plugin {
 public:
  explicit OnnxRunner(const sdk::CreateContext& ctx) : Plugin(ctx) {
    omp_set_num_threads(static_cast<int>(num_threads()));
    if (asset_dir().empty())
      throw sdk::Error::invalid_argument(
          "no model: the ONNX runner reads model.onnx from its asset folder (gauntlet judge --model "
          "model.onnx)");
    refusing(GAUNTLET_INVALID_ARGUMENT,
             [&] { model_ = om::read_model_file(asset_dir() + "/" + kModelFile); });
  }

  void prepare(const sdk::PrepareContext& ctx) override {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<om::IoSpec> inputs = specs(ctx.inputs()), outputs = specs(ctx.outputs());
    refusing(GAUNTLET_UNSUPPORTED, [&] {
      // The operators, the interface, then the ONNX library's checks (the engine's).
      om::check_supported(*model_);
      om::match_interface(*model_, inputs, outputs, ctx.batch_sizes());
      engine_ = std::make_unique<gauntlet::onnx_runner::Engine>(std::move(*model_));
      model_.reset();
      for (const auto& o : outputs) outputs_.push_back(o.name);
      for (const int64_t batch : ctx.batch_sizes()) {
        const auto produced = engine_->plan(batch, om::shapes_at(inputs, batch), outputs_);
        for (std::size_t j = 0; j < outputs.size(); ++j)
          om::match_output_shape(outputs[j], produced[j], batch);
      }
    });
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const auto& biggest = engine_->plan_of(ctx.max_batch_size());
    log(sdk::LogLevel::info,
        om::cat("onnx-runner: ", engine_->model().nodes.size(), " ONNX nodes, ", biggest.steps(),
                " oneDNN primitives and ", om::bytes_text(biggest.arena_bytes()), " of scratch at batch ",
                ctx.max_batch_size(), "; prepare() took ", static_cast<int64_t>(ms), " ms"));
  }

  void infer(sdk::InputBatch in, sdk::OutputBatch out) override {
    std::vector<gauntlet::onnx_runner::Buffer> inputs, outputs;
    for (const auto& decl : engine_->model().inputs) inputs.push_back(buffer(in.get(decl.name).raw()));
    for (const auto& name : outputs_) outputs.push_back(buffer(out.get(name).raw()));
    refusing(GAUNTLET_UNSUPPORTED, [&] { engine_->run(in.batch_size(), inputs, outputs); });
  }

 private:
  std::optional<om::Model> model_;  // from create() to prepare()
  std::unique_ptr<gauntlet::onnx_runner::Engine> engine_;
  std::vector<std::string> outputs_;
};

}  // namespace

GAUNTLET_PLUGIN(OnnxRunner, "onnx-runner", "Gauntlet", GAUNTLET_ONNX_RUNNER_VERSION,
                "Runs the team's ONNX model (model.onnx in its asset folder) with oneDNN")
