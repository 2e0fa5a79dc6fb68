#include "data/split.hpp"

#include "formats/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gauntlet {

namespace data {

uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

// The first `count` of `items` after a seeded Fisher-Yates shuffle.
void choose(std::vector<int64_t> items, int64_t count, uint64_t seed, std::vector<bool>& chosen) {
  formats::SplitMix64 rng(seed);
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[rng.next_u64() % i]);
  for (int64_t k = 0; k < count; ++k) chosen[static_cast<std::size_t>(items[k])] = true;
}

int64_t rounded(double fraction, int64_t n) { return static_cast<int64_t>(std::floor(fraction * n + 0.5)); }

}  // namespace

std::vector<bool> exact_choice(int64_t n, double fraction, uint64_t seed,
                               const std::vector<int32_t>* strata) {
  std::vector<bool> chosen(static_cast<std::size_t>(n), false);
  const int64_t total = std::clamp<int64_t>(rounded(fraction, n), 0, n);
  if (!strata) {
    std::vector<int64_t> all(static_cast<std::size_t>(n));
    std::iota(all.begin(), all.end(), int64_t{0});
    choose(std::move(all), total, seed, chosen);
    return chosen;
  }
  const int32_t classes = strata->empty() ? 0 : *std::max_element(strata->begin(), strata->end()) + 1;
  std::vector<std::vector<int64_t>> members(static_cast<std::size_t>(std::max(classes, 0)));
  for (int64_t i = 0; i < n; ++i) members[static_cast<std::size_t>((*strata)[i])].push_back(i);
  std::vector<int64_t> quota(members.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  int64_t given = 0;
  for (std::size_t c = 0; c < members.size(); ++c) {
    const double share = fraction * static_cast<double>(members[c].size());
    quota[c] = static_cast<int64_t>(std::floor(share));
    given += quota[c];
    if (quota[c] < static_cast<int64_t>(members[c].size()))
      remainders.emplace_back(share - std::floor(share), c);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < total && k < remainders.size(); ++k, ++given) ++quota[remainders[k].second];
  for (std::size_t c = 0; c < members.size(); ++c)
    choose(members[c], quota[c], splitmix64(seed ^ (c + 1)), chosen);
  return chosen;
}

std::vector<int64_t> eval_indices(const SplitRule& rule, SplitName split, int64_t test_size, int64_t limit,
                                  const std::vector<int32_t>* strata) {
  std::vector<int64_t> out;
  const bool want_private = split == SplitName::private_split;
  std::vector<bool> priv;
  if (rule.exact && split != SplitName::whole_test)
    priv = exact_choice(test_size, rule.private_fraction, rule.seed, rule.stratify ? strata : nullptr);
  for (int64_t i = 0; i < test_size && (limit < 0 || static_cast<int64_t>(out.size()) < limit); ++i) {
    if (split == SplitName::whole_test) {
      out.push_back(i);
      continue;
    }
    const bool is_private = rule.exact ? priv[static_cast<std::size_t>(i)] : is_private_sample(rule, i);
    if (is_private == want_private) out.push_back(i);
  }
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
