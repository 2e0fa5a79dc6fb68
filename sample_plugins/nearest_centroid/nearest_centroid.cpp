// Nearest-centroid classifier: the mean training sample of each class; a sample's logit for a
// class is minus its squared Euclidean distance to that class's centroid. Plain C++ over the
// SDK; classification only (a regression fails train() with GAUNTLET_UNSUPPORTED).
#include <gauntlet/sdk.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sdk = gauntlet::sdk;

namespace {

class NearestCentroid : public sdk::Plugin {
 public:
  explicit NearestCentroid(const sdk::CreateContext& ctx) : Plugin(ctx) {}

  void prepare(const sdk::PrepareContext& ctx) override {
    if (ctx.inputs().size() != 1 || ctx.outputs().size() != 1)
      throw sdk::Error::unsupported("nearest-centroid needs exactly one input and one output");
    const sdk::TensorSpecView in = ctx.inputs()[0], out = ctx.outputs()[0];
    in.expect<float>();
    out.expect<float>();
    if (out.ndim() != 2)
      throw sdk::Error::unsupported("nearest-centroid needs an output of shape [batch, classes]");
    dim_ = in.sample_numel();
    classes_ = out.sample_numel();
  }

  void train(const sdk::TrainData& data) override {
    if (data.inputs().size() != 1 || data.targets().size() != 1)
      throw sdk::Error::unsupported("nearest-centroid needs one input and one target tensor");
    const sdk::TensorView x = data.input(), y = data.target();
    if (!y.is<int32_t>())
      throw sdk::Error::unsupported(
          "nearest-centroid needs integer class labels; this challenge is a regression");
    x.expect<float>();
    if (classes_ < 2) throw sdk::Error::unsupported("nearest-centroid needs at least two classes");
    if (x.sample_numel() != dim_ || y.batch() != x.batch())
      throw sdk::Error::invalid_argument("training inputs and targets do not match the prepared interface");

    // Sums in double: 60,000 float additions per element would lose digits in float.
    std::vector<double> sum(static_cast<size_t>(classes_ * dim_), 0.0);
    std::vector<int64_t> count(static_cast<size_t>(classes_), 0);
    std::vector<float> sample(static_cast<size_t>(dim_));
    for (int64_t i = 0; i < x.batch(); ++i) {
      if (i % 4096 == 0 && should_cancel()) throw sdk::Error::cancelled("cancelled while averaging");
      const int32_t label = *y.sample<int32_t>(i);
      if (label < 0 || label >= classes_)
        throw sdk::Error::invalid_argument(
            sdk::str("label ", label, " of sample ", i, " is outside [0, ", classes_, ")"));
      x.copy_sample_to(i, sample.data());
      double* s = &sum[static_cast<size_t>(label * dim_)];
      for (int64_t d = 0; d < dim_; ++d) s[d] += sample[static_cast<size_t>(d)];
      ++count[static_cast<size_t>(label)];
    }
    centroids_.assign(sum.size(), 0.0f);
    present_.assign(static_cast<size_t>(classes_), false);
    for (int64_t c = 0; c < classes_; ++c) {
      const int64_t n = count[static_cast<size_t>(c)];
      if (n == 0) {
        log(sdk::LogLevel::warning, sdk::str("class ", c, " has no training sample"));
        continue;
      }
      present_[static_cast<size_t>(c)] = true;
      for (int64_t d = 0; d < dim_; ++d)
        centroids_[static_cast<size_t>(c * dim_ + d)] =
            static_cast<float>(sum[static_cast<size_t>(c * dim_ + d)] / n);
    }
    sample_.resize(static_cast<size_t>(dim_));
  }

  void infer(sdk::InputBatch in, sdk::OutputBatch out) override {
    if (centroids_.empty()) throw sdk::Error::unsupported("nearest-centroid must be trained before infer()");
    const sdk::TensorView x = in[0];
    const sdk::MutableTensorView logits = out[0];
    const bool direct = x.is_sample_contiguous();
    const float* data = x.data<float>();
    float* dst = logits.data<float>();
    const int64_t class_stride = logits.stride(1);
    for (int64_t i = 0; i < in.batch_size(); ++i) {
      const float* s = data + i * x.stride(0);
      if (!direct) {
        x.copy_sample_to(i, sample_.data());
        s = sample_.data();
      }
      float* row = dst + i * logits.stride(0);
      for (int64_t c = 0; c < classes_; ++c) {
        if (!present_[static_cast<size_t>(c)]) {
          row[c * class_stride] = -1e30f;  // never predicted, still finite for log-loss
          continue;
        }
        const float* centroid = &centroids_[static_cast<size_t>(c * dim_)];
        float dist = 0.0f;
        for (int64_t d = 0; d < dim_; ++d) {
          const float diff = s[d] - centroid[d];
          dist += diff * diff;
        }
        row[c * class_stride] = -dist;
      }
    }
  }

 private:
  int64_t dim_ = 0, classes_ = 0;
  std::vector<float> centroids_;  // [classes, dim]
  std::vector<bool> present_;     // class seen in training
  std::vector<float> sample_;     // scratch for strided inputs, sized in train()
};

}  // namespace

GAUNTLET_PLUGIN(NearestCentroid, "nearest-centroid", "Team Centroid", "1.0",
                "Class means; logits are minus the squared distance to each mean")
