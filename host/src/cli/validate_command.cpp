// gauntlet validate: loads challenge files and reports the first problem of each.
#include "challenge/challenge_loader.hpp"
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"

#include <iostream>
#include <vector>

namespace gauntlet::cli {

int validate_command(int argc, char** argv) {
  std::vector<std::string> files;
  po::options_description visible("options");
  po::options_description hidden;
  hidden.add_options()("files", po::value(&files)->composing());
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "gauntlet validate <challenge.yaml|challenge dir>...", visible,
                                hidden, positional, vm))
    return *code;
  if (files.empty()) {
    std::cerr
        << "gauntlet validate: no file given\nusage: gauntlet validate <challenge.yaml|challenge dir>...\n";
    return kExitBadInput;
  }
  int code = kExitOk;
  for (const auto& file : files) {
    try {
      Challenge c = load_challenge(file);
      std::cout << "ok: " << c.file.string() << " (challenge '" << c.id << "', schema " << c.schema
                << ", sha256 " << c.sha256.substr(0, 12) << ")\n";
    } catch (const ConfigError& e) {
      std::cerr << e.what() << "\n";
      code = kExitBadInput;
    }
  }
  return code;
}

}  // namespace gauntlet::cli
