// gauntlet: the judge of AI-model hackathons. See README.md.
#include "cli/commands.hpp"
#include "common/errors.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <new>
#include <string>

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
  bool listed = true;  // in `gauntlet --help` (run-job is a Slurm task's, not a person's)
};

const Command kCommands[] = {
    {"judge", gauntlet::cli::judge_command, "judge plugins on a challenge and print/write the results"},
    {"validate", gauntlet::cli::validate_command,
     "check challenge YAML files and report the first error of each"},
    {"inspect", gauntlet::cli::inspect_command, "show a plugin's ABI version, info and capabilities"},
    {"run", gauntlet::cli::run_command,
     "judge a whole event (configs/<event>.yaml) into its result store, resumably"},
    {"leaderboard", gauntlet::cli::leaderboard_command,
     "rank one split of an event from its store: table, csv, json, markdown or html"},
    {"submit", gauntlet::cli::submit_command,
     "upload a bundle to an event's service and await its verdict (or record it locally with --event)"},
    {"serve", gauntlet::cli::serve_command,
     "run an event as a service: HTTP(S) uploads, continuous judging, live leaderboard"},
    {"teams", gauntlet::cli::teams_command,
     "create, rotate or revoke the service's team and organizer tokens"},
    {"status", gauntlet::cli::status_command, "list the team's submissions on the event's service"},
    {"admin", gauntlet::cli::admin_command,
     "the organizer's service actions: freeze, publish, rejudge, audit"},
    {"new", gauntlet::cli::new_command, "write a starter plugin project for a challenge"},
    {"kit", gauntlet::cli::kit_command,
     "write a team kit of a challenge: its training set and the public test part, nothing private"},
    {"doctor", gauntlet::cli::doctor_command,
     "show which sandbox mechanisms this machine offers, with a self-test of the worker"},
    {"run-job", gauntlet::cli::run_job_command,
     "judge one job of a Slurm manifest (gauntlet run --backend slurm)", false},
};

void usage(std::ostream& out) {
  out << "gauntlet " GAUNTLET_VERSION " - judging system for AI-model hackathons\n\n"
      << "usage: gauntlet <command> [options]   (gauntlet <command> --help for its options)\n\ncommands:\n";
  for (const auto& c : kCommands)
    if (c.listed)
      out << "  " << c.name << std::string(13 - std::min<std::size_t>(std::strlen(c.name), 12), ' ')
          << c.summary << "\n";
  out << "\nexit codes: 0 success, 1 a verdict other than OK (or another failure), 2 bad input\n";
}

// Every command runs through this: whatever escapes it (an unwritable folder, a full disk, no
// memory) ends as one printable line and a documented exit code, never std::terminate. Output
// that could not be written (stdout on a full disk) is a failure too, not a silent loss.
int run_guarded(const Command& command, int argc, char** argv) {
  const std::string prefix = std::string("gauntlet ") + command.name + ": ";
  int code = gauntlet::kExitFailure;
  try {
    code = command.run(argc, argv);
  } catch (const gauntlet::ConfigError& e) {
    std::cerr << e.what() << "\n";  // already file:line:column: error: ...
    code = gauntlet::kExitBadInput;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << prefix << gauntlet::printable_line(e.code().message() + ": " + e.path1().string()) << "\n";
    code = gauntlet::kExitFailure;
  } catch (const std::bad_alloc&) {
    std::cerr << prefix << "out of memory\n";
    code = gauntlet::kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << prefix << gauntlet::printable_line(e.what()) << "\n";
    code = gauntlet::exit_code_for(e);
  } catch (...) {
    std::cerr << prefix << "unexpected error\n";
    code = gauntlet::kExitFailure;
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << prefix << "could not write the standard output (a full disk, or a closed pipe)\n";
    return gauntlet::kExitFailure;
  }
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // A closed output (`| head`, a viewer gone) must not end a run half-way, its workers or Slurm
  // arrays left behind: writes then fail (EPIPE) and the command goes on to its end. What it
  // starts gets SIGPIPE back (the worker's and the Slurm commands' spawns reset it).
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    usage(std::cerr);
    return gauntlet::kExitBadInput;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help" || name == "--version") {
    if (name == "--version")
      std::cout << "gauntlet " GAUNTLET_VERSION "\n";
    else
      usage(std::cout);
    std::cout.flush();
    if (std::cout) return gauntlet::kExitOk;
    std::cerr << "gauntlet: could not write the standard output\n";
    return gauntlet::kExitFailure;
  }
  for (const auto& c : kCommands)
    if (name == c.name) return run_guarded(c, argc - 1, argv + 1);
  std::cerr << "gauntlet: unknown command '" << name << "'\n\n";
  usage(std::cerr);
  return gauntlet::kExitBadInput;
}
