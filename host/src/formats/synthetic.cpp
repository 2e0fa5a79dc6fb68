#include "formats/synthetic.hpp"

#include <cmath>
#include <numbers>

namespace gauntlet::formats {

uint64_t SplitMix64::next_u64() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double SplitMix64::next_uniform() {
  // The +0.5 keeps u away from 0 so that log(u) below is finite.
  return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1p-53;
}

double SplitMix64::next_normal() {
  const double u1 = next_uniform();
  const double u2 = next_uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

SyntheticRegressionGenerator::SyntheticRegressionGenerator(const SyntheticRegressionSource& source)
    : source_(source), rng_(source.seed) {
  const auto f = static_cast<std::size_t>(source.num_features > 0 ? source.num_features : 0);
  weights_.resize(f);
  for (double& w : weights_) w = rng_.next_normal();
  x_.resize(f);
}

double SyntheticRegressionGenerator::next(float* x) {
  const std::size_t f = x_.size();
  double dot = 0;
  for (std::size_t j = 0; j < f; ++j) {
    x_[j] = rng_.next_normal();
    dot += weights_[j] * x_[j];
  }
  const double e = rng_.next_normal();  // drawn even when noise == 0: the stream never depends on it
  if (x)
    for (std::size_t j = 0; j < f; ++j) x[j] = static_cast<float>(x_[j]);
  if (f == 0) return source_.noise * e;
  const double x1 = f > 1 ? x_[1] : x_[0];
  return dot + source_.nonlinear_weight * std::sin(x_[0] * x1) + source_.noise * e;
}

}  // namespace gauntlet::formats
