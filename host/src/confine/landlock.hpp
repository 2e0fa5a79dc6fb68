// Landlock (Linux >= 5.13): an unprivileged process restricts which files it, its future
// threads and children may open, whatever the mount namespace shows them. On ABI >= 4 it also
// forbids TCP bind/connect, and on ABI >= 6 signals and abstract unix sockets leaving the
// sandbox.
//
// The worker applies two layers (they intersect): before loading the plugin, the system
// libraries, the plugin file, its assets, the working directory and the harmless devices;
// once the plugin is loaded, only its assets, the working directory and those devices.
// A layer restricts the calling thread: threads a plugin starts while loading (static
// constructors) keep the first layer.
#pragma once

#include <string>
#include <vector>

namespace gauntlet::confine {

// The highest Landlock ABI this kernel offers; 0 when Landlock is absent or disabled.
int landlock_abi();

struct LandlockRules {
  std::vector<std::string> read_dirs;   // read files and list folders beneath
  std::vector<std::string> read_files;  // read this file
  std::vector<std::string> write_dirs;  // full access beneath (but no devices, sockets, fifos)
  std::vector<std::string> devices;     // read, write and ioctl this device file
};

// Adds one layer. Paths that do not exist are skipped. Needs no_new_privs (or
// CAP_SYS_ADMIN). Returns "" or one line naming the failing step.
std::string landlock_restrict(int abi, const LandlockRules& rules);

}  // namespace gauntlet::confine
