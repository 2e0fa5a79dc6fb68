#include "judge/timing_inputs.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GAUNTLET_X86_SIMD 1
#endif

namespace gauntlet::judge {
namespace {

constexpr std::size_t kBlockWords = 64;  // words per draw
constexpr uint32_t kExponent = 0x7f800000u;

// A byte of random bits spread over eight words, one bit each: kMasks[b][i] = bit i of b, so
// that a draw becomes lane masks with table loads (SSE2 has no per-lane shifts). 8 KiB.
using MaskRow = std::array<uint32_t, 8>;
constexpr std::array<MaskRow, 256> make_masks() {
  std::array<MaskRow, 256> t{};
  for (uint32_t b = 0; b < 256; ++b)
    for (uint32_t i = 0; i < 8; ++i) t[b][i] = (b >> i) & 1u;
  return t;
}
constexpr std::array<MaskRow, 256> kMasks = make_masks();

// Every version computes to = from ^ (bit j of `bits` & is_normal(from)) for words j < n <= 64.

// Portable: branch-free, vectorised by the compiler with the baseline instruction set.
void block_generic(uint32_t* __restrict to, const uint32_t* __restrict from, std::size_t n, uint64_t bits) {
  alignas(64) uint32_t mask[kBlockWords];
  for (std::size_t k = 0; k < kBlockWords / 8; ++k)
    std::memcpy(mask + 8 * k, kMasks[(bits >> (8 * k)) & 0xffu].data(), sizeof(MaskRow));
  for (std::size_t j = 0; j < n; ++j) {
    const uint32_t w = from[j];
    const uint32_t exponent = w & kExponent;
    // Normal numbers only: zeros stay zeros and no denormal appears (slow arithmetic).
    const uint32_t normal =
        static_cast<uint32_t>(exponent != 0) & static_cast<uint32_t>(exponent != kExponent);
    to[j] = w ^ (mask[j] & normal);
  }
}

#ifdef GAUNTLET_X86_SIMD
// AVX2: eight words per step, their bits shifted into place per lane.
__attribute__((target("avx2"))) void block_avx2(uint32_t* to, const uint32_t* from, std::size_t n,
                                                uint64_t bits) {
  const __m256i exponent = _mm256_set1_epi32(static_cast<int>(kExponent)), one = _mm256_set1_epi32(1);
  const __m256i zero = _mm256_setzero_si256(), lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8, bits >>= 8) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from + j));
    const __m256i e = _mm256_and_si256(w, exponent);
    // All ones where the exponent is 0 or 255 (not a normal number).
    const __m256i special = _mm256_or_si256(_mm256_cmpeq_epi32(e, zero), _mm256_cmpeq_epi32(e, exponent));
    const __m256i coin =
        _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(static_cast<int>(bits & 0xff)), lanes), one);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(to + j),
                        _mm256_xor_si256(w, _mm256_andnot_si256(special, coin)));
  }
  if (j < n) block_generic(to + j, from + j, n - j, bits);
}

// AVX-512: sixteen words per step, 16 bits of the draw used directly as the lane mask. Full
// steps use plain loads and stores (masked stores are slow on some CPUs), the tail masked ones.
__attribute__((target("avx512f"), always_inline)) inline __m512i flip_avx512(__m512i w, uint64_t coins) {
  const __m512i exponent = _mm512_set1_epi32(static_cast<int>(kExponent));
  const __m512i e = _mm512_and_si512(w, exponent);
  const auto lanes =
      static_cast<__mmask16>(_mm512_test_epi32_mask(e, e) & _mm512_cmpneq_epi32_mask(e, exponent) &
                             static_cast<__mmask16>(coins & 0xffffu));
  return _mm512_mask_xor_epi32(w, lanes, w, _mm512_set1_epi32(1));
}

__attribute__((target("avx512f"))) void block_avx512(uint32_t* to, const uint32_t* from, std::size_t n,
                                                     uint64_t bits) {
  std::size_t j = 0;
  for (; j + 16 <= n; j += 16, bits >>= 16)
    _mm512_storeu_si512(to + j, flip_avx512(_mm512_loadu_si512(from + j), bits));
  if (j < n) {
    const auto tail = static_cast<__mmask16>((1u << (n - j)) - 1u);
    _mm512_mask_storeu_epi32(to + j, tail, flip_avx512(_mm512_maskz_loadu_epi32(tail, from + j), bits));
  }
}
#endif

using BlockFn = void (*)(uint32_t*, const uint32_t*, std::size_t, uint64_t);

BlockFn block_for(TimingSimd simd) {
  switch (simd) {
#ifdef GAUNTLET_X86_SIMD
    case TimingSimd::avx512:
      return block_avx512;
    case TimingSimd::avx2:
      return block_avx2;
#endif
    default:
      return block_generic;
  }
}

}  // namespace

TimingSimd best_timing_simd() {
#ifdef GAUNTLET_X86_SIMD
  static const TimingSimd best = __builtin_cpu_supports("avx512f") ? TimingSimd::avx512
                                 : __builtin_cpu_supports("avx2")  ? TimingSimd::avx2
                                                                   : TimingSimd::generic;
  return best;
#else
  return TimingSimd::generic;
#endif
}

void refresh_timing_inputs(std::byte* to, const std::byte* from, std::size_t sample_bytes,
                           const int64_t* samples, std::size_t count, bool f32, std::mt19937_64& rng,
                           TimingSimd simd) {
  const BlockFn block = block_for(simd);
  const std::size_t words = sample_bytes / 4;
  for (std::size_t k = 0; k < count; ++k) {
    std::byte* dst = to + k * sample_bytes;
    const std::byte* src = from + static_cast<std::size_t>(samples[k]) * sample_bytes;
    // Samples are drawn at random: ask for the next one's lines while this one is processed
    // (memcpy's string instructions do as much; a plain loop would wait on each line).
    if (k + 1 < count) {
      const std::byte* next = from + static_cast<std::size_t>(samples[k + 1]) * sample_bytes;
      for (std::size_t line = 0; line < sample_bytes; line += 64) __builtin_prefetch(next + line);
    }
    if (!f32) {
      std::memcpy(dst, src, sample_bytes);
      continue;
    }
    auto* d = reinterpret_cast<uint32_t*>(dst);
    const auto* s = reinterpret_cast<const uint32_t*>(src);
    for (std::size_t w = 0; w < words; w += kBlockWords)
      block(d + w, s + w, std::min(kBlockWords, words - w), rng());
  }
}

void refresh_timing_inputs(std::byte* to, const std::byte* from, std::size_t sample_bytes,
                           const int64_t* samples, std::size_t count, bool f32, std::mt19937_64& rng) {
  refresh_timing_inputs(to, from, sample_bytes, samples, count, f32, rng, best_timing_simd());
}

}  // namespace gauntlet::judge
