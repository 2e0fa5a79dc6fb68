// Metrics layer: every expected value below is worked out by hand in the comments, not by
// calling the code under test.
#include <doctest/doctest.h>

#include "common/errors.hpp"
#include "metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

using namespace gauntlet;

namespace {

Challenge classification(int64_t classes, std::vector<MetricSpec> metrics) {
  Challenge c;
  c.task = Task::classification;
  c.num_classes = classes;
  c.metrics = std::move(metrics);
  return c;
}

MetricSpec metric(const std::string& kind, int k = 0) {
  MetricSpec m;
  m.kind = kind;
  m.k = k;
  m.variable = kind == "top_k_accuracy" ? "top" + std::to_string(k) + "_accuracy" : kind;
  return m;
}

HostTensor f32(std::vector<int64_t> shape, const std::vector<float>& values) {
  HostTensor t = HostTensor::allocate(DType::f32, std::move(shape));
  REQUIRE(static_cast<std::size_t>(t.numel()) == values.size());
  std::copy(values.begin(), values.end(), t.as<float>());
  return t;
}

HostTensor s32(const std::vector<int32_t>& values) {
  HostTensor t = HostTensor::allocate(DType::s32, {static_cast<int64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.as<int32_t>());
  return t;
}

double get(const std::vector<std::pair<std::string, double>>& r, const std::string& name) {
  for (const auto& [k, v] : r)
    if (k == name) return v;
  FAIL("metric " << name << " missing");
  return 0;
}

const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kMaxLoss = -std::log(1e-15);  // 34.538776...

}  // namespace

// Four samples, three classes:
//   s0 [2, 1, 0] target 0: predicted 0 (hit); nothing scores >= 2 besides the target.
//   s1 [0, 3, 1] target 2: predicted 1; one rival (class 1) is >= 1.
//   s2 [1, 1, 5] target 1: predicted 2; two rivals >= 1 (class 0 ties, class 2).
//   s3 [0, 0, 0] target 2: predicted 0 (first index on ties); two tied rivals.
TEST_CASE("classification metrics on a hand-checked batch") {
  const HostTensor out = f32({4, 3}, {2, 1, 0, 0, 3, 1, 1, 1, 5, 0, 0, 0});
  const HostTensor tgt = s32({0, 2, 1, 2});
  const Challenge c =
      classification(3, {metric("accuracy"), metric("top_k_accuracy", 1), metric("top_k_accuracy", 2),
                         metric("top_k_accuracy", 3), metric("macro_f1"), metric("log_loss")});
  const auto r = compute_quality_metrics(c, out, tgt);
  REQUIRE(r.size() == 6);
  CHECK(r[0].first == "accuracy");  // in the order of challenge.metrics
  CHECK(r[5].first == "log_loss");
  CHECK(get(r, "accuracy") == doctest::Approx(0.25));
  // top-1 is strict: only s0 (accuracy also counts s0 only; a tie at the first index would
  // count for accuracy but not for top-1).
  CHECK(get(r, "top1_accuracy") == doctest::Approx(0.25));
  CHECK(get(r, "top2_accuracy") == doctest::Approx(0.5));  // s0, s1
  CHECK(get(r, "top3_accuracy") == doctest::Approx(1.0));
  // predictions 0 1 2 0 vs targets 0 2 1 2:
  //   class 0: TP 1 (s0), FP 1 (s3), FN 0 -> F1 = 2/3;  class 1: TP 0 -> 0;  class 2: TP 0 -> 0.
  CHECK(get(r, "macro_f1") == doctest::Approx(2.0 / 9.0));
  // -log softmax: s0 log(1 + e^-1 + e^-2); s1 log(1 + e^3 + e^1) - 1; s2 log(2e + e^5) - 1; s3 log 3.
  const double e = std::exp(1.0);
  const double expected = (std::log(1 + 1 / e + 1 / (e * e)) + std::log(1 + std::exp(3.0) + e) - 1 +
                           std::log(2 * e + std::exp(5.0)) - 1 + std::log(3.0)) /
                          4;
  CHECK(get(r, "log_loss") == doctest::Approx(expected).epsilon(1e-6));
}

TEST_CASE("ties never help: a constant output scores only by chance") {
  // All scores equal: argmax picks class 0 (1 of 4 targets); top-k needs < k tied rivals, and
  // there are 3, so top-3 misses everything and only top-4 (every class) hits.
  const HostTensor out = f32({4, 4}, std::vector<float>(16, 0.5f));
  const HostTensor tgt = s32({0, 1, 2, 3});
  const auto r = compute_quality_metrics(
      classification(4, {metric("accuracy"), metric("top_k_accuracy", 3), metric("top_k_accuracy", 4)}), out,
      tgt);
  CHECK(get(r, "accuracy") == doctest::Approx(0.25));
  CHECK(get(r, "top3_accuracy") == doctest::Approx(0.0));
  CHECK(get(r, "top4_accuracy") == doctest::Approx(1.0));
}

TEST_CASE("macro-F1 averages over the classes present in targets or predictions (scikit-learn)") {
  // Same predictions and targets as above with a fourth class nobody predicts or holds: it is
  // left out, so the average stays 2/9 (and would be 1/6 over all four classes).
  const HostTensor out = f32({4, 4}, {2, 1, 0, -9, 0, 3, 1, -9, 1, 1, 5, -9, 0, 0, 0, -9});
  const auto r = compute_quality_metrics(classification(4, {metric("macro_f1")}), out, s32({0, 2, 1, 2}));
  CHECK(get(r, "macro_f1") == doctest::Approx(2.0 / 9.0));

  // Perfect predictions: F1 = 1 for each present class.
  const HostTensor good = f32({3, 3}, {1, 0, 0, 0, 1, 0, 0, 1, 0});
  CHECK(get(compute_quality_metrics(classification(3, {metric("macro_f1")}), good, s32({0, 1, 1})),
            "macro_f1") == doctest::Approx(1.0));
  // A class only predicted (FP) counts, with F1 0: targets {0, 0}, predictions {0, 1}:
  //   class 0: TP 1, FN 1 -> 2/3;  class 1: FP 1 -> 0;  mean 1/3.
  const HostTensor fp = f32({2, 2}, {1, 0, 0, 1});
  CHECK(get(compute_quality_metrics(classification(2, {metric("macro_f1")}), fp, s32({0, 0})), "macro_f1") ==
        doctest::Approx(1.0 / 3.0));
}

TEST_CASE("log_loss: oneDNN log-softmax against the direct formula, clamping, NaN rows") {
  std::mt19937 gen(1234);  // only inputs: the expected values come from the formula below
  std::uniform_real_distribution<float> u(-8, 8);
  const int n = 257, k = 10;
  std::vector<float> x(n * k);
  for (float& v : x) v = u(gen);
  std::vector<int32_t> t(n);
  for (int i = 0; i < n; ++i) t[i] = static_cast<int32_t>(gen() % k);
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    double m = -1e300, z = 0;
    for (int j = 0; j < k; ++j) m = std::max(m, double(x[i * k + j]));
    for (int j = 0; j < k; ++j) z += std::exp(x[i * k + j] - m);
    sum += -(x[i * k + t[i]] - m - std::log(z));
  }
  const auto r = compute_quality_metrics(classification(k, {metric("log_loss")}), f32({n, k}, x), s32(t));
  CHECK(get(r, "log_loss") == doctest::Approx(sum / n).epsilon(1e-5));

