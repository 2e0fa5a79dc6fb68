// The dnnl_mlp model the end-to-end and sample-plugin benchmarks use: trained once per run,
// in-process, on the Fashion-MNIST training split (the sample's own train(), 8 epochs), and
// written to work/assets/mlp.weights, which the plugin loads from its asset folder.
#pragma once

#include "common/host_tensor.hpp"

#include <string>

namespace gauntlet::bench {

inline constexpr const char* kMlpWeights = "mlp.weights";

// The asset folder holding kMlpWeights (trains the model the first time in this process).
const std::string& mlp_assets();
// The same folder, without training (a replay process, once the suite has trained the model).
std::string mlp_assets_path();

// The whole Fashion-MNIST test set, preprocessed as the judge does, on the heap.
struct TestSet {
  HostTensor inputs;  // f32 [10000, 1, 28, 28]
  HostTensor labels;  // s32 [10000]
  int64_t samples = 0;
};
const TestSet& test_set();

}  // namespace gauntlet::bench
