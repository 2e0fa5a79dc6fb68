// Multinomial naive Bayes over byte bigrams, for text challenges that feed each sample as two
// inputs: its UTF-8 bytes (u8 [batch, max_length], zero-padded) and its length (an integer
// [batch] or [batch, 1]), e.g. challenges/language-id. A word is the bigrams of "^word$" (start
// and end marks are bytes 0 and 1, which text does not hold); a class's logit is its log prior
// plus the sum of log P(bigram | class), Laplace-smoothed. The logits are log-probabilities up
// to a constant, so a challenge can read them as logits. Plain C++ over the SDK.
//
// plugin_config: alpha (Laplace smoothing, default 0.5).
#include <gauntlet/sdk.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace sdk = gauntlet::sdk;

namespace {

constexpr int kBigrams = 256 * 256;

class ByteBayes : public sdk::Plugin {
 public:
  explicit ByteBayes(const sdk::CreateContext& ctx)
      : Plugin(ctx), alpha_(ctx.config.get<double>("alpha", 0.5)) {
    if (!(alpha_ > 0)) throw sdk::Error::invalid_argument("plugin_config 'alpha' must be > 0");
  }

  void prepare(const sdk::PrepareContext& ctx) override {
    if (ctx.inputs().size() != 2 || ctx.outputs().size() != 1)
      throw sdk::Error::unsupported("byte-bayes needs two inputs (bytes, length) and one output");
    ctx.inputs()[0].expect<uint8_t>();
    ctx.outputs()[0].expect<float>();
    max_length_ = ctx.inputs()[0].sample_numel();
    classes_ = ctx.outputs()[0].sample_numel();
  }

  void train(const sdk::TrainData& data) override {
    const sdk::TensorView text = data.inputs()[0], length = data.inputs()[1], y = data.target();
    if (!y.is<int32_t>()) throw sdk::Error::unsupported("byte-bayes needs class labels");
    std::vector<double> counts(static_cast<size_t>(classes_) * kBigrams, 0.0),
        totals(static_cast<size_t>(classes_), 0.0);
    std::vector<double> prior(static_cast<size_t>(classes_), 0.0);
    for (int64_t i = 0; i < text.batch(); ++i) {
      const int32_t c = *y.sample<int32_t>(i);
      if (c < 0 || c >= classes_)
        throw sdk::Error::invalid_argument(sdk::str("label ", c, " is not a class"));
      prior[static_cast<size_t>(c)] += 1;
      for_each_bigram(text, length, i, [&](int b) {
        counts[static_cast<size_t>(c) * kBigrams + static_cast<size_t>(b)] += 1;
        totals[static_cast<size_t>(c)] += 1;
      });
    }
    log_p_.assign(counts.size(), 0.0f);
    log_prior_.assign(prior.size(), 0.0f);
    for (int64_t c = 0; c < classes_; ++c) {
      log_prior_[static_cast<size_t>(c)] =
          static_cast<float>(std::log((prior[static_cast<size_t>(c)] + 1) / (text.batch() + classes_)));
      const double denominator = totals[static_cast<size_t>(c)] + alpha_ * kBigrams;
      for (int b = 0; b < kBigrams; ++b) {
        const size_t at = static_cast<size_t>(c) * kBigrams + static_cast<size_t>(b);
        log_p_[at] = static_cast<float>(std::log((counts[at] + alpha_) / denominator));
      }
    }
  }

  void infer(sdk::InputBatch in, sdk::OutputBatch out) override {
    if (log_p_.empty()) throw sdk::Error::unsupported("byte-bayes must be trained before infer()");
    const sdk::MutableTensorView logits = out[0];
    std::vector<float> row(static_cast<size_t>(classes_));
    for (int64_t i = 0; i < in.batch_size(); ++i) {
      row.assign(log_prior_.begin(), log_prior_.end());
      for_each_bigram(in[0], in[1], i, [&](int b) {
        for (int64_t c = 0; c < classes_; ++c)
          row[static_cast<size_t>(c)] += log_p_[static_cast<size_t>(c) * kBigrams + static_cast<size_t>(b)];
      });
      logits.copy_sample_from(i, row.data());
    }
  }

 private:
  // Calls f with each bigram index (first byte * 256 + second) of "^text$".
  template <class F>
  void for_each_bigram(const sdk::TensorView& text, const sdk::TensorView& length, int64_t i, F&& f) const {
    int64_t n = length.is<int64_t>() ? *length.sample<int64_t>(i) : *length.sample<int32_t>(i);
    n = std::max<int64_t>(0, std::min(n, max_length_));
    std::vector<uint8_t> bytes(static_cast<size_t>(max_length_));
    text.copy_sample_to(i, bytes.data());
    int previous = 0;  // the start mark
    for (int64_t k = 0; k < n; ++k) {
      f(previous * 256 + bytes[static_cast<size_t>(k)]);
      previous = bytes[static_cast<size_t>(k)];
    }
    f(previous * 256 + 1);  // the end mark
  }

  double alpha_;
  int64_t max_length_ = 0, classes_ = 0;
  std::vector<float> log_p_;      // [classes, 65536]
  std::vector<float> log_prior_;  // [classes]
};

}  // namespace

GAUNTLET_PLUGIN(ByteBayes, "byte-bayes", "Team Bigram", "1.0",
                "Naive Bayes over byte bigrams of text given as bytes and lengths")
