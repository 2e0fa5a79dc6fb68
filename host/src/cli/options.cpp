#include "cli/options.hpp"

#include "common/errors.hpp"

namespace gauntlet::cli {

std::optional<int> parse_options(int argc, char** argv, const std::string& usage_line,
                                 const po::options_description& visible,
                                 const po::options_description& hidden,
                                 const po::positional_options_description& positional,
                                 po::variables_map& vm) {
  po::options_description all;
  all.add(visible).add(hidden);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage_line << "\n\n"
                << visible << "  -h [ --help ]          show this help\n";
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gauntlet " << argv[0] << ": " << e.what() << "\nusage: " << usage_line << "\n";
    return kExitBadInput;
  }
  return std::nullopt;
}

}  // namespace gauntlet::cli
