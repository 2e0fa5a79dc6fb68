// gauntlet judge: judges one or more plugins on one challenge, each in its own worker.
#include "challenge/challenge_loader.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "common/file_check.hpp"
#include "judge/judge.hpp"
#include "judge/session_data.hpp"
#include "judge/worker_pool.hpp"
#include "models/model_job.hpp"
#include "report/result_json.hpp"
#include "report/result_table.hpp"
#include "sandbox/job_sandbox.hpp"

#include <filesystem>
#include <future>
#include <iostream>
#include <optional>
#include <vector>

namespace gauntlet::cli {

int judge_command(int argc, char** argv) {
  std::string challenge_path, split = "public", out;
  std::vector<std::string> plugins, model_files;
  int64_t limit = -1, train_limit = -1;
  uint64_t seed = 1;
  bool quiet = false, organizer = false, debug = false;
  std::string sandbox_mode = "strict", assets;

  po::options_description visible("options");
  visible.add_options()                                                                              //
      ("challenge,c", po::value(&challenge_path)->required(), "challenge folder or challenge.yaml")  //
      ("plugin,p", po::value(&plugins)->composing(),
       "plugin library (.so), or an ONNX model (.onnx); repeat, or list them after the options")  //
      ("model,m", po::value(&model_files)->composing(),
       "ONNX model, judged by the bundled ONNX runner (sdk/ONNX.md); repeat")  //
      ("split", po::value(&split)->default_value("public"),
       "test split to judge on: public, private, or all (the whole test set)")  //
      ("organizer", po::bool_switch(&organizer),
       "allow --split private|all: the split of the final ranking is the organizers' (sdk/README.md)")  //
      ("out,o", po::value(&out),
       "write the JSON result here (a file for one plugin, a folder for several)")                //
      ("limit", po::value(&limit), "judge only the first N samples of the split (quick checks)")  //
      ("train-limit", po::value(&train_limit), "train on only the first N training samples")      //
      ("seed", po::value(&seed)->default_value(1),
       "seed given to the plugin's create(), for reproducible training (the judge's own draw of timed "
       "samples is secret)")                                               //
      ("quiet,q", po::bool_switch(&quiet), "no progress lines on stderr")  //
      ("sandbox", po::value(&sandbox_mode)->default_value("strict"),
       "strict: refuse to judge where a sandbox mechanism is missing (see `gauntlet doctor`); relaxed: "
       "use what this machine offers and record the rest in the result")  //
      ("assets", po::value(&assets),
       "the plugins' read-only asset folder (create()'s asset_dir): the only folder they can read "
       "once loaded")  //
      ("debug", po::bool_switch(&debug),
       "for a plugin under gdb (sdk/README.md): no time limits, no spinning; the result says so");
  po::options_description hidden;
  hidden.add_options()("plugins", po::value(&plugins)->composing());
  po::positional_options_description positional;
  positional.add("plugins", -1);
  po::variables_map vm;
  if (auto code = parse_options(
          argc, argv,
          "gauntlet judge --challenge <dir|challenge.yaml> --plugin <lib.so>|--model <model.onnx> [...] "
          "[--split public|private] [--out results.json] [--limit N] [--seed S] [--sandbox strict|relaxed]",
          visible, hidden, positional, vm))
    return *code;
  // What to judge, in order: libraries, and models (a .onnx file anywhere, or --model).
  struct Entry {
    std::string path;
    bool model = false;
  };
  std::vector<Entry> entries;
  entries.reserve(plugins.size() + model_files.size());
  for (const auto& p : plugins) entries.push_back({p, models::is_model_path(p)});
  for (const auto& m : model_files) entries.push_back({m, true});
  if (entries.empty()) {
    std::cerr << "gauntlet judge: no plugin given (--plugin <lib.so>, or --model <model.onnx>)\n";
    return kExitBadInput;
  }
  for (const auto& e : entries) {
    if (!e.model) continue;
    if (const std::string why = why_not_regular_file(e.path); !why.empty()) {
      std::cerr << "gauntlet judge: the model " << e.path << ": " << why << "\n";
      return kExitBadInput;
    }
    if (!assets.empty()) {
      std::cerr
          << "gauntlet judge: --assets is for plugins: a model's runner reads the model and nothing else\n";
      return kExitBadInput;
    }
    try {
      models::runner_library();
    } catch (const std::exception& ex) {
      std::cerr << "gauntlet judge: " << ex.what() << "\n";
      return kExitBadInput;
    }
  }
  if (split != "public" && split != "private" && split != "all") {
    std::cerr << "gauntlet judge: --split must be 'public', 'private' or 'all', not '" << split << "'\n";
    return kExitBadInput;
  }
  // A speed bump, not a lock: a team could judge itself on the private part (the labels come
  // with the public dataset), but should not tune on the split that ranks it by accident.
  if (split != "public" && !organizer) {
    std::cerr << "gauntlet judge: --split " << split
              << " is for organizers (it decides the final ranking); teams judge on the public split. "
                 "Organizers: add --organizer\n";
    return kExitBadInput;
  }
  if (vm.count("limit") && limit <= 0) {
    std::cerr << "gauntlet judge: --limit must be a positive number of samples\n";
    return kExitBadInput;
  }
  const auto mode = sandbox::parse_mode(sandbox_mode);
  if (!mode) {
    std::cerr << "gauntlet judge: --sandbox must be 'strict' or 'relaxed', not '" << sandbox_mode << "'\n";
    return kExitBadInput;
  }
  if (!assets.empty() && !std::filesystem::is_directory(assets)) {
    std::cerr << "gauntlet judge: --assets " << assets << " is not a folder\n";
    return kExitBadInput;
  }
  // The sandbox probe (a worker spawned in probe mode, some 15 ms) runs while the data loads;
  // in strict mode it then has the first job's worker prepared (worker_pool.hpp), so that the
  // cgroup move's RCU wait also passes meanwhile. (--debug runs relaxed, without the pid
  // namespace and without a prepared worker, for gdb: see JudgeOptions::debuggable.)
  const bool strict = *mode == sandbox::Mode::strict && !debug;
  std::future<std::string> refusal;
  if (!debug)
    refusal = std::async(std::launch::async, [strict] {
      const auto exe = judge::default_worker_executable();
      std::string why = sandbox::strict_refusal(sandbox::cached_machine_probe(exe));
      if (strict && why.empty()) judge::prepare_warm_worker(exe, {});
      return why;
    });
  // Strict mode on a machine that cannot give it is refused before anything else is said.
  auto refused = [&] {
    std::string why = refusal.valid() ? refusal.get() : std::string();
    if (!strict || why.empty()) return false;
    std::cerr << "gauntlet judge: " << why << "\n";
    return true;
  };

  Challenge challenge;
  judge::SessionData data;
  try {
    challenge = load_challenge(challenge_path);
    if (debug) {
      // A plugin stopped at a breakpoint must not be killed for its time: lift the time
      // limits (the memory limit stays), and let the judge sleep rather than spin meanwhile.
      constexpr double kDay = 86400;
      challenge.limits.setup_seconds = challenge.limits.total_seconds = kDay;
      if (challenge.training_allowed) challenge.limits.train_seconds = kDay;
      challenge.limits.ms_per_batch = kDay * 1000;
      challenge.timing.spin_auto = false;
      challenge.timing.spin_us = 0;
    }
    DataRequest request;
    request.split = split == "private" ? SplitName::private_split
                    : split == "all"   ? SplitName::whole_test
                                       : SplitName::public_split;
    request.eval_limit = limit;
    request.train_limit = train_limit;
    request.include_train = challenge.training_allowed;
    if (!quiet) std::cerr << "[gauntlet] loading " << challenge.id << " data (" << split << " split)\n";
    data = judge::prepare_session_data(challenge, request);
  } catch (const ConfigError& e) {
    if (refused()) return kExitBadInput;
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const DataError& e) {
    if (refused()) return kExitBadInput;
    std::cerr << "gauntlet judge: " << e.what() << "\n";
    return kExitBadInput;
  }
  if (refused()) return kExitBadInput;

  const report::Environment env = report::current_environment();
  std::vector<judge::JudgeResult> results;
  bool all_ok = true;
  for (const auto& entry : entries) {
    const std::string& plugin = entry.path;
    judge::JudgeOptions options;
    options.plugin = plugin;
    options.seed = seed;
    // Under --debug the pid namespace is off (gdb must follow the worker): relaxed, and said so.
    options.sandbox = debug ? sandbox::Mode::relaxed : *mode;
    options.asset_dir = assets;
    options.debuggable = debug;
    options.prepare_next_worker = &entry != &entries.back();
    std::optional<models::StagedModel> staged;
    if (entry.model) {
      try {
        staged.emplace(plugin);
        models::judge_with_runner(options, *staged);
      } catch (const std::exception& ex) {
        std::cerr << "gauntlet judge: " << ex.what() << "\n";
        return kExitFailure;
      }
    }
    if (!quiet)
      options.progress = [](const std::string& line) { std::cerr << "[gauntlet]   " << line << "\n"; };
    if (!quiet) std::cerr << "[gauntlet] judging " << plugin << "\n";
    judge::JudgeResult result = judge::judge_plugin(challenge, data, options);
    result.split = split;
    if (debug) result.warnings.push_back("judged with --debug: no time limits, timings not comparable");
    all_ok = all_ok && result.decision.verdict == judge::Verdict::ok;

    std::cout << "\n";
    std::string model_line;
    if (staged)
      model_line = std::filesystem::path(plugin).filename().string() + " (SHA-256 " + staged->sha256() +
                   ", run by the ONNX runner)";
    report::print_result(std::cout, result, model_line);
    if (!out.empty()) {
      std::filesystem::path target = out;
      if (entries.size() > 1) {
        std::filesystem::create_directories(target);
        target /= challenge.id + "." + std::filesystem::path(plugin).stem().string() + ".json";
      } else if (target.has_parent_path()) {
        std::filesystem::create_directories(target.parent_path());
      }
      try {
        nlohmann::json j = report::to_json(result, env);
        if (staged) j["model"] = models::model_json(plugin, staged->sha256(), staged->bytes(), result);
        report::write_result(target, j);
        if (!quiet) std::cerr << "[gauntlet] wrote " << target.string() << "\n";
      } catch (const std::exception& e) {
        std::cerr << "gauntlet judge: " << e.what() << "\n";
        return kExitFailure;
      }
    }
    if (staged) result.plugin_path = plugin;  // the summary names the model, not the runner
    results.push_back(std::move(result));
  }
  if (results.size() > 1) {
    std::cout << "\n";
    report::print_summary(std::cout, results);
  }
  return all_ok ? kExitOk : kExitFailure;
}

}  // namespace gauntlet::cli
