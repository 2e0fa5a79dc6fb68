// Private to the data layer: the deterministic public/private split of a test set.
#pragma once

#include "challenge/challenge.hpp"
#include "data/dataset.hpp"

#include <cstdint>
#include <vector>

namespace gauntlet::data {

// SplitMix64 (Steele, Lea & Flood 2014) as a pure function: the first output of a SplitMix64
// generator whose state is `x`, i.e. mix(x + 0x9E3779B97F4A7C15).
uint64_t splitmix64(uint64_t x);

// Indices (in test-set order) of the samples of `split` among `test_size`, at most `limit`
// of them when limit >= 0.
std::vector<int64_t> eval_indices(const SplitRule& rule, SplitName split, int64_t test_size, int64_t limit);

}  // namespace gauntlet::data
