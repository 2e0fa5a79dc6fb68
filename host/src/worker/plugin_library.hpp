// Loads one plugin library with Boost.DLL and validates what its entry function returns,
// without trusting any of it: a table of a bogus size, a wrong major version or missing
// mandatory functions are refused with a clear reason (LOAD_ERROR / ABI_MISMATCH). The checks
// themselves are pure functions (plugin_checks.hpp).
#pragma once

#include "worker/plugin_checks.hpp"

#include <gauntlet/plugin_api.h>

#include <boost/dll/shared_library.hpp>

#include <cstdint>
#include <string>

namespace gauntlet::worker {

class PluginLibrary {
 public:
  // Throws LoadFailure.
  PluginLibrary(const std::string& path, const gauntlet_host_api* host);

  // The plugin's table, copied: fields beyond the size the plugin declared are zero.
  const gauntlet_plugin_api& api() const { return api_; }
  uint32_t declared_table_size() const { return api_.struct_size; }  // as the plugin declared it
  // The plugin's info, copied and sanitised (strings capped, control characters replaced).
  using Info = PluginInfo;
  const Info& info() const { return info_; }

 private:
  boost::dll::shared_library library_;
  gauntlet_plugin_api api_{};
  Info info_;
};

}  // namespace gauntlet::worker
