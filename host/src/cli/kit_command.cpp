// gauntlet kit: a copy of a challenge that teams can hold. It keeps every rule, the training
// set and the public part of the test set (inputs and labels, as the source holds them, in
// .npy files), and nothing of the private part: not its inputs, not its labels, not which
// samples it had. Its split has no private part, so `gauntlet judge` on the kit judges exactly
// the organizer's public split. With --plugin-view it also holds the same tensors as a plugin
// receives them (after the host's preprocessing, in the interface's dtypes and shapes), so that
// a team trains offline (numpy, PyTorch) on exactly what infer() will be given.
#include "challenge/challenge_loader.hpp"
#include "challenge/challenge_writer.hpp"
#include "cli/commands.hpp"
#include "cli/installation.hpp"
#include "cli/options.hpp"
#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "data/dataset.hpp"
#include "formats/npy.hpp"

#include <filesystem>
#include <iostream>

namespace gauntlet::cli {

namespace fs = std::filesystem;

namespace {

// The public split's tensors as the judge lays them out for the worker: preprocessed inputs, and
// the targets (the public test labels are in the kit anyway). Named as in the interface.
void write_plugin_view(const Challenge& c, const fs::path& dir) {
  const ChallengeData d = load_challenge_data(c, {SplitName::public_split, -1, -1, true}, heap_allocator());
  for (const auto& [set, split] :
       {std::pair<std::string, const SplitData*>{"train", &d.train}, {"test", &d.eval}}) {
    fs::create_directories(dir / set);
    for (std::size_t i = 0; i < split->inputs.size(); ++i)
      formats::write_npy(dir / set / (c.inputs.at(i).name + ".npy"), split->inputs[i]);
    formats::write_npy(dir / set / (c.target.name + ".npy"), split->targets);
  }
}

}  // namespace

int kit_command(int argc, char** argv) {
  std::string challenge_arg, out_arg;
  bool plugin_view = false;
  po::options_description visible("options");
  visible.add_options()("plugin-view", po::bool_switch(&plugin_view),
                        "also write plugin-view/{train,test}/<tensor>.npy: the tensors as the plugin "
                        "receives them (preprocessed by the host)");
  po::options_description hidden;
  hidden.add_options()("challenge", po::value(&challenge_arg))("dir", po::value(&out_arg));
  po::positional_options_description positional;
  positional.add("challenge", 1).add("dir", 1);
  po::variables_map vm;
  if (auto code =
          parse_options(argc, argv, "gauntlet kit <challenge dir|challenge.yaml> <kit dir> [--plugin-view]",
                        visible, hidden, positional, vm))
    return *code;
  if (challenge_arg.empty() || out_arg.empty()) {
    std::cerr << "gauntlet kit: expected a challenge and a folder\nusage: gauntlet kit <challenge "
                 "dir|challenge.yaml> "
                 "<kit dir> [--plugin-view]\n";
    return kExitBadInput;
  }
  const fs::path out = out_arg;
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    std::cerr << "gauntlet kit: " << out.string() << ": exists and is not empty; give a new folder\n";
    return kExitBadInput;
  }
  try {
    const Challenge c = load_challenge(resolve_challenge(challenge_arg));
    const RawParts parts = raw_parts(c, SplitName::public_split);
    std::string data = "data:\n  source: npy\n";
    fs::create_directories(out / "data" / "train");
    fs::create_directories(out / "data" / "test");
    for (const auto& [set, table] :
         {std::pair<std::string, const formats::Table*>{"train", &parts.train}, {"test", &parts.test}}) {
      data += "  " + set + ":\n";
      for (std::size_t i = 0; i < table->names.size(); ++i) {
        const std::string relative = "data/" + set + "/" + table->names[i] + ".npy";
        formats::write_npy(out / relative, table->tensors[i]);
        data += "    " + table->names[i] + ": " + relative + "\n";
      }
    }
    data += "  split: {private_fraction: 0}   # a team kit: the organizer's public part only\n";
    if (plugin_view) write_plugin_view(c, out / "plugin-view");
    write_file_atomic(out / "challenge.yaml", "# Team kit of challenge '" + c.id +
                                                  "' (gauntlet kit): the training set "
                                                  "and the public test part.\n" +
                                                  challenge_yaml(c, data));
    std::cout << "wrote " << out.string() << ": " << parts.train.samples() << " training and "
              << parts.test.samples() << " public test samples of challenge '" << c.id << "'\n";
    return kExitOk;
  } catch (const std::exception& e) {
    // A ConfigError already reads file:line:column: error: ...
    std::cerr << (dynamic_cast<const ConfigError*>(&e) ? "" : "gauntlet kit: ") << e.what() << "\n";
    fs::remove_all(out, ec);  // the folder was new (checked above): no half-written kit stays
    return exit_code_for(e);
  }
}

}  // namespace gauntlet::cli
