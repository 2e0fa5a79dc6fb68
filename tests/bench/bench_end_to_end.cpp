// 5. End to end: `gauntlet judge` (the real command, strict sandbox) on the dnnl_mlp sample with
// a pretrained model, the whole Fashion-MNIST test split, inference only
// (tests/bench/fashion-mnist-inference). Its wall time, exec to exit, against the plugin's own
// compute time: the same calls (create, prepare, warm-ups, the evaluation pass, as many timed
// calls per batch size as the judge made) replayed in-process, each timed on its own.
//   outside fraction = (judge wall time - plugin's own time) / judge wall time
// Phases come from the judge's progress lines, timestamped as they arrive.
#include "bench.hpp"
#include "in_process.hpp"
#include "mlp_model.hpp"
#include "timed_loop.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <random>

extern char** environ;

namespace gauntlet::bench {
namespace {

constexpr int kRuns = 3;
const std::vector<int64_t> kBatches{1, 64, 256};
constexpr int kWarmups = 5;
constexpr int64_t kEvalBatch = 256;

struct Line {
  double at_ns;  // since the spawn
  bool out;      // stdout (else stderr)
  std::string text;
};

struct Run {
  double wall_ns = 0;
  std::vector<Line> lines;
  int status = -1;
};

Run run_command(const std::vector<std::string>& args) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Run run;
  const auto t0 = Clock::now();
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) throw std::runtime_error("cannot run " + args[0]);
  std::string pending[2];
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  char buf[4096];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) continue;
    const double at = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
        continue;
      }
      pending[i].append(buf, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = pending[i].find('\n')) != std::string::npos;) {
        run.lines.push_back({at, i == 0, pending[i].substr(0, nl)});
        pending[i].erase(0, nl + 1);
      }
    }
  }
  ::waitpid(pid, &run.status, 0);
  run.wall_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  return run;
}

// The first line starting with `prefix` (after the judge's "[gauntlet] " tag and indent).
double mark(const Run& run, const std::string& prefix, bool out = false) {
  for (const Line& l : run.lines) {
    if (l.out != out) continue;
    std::string t = l.text;
    if (!out) {
      if (t.rfind("[gauntlet]", 0) != 0) continue;
      t = t.substr(10);
      t.erase(0, t.find_first_not_of(' '));
    }
    if (t.rfind(prefix, 0) == 0) return l.at_ns;
  }
  throw std::runtime_error("the judge printed no line starting with '" + prefix + "'");
}

struct Replay {
  double setup = 0, eval = 0;
  std::vector<double> timed;  // per batch size, warm-ups included
  double total() const {
    double t = setup + eval;
    for (double x : timed) t += x;
    return t;
  }
};

// The judge's calls, in-process, each timed on its own (ns).
Replay replay(const std::vector<int64_t>& timed_calls) {
  const TestSet& t = test_set();
  const std::size_t sample = 784;
  // Padded: the last evaluation batch is a full one (the judge zeroes the rest).
  std::vector<float> eval((static_cast<std::size_t>(t.samples) + kEvalBatch) * sample, 0.0f);
  std::memcpy(eval.data(), t.inputs.raw(), t.inputs.bytes());
  std::vector<float> timing(static_cast<std::size_t>(kBatches.back()) * sample), out(kEvalBatch * 10);
  InProcessPlugin plugin(sample_plugin("dnnl_mlp"), {{"weights", kMlpWeights}}, mlp_assets_path());
  plugin.prepare("image", {1, 28, 28}, "logits", {10}, {1, 64, 256});
  Replay r;
  r.setup = plugin.setup_seconds() * 1e9;
  TensorArg in("image", true, {1, 28, 28}, true), o("logits", true, {10}, false);
  std::mt19937_64 rng(1);
  auto call = [&](float* base, int64_t first, int64_t batch) {
    gauntlet_tensor& ti = in.view(base, first, batch);
    gauntlet_tensor& to = o.view(out.data(), 0, batch);
    const auto t0 = Clock::now();
    if (plugin.infer(ti, to, batch) != GAUNTLET_OK) throw std::runtime_error("infer: " + plugin.last_error());
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  };
  // In the judge's order: each batch size's warm-ups and timed calls (random samples written
  // in just before each call, as the judge presents fresh ones), then the evaluation pass.
  for (std::size_t b = 0; b < kBatches.size(); ++b) {
    const int64_t batch = kBatches[b];
    double sum = 0;
    for (int64_t i = 0; i < timed_calls[b] + kWarmups; ++i) {
      for (int64_t k = 0; k < batch; ++k)
        std::memcpy(&timing[static_cast<std::size_t>(k) * sample],
                    &eval[(rng() % static_cast<uint64_t>(t.samples)) * sample], sample * 4);
      sum += call(timing.data(), 0, batch);
    }
    r.timed.push_back(sum);
  }
  for (int64_t first = 0; first < t.samples; first += kEvalBatch) r.eval += call(eval.data(), first, kEvalBatch);
  return r;
}

