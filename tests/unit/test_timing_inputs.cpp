// The caching defence's input refresh (judge/timing_inputs.hpp): the fused, vectorised pass
// writes exactly what the per-element loop it replaced wrote, for the same seed.
#include <doctest/doctest.h>

#include "judge/timing_inputs.hpp"
#include "support/timing_inputs_reference.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using gauntlet::judge::refresh_timing_inputs;
using gauntlet::judge::TimingSimd;
using gauntlet::testing::refresh_timing_inputs_reference;

namespace {

std::vector<float> source(std::size_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> u(-3.0f, 3.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  // Every kind of value the perturbation must leave alone, and a few normal extremes.
  const float specials[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::denorm_min(),
                            -std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::min(),
                            std::numeric_limits<float>::max()};
  for (std::size_t i = 0; i < n; i += 7) v[i] = specials[(i / 7) % (sizeof specials / sizeof specials[0])];
  return v;
}

}  // namespace

TEST_CASE("the fused refresh is bit-identical to the per-element loop, for f32 and other inputs") {
  // Every instruction set this CPU has (the judge picks the widest).
  std::vector<TimingSimd> simds{TimingSimd::generic};
  if (gauntlet::judge::best_timing_simd() != TimingSimd::generic) simds.push_back(TimingSimd::avx2);
  if (gauntlet::judge::best_timing_simd() == TimingSimd::avx512) simds.push_back(TimingSimd::avx512);
  std::mt19937_64 gen(7);
  // 784 floats (Fashion-MNIST: 12 whole blocks of 64 and a partial one), a single word, a block.
  for (std::size_t words : {std::size_t{784}, std::size_t{1}, std::size_t{64}, std::size_t{130}}) {
    const std::size_t sample_bytes = words * 4, pool = 50;
    const std::vector<float> from = source(words * pool, gen);
    std::vector<int64_t> samples(33);
    for (auto& s : samples) s = static_cast<int64_t>(gen() % pool);
    for (bool f32 : {true, false}) {
      for (TimingSimd simd : simds) {
        std::vector<std::byte> a(sample_bytes * samples.size()), b(a.size());
        std::mt19937_64 ra(99), rb(99);
        refresh_timing_inputs_reference(a.data(), reinterpret_cast<const std::byte*>(from.data()),
                                        sample_bytes, samples.data(), samples.size(), f32, ra);
        refresh_timing_inputs(b.data(), reinterpret_cast<const std::byte*>(from.data()), sample_bytes,
                              samples.data(), samples.size(), f32, rb, simd);
        CAPTURE(words);
        CAPTURE(f32);
        CAPTURE(static_cast<int>(simd));
        CHECK(std::memcmp(a.data(), b.data(), a.size()) == 0);
        CHECK(ra() == rb());  // the same draws were consumed
      }
    }
  }
}

TEST_CASE("about half of the normal floats move by one unit in the last place, nothing else changes") {
  std::mt19937_64 gen(3);
  const std::size_t words = 784, pool = 20;
  const std::vector<float> from = source(words * pool, gen);
  std::vector<int64_t> samples(pool);
  for (std::size_t k = 0; k < pool; ++k) samples[k] = static_cast<int64_t>(k);
  std::vector<float> to(from.size());
  std::mt19937_64 rng(5);
  refresh_timing_inputs(reinterpret_cast<std::byte*>(to.data()),
                        reinterpret_cast<const std::byte*>(from.data()), words * 4, samples.data(),
                        samples.size(), true, rng);
  std::size_t normal = 0, moved = 0;
  for (std::size_t i = 0; i < from.size(); ++i) {
    uint32_t a, b;
    std::memcpy(&a, &from[i], 4);
    std::memcpy(&b, &to[i], 4);
    if (std::isnormal(from[i])) {
      ++normal;
      CHECK(((a ^ b) == 0 || (a ^ b) == 1));
      moved += (a ^ b);
    } else {
      CHECK(a == b);
    }
  }
  CHECK(moved > normal * 45 / 100);
  CHECK(moved < normal * 55 / 100);
}
