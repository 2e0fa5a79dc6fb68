// Private to the data layer: which samples go where. The schema 1 public/private rule (a
// hash per sample) and the exact, seeded, optionally stratified choice that schema 2 uses
// for both the holdout and the public/private division.
#pragma once

#include "challenge/challenge.hpp"
#include "data/dataset.hpp"

#include <cstdint>
#include <vector>

namespace gauntlet::data {

// SplitMix64 (Steele, Lea & Flood 2014) as a pure function: the first output of a SplitMix64
// generator whose state is `x`, i.e. mix(x + 0x9E3779B97F4A7C15).
uint64_t splitmix64(uint64_t x);

// Exactly round(fraction * n) of the n samples (halves up) are chosen, by a seeded shuffle
// (SplitMix64 stream from `seed`, Fisher-Yates from the last index down). With `strata`
// (a class per sample), each class gets floor(fraction * n_c), and the samples still owed go
// one each to the classes with the largest remainders (ties: lower class first); each class
// is shuffled with the seed mixed with its index. chosen[i] says whether sample i is chosen.
std::vector<bool> exact_choice(int64_t n, double fraction, uint64_t seed, const std::vector<int32_t>* strata);

// Indices (in test-set order) of the samples of `split` among `test_size`, at most `limit` of
// them when limit >= 0. `strata`: the test set's classes, when the rule is stratified.
std::vector<int64_t> eval_indices(const SplitRule& rule, SplitName split, int64_t test_size, int64_t limit,
                                  const std::vector<int32_t>* strata = nullptr);

}  // namespace gauntlet::data
