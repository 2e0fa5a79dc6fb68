// The caching defence's input refresh (README, Integrity of the measurement): what the judge
// writes into the timing region before every timed call. It is the one place where the host
// touches a batch's input bytes per call, so it runs at close to memcpy speed: a single fused
// copy-and-perturb pass, with AVX-512 or AVX2 where the CPU has them (docs/performance.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

namespace gauntlet::judge {

// Writes `count` samples into consecutive slots of `to`: slot k gets sample `samples[k]` of
// `from`, each `sample_bytes` long. With `f32`, every normal float of each slot then has its
// lowest mantissa bit flipped by a fair coin: one draw of `rng` per 64 words of a sample, bit j
// for word j (so consecutive calls, samples and words all get independent bits). Zeros,
// denormals, infinities and NaNs are copied unchanged.
void refresh_timing_inputs(std::byte* to, const std::byte* from, std::size_t sample_bytes,
                           const int64_t* samples, std::size_t count, bool f32, std::mt19937_64& rng);

// The same with a given instruction set (every one writes the same bytes; for the tests).
enum class TimingSimd { generic, avx2, avx512 };
TimingSimd best_timing_simd();  // the widest this CPU has
void refresh_timing_inputs(std::byte* to, const std::byte* from, std::size_t sample_bytes,
                           const int64_t* samples, std::size_t count, bool f32, std::mt19937_64& rng,
                           TimingSimd simd);

}  // namespace gauntlet::judge
