// Shared command-line plumbing: parse with Boost.Program_options, print --help, turn
// option errors into one line and exit code 2.
#pragma once

#include <boost/program_options.hpp>

#include <iostream>
#include <optional>
#include <string>

namespace gauntlet::cli {

namespace po = boost::program_options;

// Parses argv (argv[0] = the command name). Returns the exit code to stop with (help
// printed or bad options), or nullopt to go on.
[[nodiscard]] std::optional<int> parse_options(int argc, char** argv, const std::string& usage_line,
                                               const po::options_description& visible,
                                               const po::options_description& hidden,
                                               const po::positional_options_description& positional,
                                               po::variables_map& vm);

}  // namespace gauntlet::cli
