// The `gauntlet` subcommands. Each parses its own options (Boost.Program_options), prints
// its own --help, and returns the process exit code (common/errors.hpp: 0 ok, 1 a verdict
// other than OK or a failure, 2 bad input and nothing written).
#pragma once

namespace gauntlet::cli {

int judge_command(int argc, char** argv);
int validate_command(int argc, char** argv);
int inspect_command(int argc, char** argv);
int run_command(int argc, char** argv);
int leaderboard_command(int argc, char** argv);
int submit_command(int argc, char** argv);
int new_command(int argc, char** argv);
int doctor_command(int argc, char** argv);
int kit_command(int argc, char** argv);
int run_job_command(int argc, char** argv);  // hidden: a Slurm task's command
int serve_command(int argc, char** argv);
int teams_command(int argc, char** argv);
int status_command(int argc, char** argv);
int admin_command(int argc, char** argv);

}  // namespace gauntlet::cli
