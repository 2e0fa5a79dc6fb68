// The ONNX runner as a Gauntlet plugin: the judge gives it the team's model as model.onnx in its
// asset folder (gauntlet judge --model, or a .onnx file wherever a library is accepted). It
// reads and checks the model in create(); in prepare() it matches the model to the challenge's
// interface and plans one oneDNN pipeline per announced batch size; infer() only executes.
// The ABI is the only contract: inputs are read where each call puts them (never cached), no
// thread beyond the budget (OpenMP, oneDNN's runtime, is capped at it), nothing trained.
#include "onnx_model/model.hpp"
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

std::string dtype_text(gauntlet_dtype d) {
  return d.code == GAUNTLET_DTYPE_FLOAT && d.bits == 32 ? "float32" : sdk::dtype_name(d);
}

// Runs f, turning the model's refusals into UNSUPPORTED errors (verdict PLUGIN_ERROR with the
// message as it is).
template <class F>
auto refusing(F&& f) {
  try {
    return f();
  } catch (const om::ModelError& e) {
    throw sdk::Error::unsupported(e.what());
  }
}

class OnnxRunner : public sdk::Plugin {
 public:
  explicit OnnxRunner(const sdk::CreateContext& ctx) : Plugin(ctx) {
    omp_set_num_threads(static_cast<int>(num_threads()));
    if (asset_dir().empty())
      throw sdk::Error::invalid_argument(
          "no model: the ONNX runner reads model.onnx from its asset folder (gauntlet judge --model model.onnx)");
    model_ = refusing([&] { return om::read_model_file(asset_dir() + "/" + kModelFile); });
  }

  void prepare(const sdk::PrepareContext& ctx) override {
    const auto t0 = std::chrono::steady_clock::now();
    refusing([&] {
      engine_ = std::make_unique<gauntlet::onnx_runner::Engine>(std::move(*model_));
      model_.reset();
      const om::Model& m = engine_->model();
      match_inputs(m, ctx);
      for (std::size_t j = 0; j < ctx.outputs().size(); ++j) outputs_.emplace_back(ctx.outputs()[j].name());
      for (const int64_t batch : ctx.batch_sizes()) {
        std::map<std::string, om::Shape> shapes;
        for (std::size_t i = 0; i < ctx.inputs().size(); ++i)
          shapes[std::string(ctx.inputs()[i].name())] = with_batch(ctx.inputs()[i].shape(), batch);
        const auto produced = engine_->plan(batch, shapes, outputs_);
        for (std::size_t j = 0; j < outputs_.size(); ++j) match_output(ctx.outputs()[j], produced[j], batch);
      }
      return 0;
    });
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
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
    refusing([&] {
      engine_->run(in.batch_size(), inputs, outputs);
      return 0;
    });
  }

 private:
  static om::Shape with_batch(om::Shape shape, int64_t batch) {
    if (!shape.empty() && shape[0] < 0) shape[0] = batch;
    return shape;
  }

  static gauntlet::onnx_runner::Buffer buffer(const gauntlet_tensor& t) {
    const sdk::TensorView v(t);
    // The data pointer of this call only: nothing keeps it past infer().
    return {static_cast<char*>(t.data) + t.byte_offset, v.shape(), v.strides()};
  }

