// Runs a real program (the `gauntlet` binary, usually) and captures its exit code, stdout
// and stderr: the integration tests drive the judge exactly as a person would.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace gauntlet::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out, err;
};

CommandResult run_command(const std::vector<std::string>& argv, double timeout_seconds = 300);

// Starts `argv` in the background, its stdout and stderr into files (for a test that kills it
// midway); the caller waits for the pid. Throws std::runtime_error when it cannot start.
pid_t spawn_command(const std::vector<std::string>& argv, const std::filesystem::path& out,
                    const std::filesystem::path& err);

// Paths of the built artefacts.
std::string gauntlet_binary();
std::string test_plugin(const std::string& name);  // tests/plugins/<name> -> build/tests/plugins/lib<name>.so
std::string sample_plugin(const std::string& name);  // build/plugins/lib<name>.so
std::string source_path(const std::string& relative);

// A fresh empty folder under the build tree, removed at the end of the test process.
std::string temp_dir(const std::string& tag);

// The whole file, as bytes; empty when it cannot be read (e.g. a /proc entry that went away).
std::string read_file(const std::filesystem::path& file);

}  // namespace gauntlet::testing
