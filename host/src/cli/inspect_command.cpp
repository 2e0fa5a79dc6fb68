// gauntlet inspect: what a plugin says about itself, read through the worker (team code
// never runs in the host, not even its static constructors); for an ONNX model, what the
// bundled runner makes of it (models/model_check.hpp).
#include "challenge/challenge_loader.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "common/sha256.hpp"
#include "common/untrusted_text.hpp"
#include "judge/worker_client.hpp"
#include "models/model_check.hpp"
#include "models/model_job.hpp"

#include <gauntlet/plugin_api.h>

#include <iostream>
#include <optional>

namespace gauntlet::cli {

int inspect_command(int argc, char** argv) {
  std::string plugin, challenge_path;
  double timeout = 10;
  po::options_description visible("options");
  visible.add_options()("timeout", po::value(&timeout)->default_value(10),
                        "seconds allowed to load the plugin")(
      "challenge,c", po::value(&challenge_path),
      "for a model: also check it against this challenge (interface, batch sizes)");
  po::options_description hidden;
  hidden.add_options()("plugin", po::value(&plugin)->required());
  po::positional_options_description positional;
  positional.add("plugin", 1);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "gauntlet inspect <lib.so|model.onnx> [--challenge <dir>]",
                                visible, hidden, positional, vm))
    return *code;
  if (models::is_model_path(plugin)) {
    std::optional<Challenge> challenge;
    try {
      if (!challenge_path.empty()) challenge = load_challenge(challenge_path);
    } catch (const ConfigError& e) {
      std::cerr << e.what() << "\n";
      return kExitBadInput;
    }
    return models::inspect_model(std::cout, plugin, challenge ? &*challenge : nullptr);
  }
  if (!challenge_path.empty()) {
    std::cerr << "gauntlet inspect: --challenge is for models (.onnx)\n";
    return kExitBadInput;
  }

  std::cout << "File          " << plugin << "\n";
  std::string sha;
  try {
    sha = sha256_file_hex(plugin);
  } catch (const std::exception& e) {
    std::cout << "Verdict       LOAD_ERROR: cannot read the plugin file: " << e.what() << "\n";
    return kExitFailure;
  }
  std::cout << "SHA-256       " << sha << "\n";
  try {
    judge::WorkerClient client(judge::default_worker_executable(), std::filesystem::absolute(plugin));
    auto deadline = judge::Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000));
    judge::HelloOutcome hello = client.hello(deadline);
    if (hello.load_failure || hello.abi_mismatch) {
      std::cout << "Verdict       "
                << (hello.abi_mismatch ? "ABI_MISMATCH: " + *hello.abi_mismatch
                                       : "LOAD_ERROR: " + *hello.load_failure)
                << "\n";
      return kExitFailure;
    }
    if (!hello.call.ok()) {
      client.process().kill_all();
      judge::ExitStatus exit = client.process().wait(std::chrono::milliseconds(500));
      std::cout << "Verdict       ";
      if (hello.call.kind == judge::CallOutcome::Kind::timed_out)
        std::cout << "TIME_LIMIT: loading took longer than " << timeout << " s\n";
      else
        std::cout << "CRASH: the worker died while loading (" << exit.describe() << ")\n";
      return kExitFailure;
    }
    const auto& id = hello.identity;
    std::cout << "ABI           " << id.abi_major << "." << id.abi_minor << " (judge speaks "
              << GAUNTLET_ABI_MAJOR << "." << GAUNTLET_ABI_MINOR << "), function table " << id.table_size
              << " bytes\n"
              // The plugin's own words: shown, never obeyed (common/untrusted_text.hpp).
              << "Name          " << untrusted::terminal_line(id.name) << "\n"
              << "Team          " << untrusted::terminal_line(id.team) << "\n"
              << "Version       " << untrusted::terminal_line(id.version) << "\n"
              << "Description   " << untrusted::terminal_line(id.description) << "\n"
              << "Capabilities  "
              << ((id.capabilities & GAUNTLET_CAP_TRAIN) ? "train" : "(none: inference only)") << "\n";
    client.process().kill_all();
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "gauntlet inspect: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace gauntlet::cli