  // Every input the challenge gives must be one the model takes (same name, float32, same
  // extents; a fixed batch extent only if it is every batch size), and the other way round.
  void match_inputs(const om::Model& m, const sdk::PrepareContext& ctx) const {
    std::string offered;
    for (std::size_t i = 0; i < ctx.inputs().size(); ++i) {
      const sdk::TensorSpecView spec = ctx.inputs()[i];
      offered += om::cat(offered.empty() ? "" : ", ", om::quoted(spec.name()), " ", dtype_text(spec.dtype()), " ",
                         om::shape_text(spec.shape()));
    }
    auto decl_text = [](const om::ValueDecl& d) {
      return om::cat(om::quoted(d.name), " ", d.elem_type ? om::elem_type_name(d.elem_type) : "(no type)", " ",
                     d.has_shape ? om::shape_text(d.dims, "?") : "(no shape)");
    };
    for (const auto& decl : m.inputs) {
      const auto spec = find(ctx.inputs(), decl.name);
      if (!spec)
        throw om::ModelError(om::cat("the model's input ", decl_text(decl), " is not the challenge's: it gives ",
                                     offered, " (export with input_names=[...] to match)"));
      if (!(spec->dtype().code == GAUNTLET_DTYPE_FLOAT && spec->dtype().bits == 32))
        throw om::ModelError(om::cat("the challenge's input ", om::quoted(decl.name), " is ", dtype_text(spec->dtype()),
                                     "; the ONNX runner takes float32 inputs only"));
      if (decl.elem_type != 0 && decl.elem_type != 1)
        throw om::ModelError(om::cat("the model's input ", decl_text(decl), " must be float32, as the challenge's ",
                                     offered));
      const om::Shape want = spec->shape();
      if (!decl.has_shape) continue;
      if (decl.dims.size() != want.size())
        throw om::ModelError(om::cat("the model's input ", decl_text(decl), " has rank ", decl.dims.size(),
                                     "; the challenge gives ", offered));
      for (std::size_t i = 0; i < want.size(); ++i) {
        if (decl.dims[i] < 0) continue;  // symbolic: whatever the judge gives
        if (i == 0 && want[0] < 0) {
          for (const int64_t b : ctx.batch_sizes())
            if (b != decl.dims[0])
              throw om::ModelError(om::cat("the model's input ", decl_text(decl), " has a fixed batch of ", decl.dims[0],
                                           ", but the judge calls it with batches of ",
                                           om::shape_text(ctx.batch_sizes()), ": export with dynamic_axes={",
                                           om::quoted(decl.name), ": {0: 'batch'}}"));
        } else if (decl.dims[i] != want[i]) {
          throw om::ModelError(om::cat("the model's input ", decl_text(decl), " does not match the challenge's ",
                                       offered));
        }
      }
    }
    for (std::size_t i = 0; i < ctx.inputs().size(); ++i)
      if (!find_decl(m.inputs, ctx.inputs()[i].name()))
        throw om::ModelError(om::cat("the challenge gives the input ", om::quoted(ctx.inputs()[i].name()),
                                     ", which the model does not take"));
    for (std::size_t j = 0; j < ctx.outputs().size(); ++j) {
      const sdk::TensorSpecView spec = ctx.outputs()[j];
      const auto* decl = find_decl(m.outputs, spec.name());
      std::string names;
      for (const auto& o : m.outputs) names += om::cat(names.empty() ? "" : ", ", decl_text(o));
      if (!decl)
        throw om::ModelError(om::cat("the challenge wants the output ", om::quoted(spec.name()), " ",
                                     dtype_text(spec.dtype()), " ", om::shape_text(spec.shape()),
                                     "; the model's outputs are ", names, " (export with output_names=[...])"));
      if (!(spec.dtype().code == GAUNTLET_DTYPE_FLOAT && spec.dtype().bits == 32) ||
          (decl->elem_type != 0 && decl->elem_type != 1))
        throw om::ModelError(om::cat("the output ", om::quoted(spec.name()), " is ", dtype_text(spec.dtype()),
                                     " in the challenge and ", decl_text(*decl),
                                     " in the model; the ONNX runner writes float32 only"));
    }
  }

  static void match_output(const sdk::TensorSpecView& spec, const om::Shape& produced, int64_t batch) {
    const om::Shape want = with_batch(spec.shape(), batch);
    if (produced != want)
      throw om::ModelError(om::cat("the model's output ", om::quoted(spec.name()), " is ", om::shape_text(produced),
                                   " at batch ", batch, "; the challenge wants ", om::shape_text(spec.shape())));
  }

  static std::optional<sdk::TensorSpecView> find(const sdk::SpecList& list, const std::string& name) {
    for (std::size_t i = 0; i < list.size(); ++i)
      if (list[i].name() == name) return list[i];
    return std::nullopt;
  }
  static const om::ValueDecl* find_decl(const std::vector<om::ValueDecl>& list, std::string_view name) {
    for (const auto& d : list)
      if (d.name == name) return &d;
    return nullptr;
  }

  std::optional<om::Model> model_;
  std::unique_ptr<gauntlet::onnx_runner::Engine> engine_;
  std::vector<std::string> outputs_;
};

}  // namespace

GAUNTLET_PLUGIN(OnnxRunner, "onnx-runner", "Gauntlet", GAUNTLET_ONNX_RUNNER_VERSION,
                "Runs the team's ONNX model (model.onnx in its asset folder) with oneDNN")
