// gauntlet inspect: what a plugin says about itself, read through the worker (team code
// never runs in the host, not even its static constructors); for an ONNX model, what the
// bundled runner makes of it (models/model_check.hpp).
#include "challenge/challenge_loader.hpp"
#include "cli/commands.hpp"
#include "cli/installation.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "common/sha256.hpp"
#include "common/untrusted_text.hpp"
#include "judge/plugin_probe.hpp"
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
    if (!challenge_path.empty()) challenge = load_challenge(resolve_challenge(challenge_path));
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
    const judge::PluginProbe probe =
        judge::probe_plugin(plugin, std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000)));
    if (probe.refusal) {
      std::cout << "Verdict       " << judge::verdict_name(probe.refusal->verdict) << ": "
                << untrusted::terminal_line(probe.refusal->reason) << "\n";
      return kExitFailure;
    }
    const auto& id = probe.identity;
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
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "gauntlet inspect: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace gauntlet::cli
