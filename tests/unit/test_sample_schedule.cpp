// The judge's secret draw of timed samples (judge/secret_stream.hpp, judge/sample_schedule.hpp).
#include <doctest/doctest.h>

#include "judge/sample_schedule.hpp"
#include "judge/secret_stream.hpp"

#include <algorithm>
#include <numeric>
#include <set>

using gauntlet::judge::plan_sample_budgets;
using gauntlet::judge::samples_for_min_batches;
using gauntlet::judge::SampleSchedule;
using gauntlet::judge::SecretStream;

namespace {

SecretStream::Key key(uint8_t fill) {
  SecretStream::Key k{};
  k.fill(fill);
  return k;
}

std::vector<int64_t> draw_all(SecretStream stream, int64_t n) {
  SampleSchedule s(n, stream);
  auto all = s.take(n);
  return {all.begin(), all.end()};
}

}  // namespace

TEST_CASE(
    "the secret stream is ChaCha20 under its key: reproducible by an auditor holding the key, new for each "
    "judging") {
  SecretStream a(key(1)), b(key(1)), c(key(2));
  std::vector<uint64_t> va, vb, vc;
  for (int i = 0; i < 1000; ++i) {  // crosses the 4 KiB block refill
    va.push_back(a.next());
    vb.push_back(b.next());
    vc.push_back(c.next());
  }
  CHECK(va == vb);
  CHECK(va != vc);
  CHECK(a.key_hex() == "0101010101010101010101010101010101010101010101010101010101010101");
  // Fresh keys come from the kernel and differ.
  CHECK(SecretStream::fresh().key_hex() != SecretStream::fresh().key_hex());
  CHECK(SecretStream::fresh().key_hex().size() == 64);
}

TEST_CASE("below(n) stays below n and covers it evenly") {
  SecretStream s(key(3));
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const uint64_t v = s.below(7);
    REQUIRE(v < 7);
    ++counts[v];
  }
  for (int c : counts) CHECK(std::abs(c - 10000) < 600);  // ~6 sigma
  CHECK(s.below(1) == 0);
}

TEST_CASE("the schedule is a permutation: every sample once, in an order only the key gives") {
  const auto a = draw_all(SecretStream(key(4)), 5000);
  const auto b = draw_all(SecretStream(key(4)), 5000);
  const auto c = draw_all(SecretStream(key(5)), 5000);
  CHECK(a == b);
  CHECK(a != c);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expected(5000);
  std::iota(expected.begin(), expected.end(), int64_t{0});
  CHECK(sorted == expected);
  // Not the identity, nor anything close to it.
  int fixed = 0;
  for (int64_t i = 0; i < 5000; ++i) fixed += a[static_cast<std::size_t>(i)] == i;
  CHECK(fixed < 20);
}

TEST_CASE("take() hands out fresh samples only: never one twice, nothing when too few remain") {
  SecretStream stream(key(6));
  SampleSchedule s(100, stream);
  std::set<int64_t> seen;
  for (int i = 0; i < 6; ++i) {
    auto batch = s.take(16);
    REQUIRE(batch.size() == 16);
    for (int64_t v : batch) CHECK(seen.insert(v).second);
  }
  CHECK(s.used() == 96);
  CHECK(s.remaining() == 4);
  CHECK(s.take(16).empty());  // not padded with samples already shown
  CHECK(s.take(4).size() == 4);
  CHECK(s.take(1).empty());
  CHECK(s.take(0).empty());
}

TEST_CASE("sample budgets: min_batches' worth for small batch sizes first, the rest shared equally") {
  // Fashion-MNIST's public split with [1, 64, 256] x 10.
  auto b = plan_sample_budgets({1, 64, 256}, 10, 5000);
  CHECK(samples_for_min_batches({1, 64, 256}, 10) == 3210);
  CHECK(b[0] + b[1] + b[2] == 5000);
  CHECK(b[0] >= 10);
  CHECK(b[1] >= 640);
  CHECK(b[2] >= 2560);
  CHECK(b[0] - 10 == doctest::Approx(b[2] - 2560).epsilon(0.01));  // the rest, equally
  // Too few: the small ones are served, the largest gets what is left.
  b = plan_sample_budgets({1, 64, 256}, 20, 5000);
  CHECK(b[0] == 20);
  CHECK(b[1] == 1280);
  CHECK(b[2] == 3700);
  // Order of the list does not matter, only the sizes.
  b = plan_sample_budgets({256, 1}, 20, 1000);
  CHECK(b[1] == 20);
  CHECK(b[0] == 980);
  CHECK(plan_sample_budgets({1, 16}, 10, 0) == std::vector<int64_t>{0, 0});
  CHECK(plan_sample_budgets({}, 10, 100).empty());
}
