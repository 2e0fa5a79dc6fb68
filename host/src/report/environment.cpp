#include "report/environment.hpp"

#include <oneapi/dnnl/dnnl.h>

#include <sys/utsname.h>
#include <unistd.h>
#include <fstream>
#include <thread>

namespace gauntlet::report {

Environment current_environment() {
  Environment env;
  env.gauntlet_version = GAUNTLET_VERSION;
  const dnnl_version_t* v = dnnl_version();
  env.onednn_version =
      std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) env.cpu_model = line.substr(line.find_first_not_of(' ', colon + 1));
      break;
    }
  }
  env.cpus = static_cast<int>(std::thread::hardware_concurrency());
  utsname u{};
  if (::uname(&u) == 0) {
    env.kernel = std::string(u.sysname) + " " + u.release;
    env.hostname = u.nodename;
  }
  return env;
}

}  // namespace gauntlet::report