  // A confident mistake: log p = -200 is clamped to log(1e-15). A confident hit costs ~0.
  const auto big = compute_quality_metrics(classification(3, {metric("log_loss")}),
                                           f32({2, 3}, {100, 0, -100, 100, 0, -100}), s32({2, 0}));
  CHECK(get(big, "log_loss") == doctest::Approx(kMaxLoss / 2).epsilon(1e-6));
  CHECK(std::isfinite(get(big, "log_loss")));

  // A row with a NaN: wrong for accuracy/top-k, maximal loss; the other row [0, 0] costs log 2.
  const HostTensor nan_out = f32({2, 2}, {float(kNan), 1, 0, 0});
  const auto rn = compute_quality_metrics(
      classification(2, {metric("accuracy"), metric("top_k_accuracy", 2), metric("log_loss")}), nan_out,
      s32({1, 0}));
  CHECK(get(rn, "accuracy") == doctest::Approx(0.5));  // row 1 ties, argmax 0 = target
  CHECK(get(rn, "top2_accuracy") == doctest::Approx(0.5));
  CHECK(get(rn, "log_loss") == doctest::Approx((kMaxLoss + std::log(2.0)) / 2).epsilon(1e-6));
}

TEST_CASE("regression metrics over all elements") {
  Challenge c;
  c.task = Task::regression;
  c.metrics = {metric("mse"), metric("mae")};
  // errors 0 1 2 3: mse (0 + 1 + 4 + 9) / 4 = 3.5, mae (0 + 1 + 2 + 3) / 4 = 1.5.
  auto r = compute_quality_metrics(c, f32({4, 1}, {1, 2, 3, 4}), f32({4, 1}, {1, 1, 1, 1}));
  CHECK(get(r, "mse") == doctest::Approx(3.5));
  CHECK(get(r, "mae") == doctest::Approx(1.5));
  // Two values per sample, errors -0.5 0.5 -2 0: mse (0.25 + 0.25 + 4) / 4 = 1.125, mae 3 / 4.
  r = compute_quality_metrics(c, f32({2, 2}, {0, 1, -1, 2}), f32({2, 2}, {0.5f, 0.5f, 1, 2}));
  CHECK(get(r, "mse") == doctest::Approx(1.125));
  CHECK(get(r, "mae") == doctest::Approx(0.75));
}

