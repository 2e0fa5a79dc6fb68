// gauntlet judge: judges one or more plugins on one challenge, each in its own worker.
#include "challenge/challenge_loader.hpp"
#include "cli/commands.hpp"
#include "cli/installation.hpp"
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
#include "service/asset_archive.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>
#include <optional>
#include <vector>

namespace gauntlet::cli {
namespace {

// An asset archive unpacked into a temporary folder, removed with it (its files are read-only).
class UnpackedAssets {
 public:
  explicit UnpackedAssets(const std::filesystem::path& archive) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gauntlet-assets-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw EnvironmentError("cannot create a temporary folder for the assets: " +
                             std::string(std::strerror(errno)));
    root_ = tmpl;
    std::ifstream in(archive, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::create_directory(folder());
    try {
      static_cast<void>(service::unpack_assets(bytes, folder(), service::ArchiveLimits{}));
    } catch (...) {
      remove();
      throw;
    }
  }
  ~UnpackedAssets() { remove(); }
  UnpackedAssets(const UnpackedAssets&) = delete;
  UnpackedAssets& operator=(const UnpackedAssets&) = delete;
  [[nodiscard]] std::filesystem::path folder() const { return root_ / "assets"; }

 private:
  void remove() {
    namespace fs = std::filesystem;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::permissions(root_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(root_, ec);
  }
  std::filesystem::path root_;
};

}  // namespace

int judge_command(int argc, char** argv) {
  std::string challenge_path, split = "public", out;
  // Two vectors: Program_options would let the positional list replace the --plugin values.
  std::vector<std::string> plugins, listed_plugins, model_files;
  int64_t limit = -1, train_limit = -1;
  uint64_t seed = 1;
  bool quiet = false, organizer = false, debug = false;
  std::string sandbox_mode = "strict", assets;

  po::options_description visible("options");
  visible.add_options()  //
      ("challenge,c", po::value(&challenge_path)->required(),
       "challenge folder, challenge.yaml, or the id of an installed challenge")  //
      ("plugin,p", po::value(&plugins)->composing(),
       "plugin library (.so), or an ONNX model (.onnx); repeat, or list them after the options")  //
      ("model,m", po::value(&model_files)->composing(),
       "ONNX model, judged by the bundled ONNX runner (sdk/ONNX.md); repeat")  //
      ("split", po::value(&split)->default_value("public"),
       "test split to judge on: public, private, or all (the whole test set)")  //
      ("organizer", po::bool_switch(&organizer),
       "allow --split private|all: the split of the final ranking is the organizers' (SDK.md, the team "
       "guide)")  //
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
       "the plugins' read-only assets (create()'s asset_dir): a folder, or the asset archive (tar or zip) "
       "uploaded with the library; the only files they can read once loaded")  //
      ("debug", po::bool_switch(&debug),
       "for a plugin under gdb (SDK.md, the team guide): no time limits, no spinning; the result says so");
  po::options_description hidden;
  hidden.add_options()("plugins", po::value(&listed_plugins)->composing());
  po::positional_options_description positional;
  positional.add("plugins", -1);
  po::variables_map vm;
  if (auto code = parse_options(
          argc, argv,
          "gauntlet judge --challenge <dir|challenge.yaml> --plugin <lib.so>|--model <model.onnx> [...] "
          "[--split public|private] [--out results.json] [--limit N] [--seed S] [--sandbox strict|relaxed]",
          visible, hidden, positional, vm))
    return *code;
  plugins.insert(plugins.end(), listed_plugins.begin(), listed_plugins.end());
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
    if (const std::optional<std::string> why = why_not_regular_file(e.path)) {
      std::cerr << "gauntlet judge: the model " << e.path << ": " << *why << "\n";
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
  // --assets is a folder, or the asset archive a team uploads with its library, unpacked under
  // the service's rules (service/asset_archive) into a private folder for this judging: what a
  // team judges locally is what the organizers judge.
  std::optional<UnpackedAssets> unpacked;
  if (!assets.empty() && std::filesystem::is_regular_file(assets)) {
    try {
      unpacked.emplace(assets);
    } catch (const service::ArchiveRefused& e) {
      std::cerr << "gauntlet judge: --assets " << assets << ": " << e.what() << "\n";
      return kExitBadInput;
    }
    assets = unpacked->folder().string();
  } else if (!assets.empty() && !std::filesystem::is_directory(assets)) {
    std::cerr << "gauntlet judge: --assets " << assets << " is neither a folder nor an asset archive\n";
    return kExitBadInput;
  }
  // The sandbox probe (a worker spawned in probe mode, some 15 ms) runs while the data loads;
  // in strict mode it then has the first job's worker prepared (worker_pool.hpp), so that the
  // cgroup move's RCU wait also passes meanwhile. (--debug runs relaxed, without the pid
  // namespace and without a prepared worker, for gdb: see JudgeOptions::debuggable.)
  const bool strict = *mode == sandbox::Mode::strict && !debug;
  std::future<std::optional<std::string>> refusal;
  if (!debug)
    refusal = std::async(std::launch::async, [strict] {
      const auto exe = judge::default_worker_executable();
      std::optional<std::string> why = sandbox::strict_refusal(sandbox::cached_machine_probe(exe));
      if (strict && !why) judge::prepare_warm_worker(exe, {});
      return why;
    });
  // Strict mode on a machine that cannot give it is refused before anything else is said.
  auto refused = [&] {
    const std::optional<std::string> why = refusal.valid() ? refusal.get() : std::nullopt;
    if (!strict || !why) return false;
    std::cerr << "gauntlet judge: " << *why << "\n";
    return true;
  };

  Challenge challenge;
  judge::SessionData data;
  try {
    challenge = load_challenge(resolve_challenge(challenge_path));
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

  // An output that cannot be written is found now, not after the judging.
  if (!out.empty())
    prepare_output_folder(entries.size() > 1 ? std::filesystem::path(out)
                                             : std::filesystem::path(out).parent_path());

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
      if (entries.size() > 1)
        target /= challenge.id + "." + std::filesystem::path(plugin).stem().string() + ".json";
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
