// 6. The oneDNN sample plugin (sample_plugins/dnnl_mlp) against the same model run with plain
// C++ loops (its plugin_config engine: loops), same trained weights, in-process: throughput
// at batch 1 and 256, and the same predictions on the whole test set.
#include "bench.hpp"
#include "in_process.hpp"
#include "mlp_model.hpp"
#include "timed_loop.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

namespace gauntlet::bench {
namespace {

// 784-256-10: multiply-adds per sample, two FLOPs each.
constexpr double kFlopsPerSample = 2.0 * (784.0 * 256 + 256.0 * 10);

std::unique_ptr<InProcessPlugin> mlp(const std::string& engine) {
  auto p = std::make_unique<InProcessPlugin>(
      sample_plugin("dnnl_mlp"), ConfigList{{"weights", kMlpWeights}, {"engine", engine}}, mlp_assets());
  p->prepare("image", {1, 28, 28}, "logits", {10}, {1, 64, 256});
  return p;
}

void throughput(benchmark::State& state, const std::string& engine, int64_t batch) {
  const TestSet& t = test_set();
  auto plugin = mlp(engine);
  auto* x = const_cast<std::byte*>(t.inputs.raw());
  std::vector<float> out(static_cast<std::size_t>(batch) * 10);
  TensorArg in("image", true, {1, 28, 28}, true), o("logits", true, {10}, false);
  int64_t first = 0;
  for (int i = 0; i < 3; ++i) plugin->infer(in.view(x, 0, batch), o.view(out.data(), 0, batch), batch);
  auto ns = timed_loop(state, [&] {
    first = (first + batch) % (t.samples - batch);
    plugin->infer(in.view(x, first, batch), o.view(out.data(), 0, batch), batch);
    return -1.0;
  });
  const Stats s = stats(ns);
  const double per_second = static_cast<double>(batch) / (s.p50 * 1e-9);
  state.counters["samples/s"] = per_second;
  state.counters["GFLOP/s"] = per_second * kFlopsPerSample / 1e9;
  const std::string key = "mlp." + engine + "." + std::to_string(batch);
  set_value(key, per_second);
  set_value(key + ".spread", (s.p90 - s.p10) / s.p50);
}
void BM_dnnl_1(benchmark::State& s) { throughput(s, "dnnl", 1); }
void BM_dnnl_256(benchmark::State& s) { throughput(s, "dnnl", 256); }
void BM_loops_1(benchmark::State& s) { throughput(s, "loops", 1); }
void BM_loops_256(benchmark::State& s) { throughput(s, "loops", 256); }

// Accuracy of both engines on the whole test set, and how often their predictions agree.
void BM_accuracy(benchmark::State& state) {
  const TestSet& t = test_set();
  const int64_t batch = 256;
  // Padded: the last batch is a full one, as in the judge.
  std::vector<float> x((static_cast<std::size_t>(t.samples) + batch) * 784, 0.0f);
  std::memcpy(x.data(), t.inputs.raw(), t.inputs.bytes());
  std::vector<int32_t> pred[2];
  const char* engines[2] = {"dnnl", "loops"};
  for (auto _ : state) {
    for (int e = 0; e < 2; ++e) {
      auto plugin = mlp(engines[e]);
      std::vector<float> out(static_cast<std::size_t>(batch) * 10);
      TensorArg in("image", true, {1, 28, 28}, true), o("logits", true, {10}, false);
      pred[e].clear();
      for (int64_t first = 0; first < t.samples; first += batch) {
        plugin->infer(in.view(x.data(), first, batch), o.view(out.data(), 0, batch), batch);
        for (int64_t k = 0; k < batch && first + k < t.samples; ++k) {
          const float* row = &out[static_cast<std::size_t>(k) * 10];
          pred[e].push_back(static_cast<int32_t>(std::max_element(row, row + 10) - row));
        }
      }
    }
  }
  const auto* labels = t.labels.as<int32_t>();
  int64_t right[2] = {0, 0}, agree = 0;
  for (int64_t i = 0; i < t.samples; ++i) {
    for (int e = 0; e < 2; ++e) right[e] += pred[e][static_cast<std::size_t>(i)] == labels[i];
    agree += pred[0][static_cast<std::size_t>(i)] == pred[1][static_cast<std::size_t>(i)];
  }
  const double n = static_cast<double>(t.samples);
  set_value("mlp.accuracy.dnnl", static_cast<double>(right[0]) / n);
  set_value("mlp.accuracy.loops", static_cast<double>(right[1]) / n);
  set_value("mlp.agree", static_cast<double>(agree) / n);
  state.counters["accuracy_dnnl"] = static_cast<double>(right[0]) / n;
  state.counters["accuracy_loops"] = static_cast<double>(right[1]) / n;
}

void rows() {
  const double sgemm = value("limit.sgemm_gflops").value_or(NAN);
  for (int64_t b : {int64_t{1}, int64_t{256}}) {
    const std::string k = std::to_string(b);
    if (!value("mlp.dnnl." + k) || !value("mlp.loops." + k)) continue;
    const double dnnl = *value("mlp.dnnl." + k), loops = *value("mlp.loops." + k);
    const double gflops = dnnl * kFlopsPerSample / 1e9;
    add_row({"6. dnnl_mlp vs plain loops, batch " + k + " (samples/s)",
             ratio(dnnl / loops) + " (" + fmt(dnnl, 0) + " vs " + fmt(loops, 0) + "; oneDNN " +
                 fmt(gflops, 1) + " GFLOP/s)",
             b == 256 ? ">= 10x at batch 256" : "-", b == 256 ? yes_no(dnnl / loops >= 10) : "",
             "oneDNN sgemm 1024^3, 1 thread: " + fmt(sgemm, 0) + " GFLOP/s", ratio(gflops / sgemm)});
  }
  if (value("mlp.agree"))
    add_row(
        {"6. same model, same accuracy (10000 test images)",
         "dnnl " + fmt(*value("mlp.accuracy.dnnl"), 4) + ", loops " + fmt(*value("mlp.accuracy.loops"), 4) +
             ", predictions agree on " + fmt(100 * *value("mlp.agree"), 2) + "%",
         "same accuracy",
         yes_no(std::abs(*value("mlp.accuracy.dnnl") - *value("mlp.accuracy.loops")) <= 0.001), "-", "-"});
}

}  // namespace

void register_mlp() {
  register_manual("mlp/dnnl_batch1", BM_dnnl_1, 20000, benchmark::kMicrosecond);
  register_manual("mlp/loops_batch1", BM_loops_1, 1000, benchmark::kMicrosecond);
  register_manual("mlp/dnnl_batch256", BM_dnnl_256, 1000, benchmark::kMicrosecond);
  register_manual("mlp/loops_batch256", BM_loops_256, 10, benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("mlp/accuracy_dnnl_and_loops", BM_accuracy)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  on_summary(rows);
}

}  // namespace gauntlet::bench
