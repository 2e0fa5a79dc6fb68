// gauntlet run-job <manifest> <index>: one Slurm array task of `gauntlet run --backend slurm`
// (cluster/run_job.hpp). Not listed in `gauntlet --help`: the batch script runs it.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cluster/run_job.hpp"

#include <iostream>

namespace gauntlet::cli {

int run_job_command(int argc, char** argv) {
  std::string manifest;
  long index = -1;
  po::options_description visible("options");
  po::options_description hidden;
  hidden.add_options()("manifest", po::value(&manifest)->required())("index", po::value(&index)->required());
  po::positional_options_description positional;
  positional.add("manifest", 1).add("index", 1);
  po::variables_map vm;
  if (auto code =
          parse_options(argc, argv, "gauntlet run-job <manifest.json> <index>   (a Slurm task's command)",
                        visible, hidden, positional, vm))
    return *code;
  return cluster::run_job(manifest, index, std::cerr);
}

}  // namespace gauntlet::cli