TEST_CASE("metrics reject inconsistent inputs") {
  const Challenge c = classification(3, {metric("accuracy")});
  CHECK_THROWS_AS(compute_quality_metrics(c, f32({2, 3}, {0, 0, 0, 0, 0, 0}), s32({0})), DataError);
  CHECK_THROWS_AS(compute_quality_metrics(c, f32({2, 2}, {0, 0, 0, 0}), s32({0, 1})), DataError);
  CHECK_THROWS_AS(compute_quality_metrics(c, f32({1, 3}, {0, 0, 0}), s32({3})), DataError);
  CHECK_THROWS_AS(compute_quality_metrics(c, f32({1, 3}, {0, 0, 0}), s32({-1})), DataError);
  CHECK_THROWS_AS(
      compute_quality_metrics(classification(3, {metric("mse")}), f32({1, 3}, {0, 0, 0}), s32({0})),
      DataError);
  CHECK_THROWS_AS(
      compute_quality_metrics(classification(3, {metric("bogus")}), f32({1, 3}, {0, 0, 0}), s32({0})),
      DataError);
}

TEST_CASE("latency summary: nearest-rank percentiles on known vectors") {
  // 1..100 ms, shuffled. Nearest rank ceil(p n): p50 -> 50, p90 -> 90, p99 -> 99 (not 100: the
  // rank is computed in integers), p99.9 -> ceil(99.9) = 100, p10 -> 10.
  std::vector<double> ns(100);
  for (int i = 0; i < 100; ++i) ns[i] = (i + 1) * 1e6;
  std::shuffle(ns.begin(), ns.end(), std::mt19937(7));
  const LatencySummary s = summarize_latencies(64, ns);
  CHECK(s.batch_size == 64);
  CHECK(s.calls == 100);
  CHECK(s.min_ms == doctest::Approx(1));
  CHECK(s.max_ms == doctest::Approx(100));
  CHECK(s.p50_ms == doctest::Approx(50));
  CHECK(s.p90_ms == doctest::Approx(90));
  CHECK(s.p99_ms == doctest::Approx(99));
  CHECK(s.p999_ms == doctest::Approx(100));
  CHECK(s.mean_ms == doctest::Approx(50.5));
  // Sample standard deviation of 1..n is sqrt(n (n + 1) / 12) = sqrt(841.67) = 29.0115.
  CHECK(s.stddev_ms == doctest::Approx(std::sqrt(100.0 * 101.0 / 12.0)));
  CHECK(s.spread == doctest::Approx((90.0 - 10.0) / 50.0));
  CHECK(s.total_seconds == doctest::Approx(5.05));  // 5050 ms
  CHECK(s.throughput == doctest::Approx(64 * 100 / 5.05));

  // 1000 values: p99.9 is rank 999 exactly.
  std::vector<double> th(1000);
  for (int i = 0; i < 1000; ++i) th[i] = (i + 1) * 1e3;  // 0.001 .. 1 ms
  CHECK(summarize_latencies(1, th).p999_ms == doctest::Approx(0.999));
  CHECK(summarize_latencies(1, th).p99_ms == doctest::Approx(0.990));

  // Three values 3, 1, 2 ms: p10 rank 1, p50 rank 2, p90/p99 rank 3; spread (3 - 1) / 2 = 1.
  const LatencySummary t = summarize_latencies(8, {3e6, 1e6, 2e6});
  CHECK(t.p50_ms == doctest::Approx(2));
  CHECK(t.p90_ms == doctest::Approx(3));
  CHECK(t.p99_ms == doctest::Approx(3));
  CHECK(t.spread == doctest::Approx(1));
  CHECK(t.stddev_ms == doctest::Approx(1));  // deviations -1 0 1: sqrt(2 / 2)
  CHECK(t.throughput == doctest::Approx(8 * 3 / 0.006));

  // One call: every percentile is that call, no spread.
  const LatencySummary one = summarize_latencies(1, {2.5e6});
  CHECK(one.p50_ms == doctest::Approx(2.5));
  CHECK(one.p999_ms == doctest::Approx(2.5));
  CHECK(one.stddev_ms == 0);
  CHECK(one.spread == 0);
  CHECK(one.throughput == doctest::Approx(400));

  const LatencySummary none = summarize_latencies(4, {});
  CHECK(none.calls == 0);
  CHECK(none.throughput == 0);
}
