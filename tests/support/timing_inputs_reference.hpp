// The caching defence's first implementation, kept as the specification of
// judge::refresh_timing_inputs (same arguments): copy each sample, then flip the lowest bit of
// each normal float with bit (w % 64) of a draw taken every 64 words of a sample. The unit test
// checks the fused pass against it bit for bit; the benchmark times it as the "before" figure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>

namespace gauntlet::testing {

inline void refresh_timing_inputs_reference(std::byte* to, const std::byte* from, std::size_t sample_bytes,
                                            const int64_t* samples, std::size_t count, bool f32,
                                            std::mt19937_64& rng) {
  for (std::size_t k = 0; k < count; ++k) {
    std::byte* dst = to + k * sample_bytes;
    std::memcpy(dst, from + static_cast<std::size_t>(samples[k]) * sample_bytes, sample_bytes);
    if (!f32) continue;
    auto* words = reinterpret_cast<uint32_t*>(dst);
    uint64_t bits = 0;
    for (std::size_t w = 0; w < sample_bytes / 4; ++w) {
      if (w % 64 == 0) bits = rng();
      const uint32_t exponent = (words[w] >> 23) & 0xff;
      if (exponent != 0 && exponent != 0xff) words[w] ^= static_cast<uint32_t>(bits & 1);
      bits >>= 1;
    }
  }
}

}  // namespace gauntlet::testing
