// Where a result was produced: recorded in every result so that figures can be compared
// only with figures from the same kind of machine and the same judge.
#pragma once

#include <string>

namespace gauntlet::report {

struct Environment {
  std::string gauntlet_version;
  std::string onednn_version;
  std::string cpu_model;
  int cpus = 0;
  std::string kernel;
  std::string hostname;
};

Environment current_environment();

}  // namespace gauntlet::report
