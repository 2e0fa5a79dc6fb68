// 7. The ONNX runner (onnx_runner/, sdk/ONNX.md), in-process, one thread:
//   - on the dnnl_mlp sample's model exported to ONNX with its trained weights (Flatten, Gemm,
//     Relu, Gemm), against the hand-written oneDNN plugin itself: throughput at batch 256;
//   - on the shipped PyTorch CNN (examples/pytorch), against OpenCV's DNN module on the same
//     file: latency at batch 1 and 256;
//   - prepare() of the CNN (ONNX checks, analysis, primitive creation and JIT for batches 1, 64
//     and 256), with oneDNN's primitive cache off so that every run pays it;
//   - the CNN as judged: gauntlet's judge_plugin(), strict sandbox, whole test set.
#include "bench.hpp"
#include "in_process.hpp"
#include "judge_env.hpp"
#include "mlp_model.hpp"
#include "timed_loop.hpp"
#ifdef GAUNTLET_BENCH_OPENCV
#include "opencv_net.hpp"
#endif

#include <onnx/onnx_pb.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace gauntlet::bench {
namespace {

namespace fs = std::filesystem;

const std::string kCnn = "examples/pytorch/fashion_mnist_cnn.onnx";

// A folder holding `model` as model.onnx: the runner's asset folder.
std::string assets_with(const std::string& tag, const std::string& model) {
  const fs::path dir = fs::path(work_dir()) / ("onnx-" + tag);
  fs::create_directories(dir);
  fs::copy_file(model, dir / "model.onnx", fs::copy_options::overwrite_existing);
  return dir.string();
}

// dnnl_mlp's trained model (mlp.weights: header, then W1 [256, 784], b1, W2 [10, 256], b2) as
// the ONNX graph PyTorch exports for the same network.
std::string export_mlp() {
  std::ifstream in(mlp_assets() + "/" + kMlpWeights, std::ios::binary);
  char magic[8];
  int64_t dims[3];
  in.read(magic, sizeof magic);
  in.read(reinterpret_cast<char*>(dims), sizeof dims);
  const int64_t x = dims[0], h = dims[1], y = dims[2];
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("gauntlet benchmark (dnnl_mlp's weights)");
  auto* opset = m.add_opset_import();
  opset->set_version(14);
  auto* g = m.mutable_graph();
  g->set_name("dnnl_mlp");
  auto tensor = [&](const std::string& name, std::vector<int64_t> shape) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : shape) {
      t->add_dims(d);
      n *= d;
    }
    std::string bytes(static_cast<std::size_t>(n) * sizeof(float), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    t->set_raw_data(bytes);
  };
  tensor("w1", {h, x});
  tensor("b1", {h});
  tensor("w2", {y, h});
  tensor("b2", {y});
  if (!in) throw std::runtime_error("cannot read the dnnl_mlp weights");
  auto node = [&](const std::string& op, std::vector<std::string> inputs, const std::string& out,
                  bool trans_b) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(out);
    for (const auto& i : inputs) n->add_input(i);
    n->add_output(out);
    if (trans_b) {
      auto* a = n->add_attribute();
      a->set_name("transB");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(1);
    }
  };
  node("Flatten", {"image"}, "flat", false);
  node("Gemm", {"flat", "w1", "b1"}, "hidden", true);
  node("Relu", {"hidden"}, "relu", false);
  node("Gemm", {"relu", "w2", "b2"}, "logits", true);
  auto io = [](onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_param("batch");
    for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
  };
  io(g->add_input(), "image", {1, 28, 28});
  io(g->add_output(), "logits", {y});
  const std::string path = work_dir() + "/dnnl_mlp.onnx";
  std::ofstream out(path, std::ios::binary);
  m.SerializeToOstream(&out);
  return path;
}

std::unique_ptr<InProcessPlugin> runner(const std::string& assets) {
  auto p =
      std::make_unique<InProcessPlugin>(bin_path("../lib/gauntlet/libonnx_runner.so"), ConfigList{}, assets);
  p->prepare("image", {1, 28, 28}, "logits", {10}, {1, 64, 256});
  return p;
}