void BM_end_to_end(benchmark::State& state) {
  const std::string assets = mlp_assets();
  const std::string json_out = work_dir() + "/end_to_end.json";
  const std::vector<std::string> cmd{bin_path("gauntlet"),
                                     "judge",
                                     "--challenge",
                                     source_path("tests/bench/fashion-mnist-inference/challenge.yaml"),
                                     "--plugin",
                                     sample_plugin("dnnl_mlp"),
                                     "--assets",
                                     assets,
                                     "--split",
                                     "all",
                                     "--organizer",
                                     "--out",
                                     json_out};
  for (auto _ : state) {
    std::vector<Run> runs;
    for (int i = 0; i < kRuns; ++i) {
      runs.push_back(run_command(cmd));
      if (!WIFEXITED(runs.back().status) || WEXITSTATUS(runs.back().status) != 0) {
        for (const auto& l : runs.back().lines) std::fprintf(stderr, "%s\n", l.text.c_str());
        throw std::runtime_error("gauntlet judge failed on the end-to-end challenge");
      }
    }
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) { return a.wall_ns < b.wall_ns; });
    const Run& run = runs[runs.size() / 2];
    state.SetIterationTime(run.wall_ns * 1e-9);
    std::ifstream in(json_out);
    const nlohmann::json result = nlohmann::json::parse(in);
    // The replay runs in a fresh process, as the worker is one: oneDNN's first-use costs (the
    // engine, JIT kernels) fall in the plugin's own calls there too.
    std::vector<std::string> replay_cmd{bench_path("gauntlet_bench"), "--replay-end-to-end"};
    for (const auto& l : result.at("timing"))
      replay_cmd.push_back(std::to_string(l.at("calls").get<int64_t>()));
    const Run replayed = run_command(replay_cmd);
    Replay rep;
    for (const Line& l : replayed.lines) {
      if (!l.out) continue;
      const nlohmann::json j = nlohmann::json::parse(l.text);
      rep.setup = j.at("setup").get<double>();
      rep.eval = j.at("eval").get<double>();
      rep.timed = j.at("timed").get<std::vector<double>>();
    }
    if (rep.timed.size() != kBatches.size()) throw std::runtime_error("the in-process replay failed");
    const double plugin = rep.total();
    set_value("e2e.wall", run.wall_ns);
    set_value("e2e.wall_min", runs.front().wall_ns);
    set_value("e2e.wall_max", runs.back().wall_ns);
    set_value("e2e.plugin", plugin);
    set_value("e2e.accuracy", result.at("metrics").at("accuracy").get<double>());
    state.counters["ratio"] = run.wall_ns / plugin;

    // Phases, in the judge's order: [start, data loaded], worker + setup, each timed batch size,
    // the evaluation pass, the rest.
    const double loading = mark(run, "loading fashion-mnist-inference data"), judging = mark(run, "judging ");
    const double worker = mark(run, "loading libdnnl_mlp.so"), evaluating = mark(run, "evaluating ");
    std::vector<double> timing;
    for (int64_t b : kBatches) timing.push_back(mark(run, "timing batch " + std::to_string(b)));
    const double eval_end = evaluating + result.at("seconds").at("eval").get<double>() * 1e9;
    const double printed = mark(run, "wrote ");  // the result is printed and written
    auto phase = [](const std::string& name, double wall, double own) {
      return name + " " + fmt(wall / 1e6, 1) + (own >= 0 ? " (plugin " + fmt(own / 1e6, 1) + ")" : "") +
             " ms";
    };
    std::string text = "5. end-to-end phases of the median run: " + phase("start + sandbox probe", loading, -1) +
                       ", " + phase("test data", judging - loading, -1) + ", " +
                       phase("worker + create/prepare", timing.front() - worker, rep.setup);
    for (std::size_t i = 0; i < kBatches.size(); ++i)
      text += ", " + phase("timing b" + std::to_string(kBatches[i]),
                           (i + 1 < timing.size() ? timing[i + 1] : evaluating) - timing[i], rep.timed[i]);
    text += ", " + phase("evaluation", eval_end - evaluating, rep.eval) + ", " +
            phase("idle check, destroy, result", printed - eval_end, -1) + ", " +
            phase("exit", run.wall_ns - printed, -1) + "; other " + fmt((worker - judging) / 1e6, 1) + " ms";
    add_note(text);
  }
}

}  // namespace

int replay_end_to_end(const std::vector<int64_t>& timed_calls) {
  const Replay r = replay(timed_calls);
  std::printf("%s\n",
              nlohmann::json{{"setup", r.setup}, {"eval", r.eval}, {"timed", r.timed}}.dump().c_str());
  return 0;
}

namespace {

void rows() {
  if (!value("e2e.wall")) return;
  const double wall = *value("e2e.wall"), plugin = *value("e2e.plugin");
  add_row({"5. end to end: gauntlet judge wall / plugin's own time (dnnl_mlp, 10000 test images)",
           ratio(wall / plugin) + " (" + fmt(wall / 1e6, 0) + " ms [" + fmt(*value("e2e.wall_min") / 1e6, 0) +
               "-" + fmt(*value("e2e.wall_max") / 1e6, 0) + "] vs " + fmt(plugin / 1e6, 0) +
               " ms; outside the plugin " + fmt(100 * (wall - plugin) / wall, 1) + "%; accuracy " +
               fmt(*value("e2e.accuracy"), 4) + ")",
           "<= 1.05x", yes_no(wall / plugin <= 1.05), "plugin's own calls, in-process",
           ratio(wall / plugin)});
}

}  // namespace

void register_end_to_end() {
  register_manual("end_to_end/gauntlet_judge_dnnl_mlp_inference", BM_end_to_end, 1, benchmark::kMillisecond);
  on_summary(rows);
}

}  // namespace gauntlet::bench
