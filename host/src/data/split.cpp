#include "data/split.hpp"

#include <cmath>

namespace gauntlet {

namespace data {

uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<int64_t> eval_indices(const SplitRule& rule, SplitName split, int64_t test_size, int64_t limit) {
  std::vector<int64_t> out;
  const bool want_private = split == SplitName::private_split;
  for (int64_t i = 0; i < test_size && (limit < 0 || static_cast<int64_t>(out.size()) < limit); ++i)
    if (split == SplitName::whole_test || is_private_sample(rule, i) == want_private) out.push_back(i);
  return out;
}

}  // namespace data

const char* split_name(SplitName split) {
  switch (split) {
    case SplitName::private_split:
      return "private";
    case SplitName::whole_test:
      return "all";
    default:
      return "public";
  }
}

bool is_private_sample(const SplitRule& rule, int64_t index) {
  // Exact integer form of splitmix64(seed ^ i) / 2^64 < f: fraction * 2^64 is exact in double
  // (a power-of-two scaling), and for an integer z, z < F <=> z < ceil(F). This keeps the split
  // reproducible bit for bit by anyone who re-implements the rule.
  if (!(rule.private_fraction > 0)) return false;
  if (rule.private_fraction >= 1) return true;
  const auto threshold = static_cast<uint64_t>(std::ceil(rule.private_fraction * 0x1p64));
  return data::splitmix64(rule.seed ^ static_cast<uint64_t>(index)) < threshold;
}

}  // namespace gauntlet