// Samples per second of `infer` at `batch`, over the test set; records key and key.spread.
template <class Infer>
void throughput(benchmark::State& state, const std::string& key, int64_t batch, Infer&& infer) {
  const TestSet& t = test_set();
  const auto* x = t.inputs.as<float>();
  std::vector<float> out(static_cast<std::size_t>(batch) * 10);
  int64_t first = 0;
  for (int i = 0; i < 3; ++i) infer(x, batch, out.data());
  const Stats s = stats(timed_loop(state, [&] {
    first = (first + batch) % (t.samples - batch);
    infer(x + first * 784, batch, out.data());
    return -1.0;
  }));
  set_value(key, static_cast<double>(batch) / (s.p50 * 1e-9));
  set_value(key + ".spread", (s.p90 - s.p10) / s.p50);
  set_value(key + ".p50", s.p50);
  state.counters["samples/s"] = static_cast<double>(batch) / (s.p50 * 1e-9);
}

// A plugin's infer() as a (input, batch, output) function.
auto via(InProcessPlugin& p) {
  return [&p, in = std::make_shared<TensorArg>("image", true, std::vector<int64_t>{1, 28, 28}, true),
          out = std::make_shared<TensorArg>("logits", true, std::vector<int64_t>{10}, false)](
             const float* x, int64_t batch, float* y) {
    if (p.infer(in->view(const_cast<float*>(x), 0, batch), out->view(y, 0, batch), batch) != GAUNTLET_OK)
      throw std::runtime_error("infer() failed: " + p.last_error());
  };
}

void BM_mlp_handwritten(benchmark::State& state) {
  InProcessPlugin p(sample_plugin("dnnl_mlp"), {{"weights", kMlpWeights}}, mlp_assets());
  p.prepare("image", {1, 28, 28}, "logits", {10}, {1, 64, 256});
  throughput(state, "onnx.mlp.handwritten", 256, via(p));
}
void BM_mlp_runner(benchmark::State& state) {
  auto p = runner(assets_with("mlp", export_mlp()));
  throughput(state, "onnx.mlp.runner", 256, via(*p));
}

void cnn_runner(benchmark::State& state, int64_t batch) {
  auto p = runner(assets_with("cnn", source_path(kCnn)));
  throughput(state, "onnx.cnn.runner." + std::to_string(batch), batch, via(*p));
}
void BM_cnn_runner_1(benchmark::State& s) { cnn_runner(s, 1); }
void BM_cnn_runner_256(benchmark::State& s) { cnn_runner(s, 256); }
#ifdef GAUNTLET_BENCH_OPENCV
void cnn_opencv(benchmark::State& state, int64_t batch) {
  OpenCvNet net(source_path(kCnn));
  throughput(state, "onnx.cnn.opencv." + std::to_string(batch), batch,
             [&](const float* x, int64_t b, float* y) { net.forward(x, b, y, 10); });
}
void BM_cnn_opencv_1(benchmark::State& s) { cnn_opencv(s, 1); }
void BM_cnn_opencv_256(benchmark::State& s) { cnn_opencv(s, 256); }
#endif

void BM_cnn_prepare(benchmark::State& state) {
  const std::string assets = assets_with("cnn", source_path(kCnn));
  dnnl::set_primitive_cache_capacity(0);  // every prepare() creates its primitives
  std::vector<double> ns;
  for (auto _ : state) {
    InProcessPlugin p(bin_path("../lib/gauntlet/libonnx_runner.so"), ConfigList{}, assets);
    p.prepare("image", {1, 28, 28}, "logits", {10}, {1, 64, 256});
    ns.push_back(p.setup_seconds() * 1e9);
    state.SetIterationTime(p.setup_seconds());
  }
  dnnl::set_primitive_cache_capacity(1024);
  const Stats s = stats(ns);
  set_value("onnx.cnn.prepare", s.p50);
  set_value("onnx.cnn.prepare.spread", (s.p90 - s.p10) / s.p50);
}

void BM_cnn_judged(benchmark::State& state) {
  const Challenge c = load_challenge_file("tests/bench/fashion-mnist-inference/challenge.yaml");
  const judge::SessionData data = prepare_data(c);
  const std::string assets = assets_with("cnn", source_path(kCnn));
  for (auto _ : state) {
    const judge::JudgeResult r = judge(c, data, bin_path("../lib/gauntlet/libonnx_runner.so"), {}, assets);
    for (const auto& [name, v] : r.quality)
      if (name == "accuracy") set_value("onnx.cnn.judged.accuracy", v);
    for (const auto& l : r.latency) {
      set_value("onnx.cnn.judged.p50." + std::to_string(l.batch_size), l.p50_ms * 1e6);
      set_value("onnx.cnn.judged.spread." + std::to_string(l.batch_size), l.spread);
    }
    // The runner's own line in the worker's log: its prepare() in a fresh worker, cold.
    const std::string& log = r.worker_stderr.head;
    const auto at = log.find("prepare() took ");
    if (at != std::string::npos) set_value("onnx.cnn.judged.prepare_ms", std::stod(log.substr(at + 15)));
  }
}

