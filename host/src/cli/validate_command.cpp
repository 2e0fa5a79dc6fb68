// gauntlet validate: loads challenge files and reports the first problem of each: in the YAML
// (file:line:column), then, unless --quick, in the data it names, read through the same path
// as the judge (a missing file, a wrong shape, a class out of range, a CSV row that does not
// parse: each one line naming the file and where in it).
#include "challenge/challenge_loader.hpp"
#include "cli/commands.hpp"
#include "cli/installation.hpp"
#include "cli/options.hpp"
#include "common/errors.hpp"
#include "data/dataset.hpp"

#include <iostream>
#include <vector>

namespace gauntlet::cli {

int validate_command(int argc, char** argv) {
  std::vector<std::string> files;
  bool quick = false;
  po::options_description visible("options");
  visible.add_options()("quick", po::bool_switch(&quick), "check the YAML only, not the data files");
  po::options_description hidden;
  hidden.add_options()("files", po::value(&files)->composing());
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "gauntlet validate [--quick] <challenge.yaml|challenge dir>...",
                                visible, hidden, positional, vm))
    return *code;
  if (files.empty()) {
    std::cerr
        << "gauntlet validate: no file given\nusage: gauntlet validate [--quick] <challenge.yaml|challenge "
           "dir>...\n";
    return kExitBadInput;
  }
  int code = kExitOk;
  for (const auto& file : files) {
    try {
      Challenge c = load_challenge(resolve_challenge(file));
      std::string data = "data not checked (--quick)";
      if (!quick) {
        // Every sample of every set, as the judge would read them (heap memory, no worker).
        const ChallengeData d =
            load_challenge_data(c, {SplitName::whole_test, -1, -1, true}, heap_allocator());
        data = "data: " + std::to_string(d.train.targets.samples()) + " training and " +
               std::to_string(d.eval.targets.samples()) + " test samples";
      }
      std::cout << "ok: " << c.file.string() << " (challenge '" << c.id << "', schema " << c.schema
                << ", sha256 " << c.sha256.substr(0, 12) << "; " << data << ")\n";
    } catch (const ConfigError& e) {
      std::cerr << e.what() << "\n";
      code = kExitBadInput;
    } catch (const DataError& e) {
      std::cerr << e.what() << "\n";
      code = kExitBadInput;
    }
  }
  return code;
}

}  // namespace gauntlet::cli
