// Worker side: the file system a plugin sees, built inside a fresh mount namespace.
//
//   /                 a small read-only tmpfs holding only mount points
//   /usr/lib, /lib...  the host's library folders, read-only (symlinks such as /lib -> usr/lib
//                      are recreated as symlinks), and /etc/ld.so.cache
//   <plugin path>      the plugin file alone, read-only, at its host path
//   <asset dir>        the plugin's assets, read-only, at their host path
//   /dev/null ...      the harmless devices, read-write
//   /tmp               a private, empty tmpfs (nosuid, nodev, noexec), the working directory
//
// Nothing else of the host exists in there: no /proc, no /home, no datasets (/usr/share),
// no challenge, results or other plugins. Sources are opened (O_PATH) before the view is
// built, so a plugin stored under the host's /tmp is still found.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet::sandbox {

struct MountPlan {
  std::string plugin;                     // file; may be empty
  std::string asset_dir;                  // folder; may be empty
  std::vector<std::string> system_paths;  // read-only; missing ones are skipped
  std::vector<std::string> devices;       // read-write character devices
  uint64_t tmp_bytes = 64ull << 20;       // size of the private /tmp
};

// Must run in a new mount namespace (after unshare(CLONE_NEWNS)) with CAP_SYS_ADMIN in it.
// Ends with the new root in place and the working directory at /tmp. Returns "" or one line
// naming the step that failed.
std::string build_root(const MountPlan& plan);

// The sandbox's working directory when a mount namespace is in force.
inline constexpr const char* kSandboxTmp = "/tmp";

}  // namespace gauntlet::sandbox