void rows() {
  if (value("onnx.mlp.runner") && value("onnx.mlp.handwritten")) {
    const double runner = *value("onnx.mlp.runner"), hand = *value("onnx.mlp.handwritten");
    add_row({"7. ONNX runner vs hand-written dnnl_mlp, same model and weights, batch 256 (samples/s)",
             fmt(runner, 0) + " vs " + fmt(hand, 0) + " (spreads " +
                 fmt(100 * *value("onnx.mlp.runner.spread"), 0) + "%, " +
                 fmt(100 * *value("onnx.mlp.handwritten.spread"), 0) + "%)",
             "within 1.2x", yes_no(hand / runner <= 1.2), "hand-written: " + fmt(hand, 0),
             ratio(runner / hand)});
  }
  for (const int64_t b : {int64_t{1}, int64_t{256}}) {
    const std::string k = std::to_string(b);
    if (!value("onnx.cnn.runner." + k)) continue;
    const double ours = *value("onnx.cnn.runner." + k);
    const auto cv = value("onnx.cnn.opencv." + k);
    add_row({"7. ONNX runner vs OpenCV DNN, PyTorch CNN, batch " + k + " (p50 per call)",
             ms(*value("onnx.cnn.runner." + k + ".p50"), 3) +
                 (cv ? " vs " + ms(*value("onnx.cnn.opencv." + k + ".p50"), 3) : ""),
             "at least as fast", cv ? yes_no(ours >= *cv) : "",
             cv ? "OpenCV: " + fmt(*cv, 0) + " samples/s" : "OpenCV not built (libopencv-dnn-dev)",
             cv ? ratio(ours / *cv) : "-"});
  }
  if (value("onnx.cnn.prepare"))
    add_row({"7. ONNX runner prepare(), PyTorch CNN, batches 1, 64, 256 (create + prepare)",
             ms(*value("onnx.cnn.prepare"), 1) + " (spread " +
                 fmt(100 * *value("onnx.cnn.prepare.spread"), 0) + "%)",
             "-", "", "-", "-"});
  if (value("onnx.cnn.judged.p50.1") && value("onnx.cnn.judged.p50.256"))
    add_row({"7. PyTorch CNN as judged (strict sandbox, 10000 test images)",
             "accuracy " + fmt(*value("onnx.cnn.judged.accuracy"), 4) + ", p50 " +
                 ms(*value("onnx.cnn.judged.p50.1"), 3) + " at batch 1, " +
                 ms(*value("onnx.cnn.judged.p50.256"), 2) + " at batch 256; prepare() in the fresh worker " +
                 fmt(value("onnx.cnn.judged.prepare_ms").value_or(NAN), 0) + " ms",
             "-", "", "-", "-"});
}

}  // namespace

void register_onnx() {
  register_manual("onnx/mlp_handwritten_batch256", BM_mlp_handwritten, 1000, benchmark::kMicrosecond);
  register_manual("onnx/mlp_runner_batch256", BM_mlp_runner, 1000, benchmark::kMicrosecond);
  register_manual("onnx/cnn_runner_batch1", BM_cnn_runner_1, 5000, benchmark::kMicrosecond);
  register_manual("onnx/cnn_runner_batch256", BM_cnn_runner_256, 100, benchmark::kMicrosecond);
#ifdef GAUNTLET_BENCH_OPENCV
  register_manual("onnx/cnn_opencv_batch1", BM_cnn_opencv_1, 5000, benchmark::kMicrosecond);
  register_manual("onnx/cnn_opencv_batch256", BM_cnn_opencv_256, 100, benchmark::kMicrosecond);
#endif
  register_manual("onnx/cnn_prepare", BM_cnn_prepare, 10, benchmark::kMillisecond);
  benchmark::RegisterBenchmark("onnx/cnn_judged", BM_cnn_judged)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  on_summary(rows);
}

}  // namespace gauntlet::bench
