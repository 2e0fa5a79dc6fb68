// The judge's benchmark suite (docs/performance.md): shared helpers. Every benchmark records
// its figures here; main() prints them as one table (figure, measured, target, met, the machine
// limit measured in the same run, ratio).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace gauntlet::bench {

using Clock = std::chrono::steady_clock;

// Order statistics of a sample (nanoseconds or any unit).
struct Stats {
  double p10 = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, min = 0, max = 0, mean = 0;
  std::size_t n = 0;
};
Stats stats(std::vector<double> v);

// A row of the summary table.
struct Row {
  std::string figure;    // what is measured
  std::string measured;  // median, with its spread
  std::string target;    // the target, or "-" for a figure shown for context
  std::string met;       // "yes", "NO" or ""
  std::string limit;     // the machine limit it compares with, measured in this run
  std::string ratio;     // measured / limit
};
void add_row(const Row& row);
// Builds an area's rows from the recorded values once every benchmark has run (in the order
// the areas registered), skipping figures a --benchmark_filter left out.
void on_summary(std::function<void()> build_rows);
void build_rows();
void add_note(const std::string& note);
void print_summary(std::ostream& out, double seconds, const std::string& load_start);

// Named numbers shared between benchmarks (a limit measured first, used by a later row).
void set_value(const std::string& key, double value);
// <key>.p50, <key>.p99 and <key>.p999 of a latency sample (what tails() in a row reads back).
void set_tails(const std::string& key, const Stats& s);
std::optional<double> value(const std::string& key);

// Formatting: "0.183 us", "2.31 ms", percentages, ratios.
std::string fmt(double v, int digits = 3);
std::string us(double ns, int digits = 3);
std::string ms(double ns, int digits = 2);
std::string ratio(double v);
std::string yes_no(bool ok);

// Paths of the build (compile definitions, see CMakeLists.txt).
std::string source_path(const std::string& relative);
std::string bin_path(const std::string& name);  // build/bin/<name>
std::string sample_plugin(const std::string& name);
std::string test_plugin(const std::string& name);
std::string bench_path(const std::string& name);  // build/tests/bench/<name>
std::string work_dir();                           // build/tests/bench/work (created)

// "0.42 0.35 0.30" from /proc/loadavg, and the 1-minute figure.
std::string load_average();
double load_1min();

// Benchmarks of each area, registered in this order by main().
void register_limits();
void register_channel();
void register_spawn();
void register_feeding();
void register_fidelity();
void register_end_to_end();
void register_mlp();
void register_data();
void register_onnx();

// gauntlet_bench --replay-end-to-end <calls at batch 1> <64> <256>: the end-to-end run's plugin
// calls, in-process, in this fresh process; prints their times as one JSON line.
int replay_end_to_end(const std::vector<int64_t>& timed_calls);

}  // namespace gauntlet::bench
