// gauntlet_bench: the judge's benchmark suite (scripts/bench.sh runs it; docs/performance.md).
// Google Benchmark runs every benchmark once, in a fixed order (machine limits first); then
// one table compares each figure with its target and with the machine limit of this run.
//   gauntlet_bench [--summary-out FILE] [Google Benchmark flags, e.g. --benchmark_filter=call/]
#include "bench.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  using namespace gauntlet::bench;
  if (argc > 1 && std::strcmp(argv[1], "--replay-end-to-end") == 0) {
    std::vector<int64_t> calls;
    for (int i = 2; i < argc; ++i) calls.push_back(std::strtoll(argv[i], nullptr, 10));
    return replay_end_to_end(calls);
  }
  std::string summary_out;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--summary-out") == 0 && i + 1 < argc)
      summary_out = argv[++i];
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  // The worker of this build, whatever the current folder.
  ::setenv("GAUNTLET_WORKER", bin_path("gauntlet-worker").c_str(), 1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  const std::string load_start = load_average();
  const auto t0 = Clock::now();
  register_limits();
  register_channel();
  register_spawn();
  register_feeding();
  register_fidelity();
  register_end_to_end();
  register_mlp();
  register_data();
  register_onnx();
  try {
    benchmark::RunSpecifiedBenchmarks();
  } catch (const std::exception& e) {
    std::cerr << "gauntlet_bench: " << e.what() << "\n";
    return 1;
  }
  benchmark::Shutdown();
  build_rows();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  print_summary(std::cout, seconds, load_start);
  if (!summary_out.empty()) {
    std::ofstream out(summary_out);
    print_summary(out, seconds, load_start);
  }
  return 0;
}
