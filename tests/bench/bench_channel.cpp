// 1. Round trip of one infer() call on an empty plugin (tests/plugins/null_plugin): called
// in-process (the floor), and judged in the strict sandbox through the control page, with the
// spin-then-block channel (spin_us: auto, as challenges use it) and with blocking only.
#include "bench.hpp"
#include "judge_env.hpp"
#include "timed_loop.hpp"

#include <cmath>
#include <vector>

namespace gauntlet::bench {
namespace {

void BM_in_process(benchmark::State& state) {
  InProcessPlugin plugin(test_plugin("null_plugin"), {});
  plugin.prepare("image", {1, 28, 28}, "logits", {10}, {1});
  std::vector<float> x(784), y(10);
  TensorArg in("image", true, {1, 28, 28}, true), out("logits", true, {10}, false);
  gauntlet_tensor& ti = in.view(x.data(), 0, 1);
  gauntlet_tensor& to = out.view(y.data(), 0, 1);
  auto ns = timed_loop(state, [&] {
    benchmark::DoNotOptimize(plugin.infer(ti, to, 1));
    return -1.0;
  });
  const Stats s = stats(ns);
  latency_counters(state, s);
  set_tails("call.in_process", s);
}

// The judge's own figures (LatencySummary of batch 1) for `calls` timed calls.
void judged(benchmark::State& state, bool spinning, int calls) {
  Challenge c = load_challenge_file("challenges/fashion-mnist/challenge.yaml");
  c.timing.batch_sizes = {1};
  c.timing.min_batches = c.timing.max_batches = calls;
  c.timing.min_seconds = 0;
  if (!spinning) {
    c.timing.spin_auto = false;
    c.timing.spin_us = 0;
  }
  const judge::SessionData data = prepare_data(c);
  for (auto _ : state) {
    const auto t0 = Clock::now();
    const judge::JudgeResult r = judge(c, data, test_plugin("null_plugin"));
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - t0).count());
    const LatencySummary& l = r.latency.at(0);
    Stats s;  // in ns, like timed_loop's samples
    s.p50 = l.p50_ms * 1e6;
    s.p99 = l.p99_ms * 1e6;
    s.p999 = l.p999_ms * 1e6;
    set_tails(spinning ? "call.spin" : "call.block", s);
    latency_counters(state, s);
  }
}
// Every timed call presents a fresh sample: at most the test split's 10,000, less the warm-ups.
void BM_judged_spin(benchmark::State& state) { judged(state, true, 9900); }
void BM_judged_block(benchmark::State& state) { judged(state, false, 9900); }

std::string tails(const std::string& key) {
  return "p50 " + us(*value(key + ".p50")) + ", p99 " + us(*value(key + ".p99")) + ", p99.9 " +
         us(*value(key + ".p999"));
}

void rows() {
  const double fn = value("limit.fn_call_ns").value_or(NAN);
  if (value("call.in_process.p50"))
    add_row({"1. empty infer(), in-process (clock around the call)", tails("call.in_process"), "-", "",
             "call via fn pointer " + fmt(fn, 2) + " ns", ratio(*value("call.in_process.p50") / fn)});
  if (value("call.spin.p50")) {
    const double p50 = *value("call.spin.p50"), p99 = *value("call.spin.p99");
    const double limit = value("limit.spin_rt.p50").value_or(NAN);
    add_row({"1. empty infer(), judged in the sandbox, spinning channel", tails("call.spin"),
             "<= 1 us p50, <= 5 us p99", yes_no(p50 <= 1000 && p99 <= 5000),
             "raw 2-process spin round trip " + us(limit), ratio(p50 / limit)});
  }
  if (value("call.block.p50")) {
    const double limit = value("limit.futex_rt.p50").value_or(NAN);
    add_row({"1. empty infer(), judged in the sandbox, blocking only", tails("call.block"), "-", "",
             "raw 2-process futex round trip " + us(limit, 1), ratio(*value("call.block.p50") / limit)});
  }
}

}  // namespace

void register_channel() {
  register_manual("call/in_process_null", BM_in_process, 1000000, benchmark::kNanosecond);
  register_manual("call/judged_null_spin_channel", BM_judged_spin, 1, benchmark::kMillisecond);
  register_manual("call/judged_null_blocking", BM_judged_block, 1, benchmark::kMillisecond);
  on_summary(rows);
}

}  // namespace gauntlet::bench
