// The seeded synthetic regression generator. Its exact definition
// (so that organizers can re-implement it) is in challenges/synthetic-regression/README.md;
// this code and that page must change together.
#pragma once

#include <cstdint>
#include <vector>

namespace gauntlet::formats {

// A regression dataset generated from a seed (challenges/synthetic-regression/README.md):
// y = w.x + nonlinear_weight * sin(x0 * x1) + noise * N(0,1).
struct SyntheticRegressionSource {
  uint64_t seed = 0;
  int64_t num_train = 0;     // > 0
  int64_t num_test = 0;      // > 0
  int64_t num_features = 0;  // > 0, equals the input's per-sample element count
  double noise = 0.0;        // >= 0
  double nonlinear_weight = 0.0;
};

// SplitMix64 as a stream, plus the two derived draws. Written out rather than taken from
// <random>: the standard distributions are implementation-defined, so their values would
// change with the compiler's library.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next_u64();
  // Uniform in the open interval (0, 1): ((u64 >> 11) + 0.5) / 2^53.
  double next_uniform();
  // N(0, 1) by Box-Muller, cosine branch only: two uniforms per normal.
  double next_normal();

 private:
  uint64_t state_;
};

// Walks the sample stream of a SyntheticRegressionSource: weights first, then training
// samples 0..num_train-1, then test samples 0..num_test-1.
class SyntheticRegressionGenerator {
 public:
  explicit SyntheticRegressionGenerator(const SyntheticRegressionSource& source);

  const std::vector<double>& weights() const { return weights_; }

  // Draws the next sample: stores its num_features features (rounded to f32) into `x` unless
  // it is null (skipping a sample still consumes its draws) and returns its target.
  double next(float* x);

 private:
  SyntheticRegressionSource source_;
  SplitMix64 rng_;
  std::vector<double> weights_;
  std::vector<double> x_;
};

}  // namespace gauntlet::formats
