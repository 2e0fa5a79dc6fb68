#include "mlp_model.hpp"

#include "bench.hpp"
#include "data/dataset.hpp"
#include "in_process.hpp"
#include "judge_env.hpp"

#include <filesystem>

namespace gauntlet::bench {
namespace {

ChallengeData load(bool include_train) {
  const Challenge c = load_challenge_file("challenges/fashion-mnist/challenge.yaml");
  DataRequest request;
  request.split = SplitName::whole_test;
  request.include_train = include_train;
  return load_challenge_data(c, request, heap_allocator());
}

}  // namespace

const TestSet& test_set() {
  static const TestSet t = [] {
    ChallengeData d = load(false);
    TestSet s;
    s.inputs = d.eval.inputs.at(0);
    s.labels = d.eval.targets;
    s.samples = s.labels.samples();
    return s;
  }();
  return t;
}

std::string mlp_assets_path() { return work_dir() + "/assets"; }

const std::string& mlp_assets() {
  static const std::string dir = [] {
    const std::string assets = mlp_assets_path();
    std::filesystem::create_directories(assets);
    const std::string weights = assets + "/" + kMlpWeights;
    const auto t0 = Clock::now();
    ChallengeData d = load(true);
    // The challenge's own plugin_config (8 epochs, learning rate 0.05), seed 1 as the judge's.
    InProcessPlugin plugin(sample_plugin("dnnl_mlp"),
                           {{"epochs", "8"}, {"learning_rate", "0.05"}, {"save_weights", weights}});
    plugin.prepare("image", {1, 28, 28}, "logits", {10}, {1, 64, 256});
    HostTensor& x = d.train.inputs.at(0);
    HostTensor& y = d.train.targets;
    TensorArg tx("image", true, {1, 28, 28}, true), ty("label", false, {}, true);
    plugin.train(tx.view(x.raw(), 0, x.samples()), ty.view(y.raw(), 0, y.samples()));
    set_value("mlp.train_seconds", std::chrono::duration<double>(Clock::now() - t0).count());
    return assets;
  }();
  return dir;
}

}  // namespace gauntlet::bench
