// Worker side: the file system a plugin sees, built inside a fresh mount namespace.
//
//   /                 a small read-only tmpfs holding only mount points
//   /usr/lib, /lib...  the host's library folders, read-only (symlinks such as /lib -> usr/lib
//                      are recreated as symlinks), and /etc/ld.so.cache
//   /gauntlet/plugin/<file>  the plugin file alone, read-only
//   /gauntlet/assets   the plugin's assets, read-only
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

namespace gauntlet::confine {

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

// Where the plugin and its assets appear inside the mount namespace. Fixed paths, not the
// host's: nothing of the host's folder layout (user names, where results are kept) reaches
// the plugin, and a plugin stored under the host's /tmp does not appear inside the private
// /tmp, where its folder would be readable and writable.
inline constexpr const char* kSandboxPluginDir = "/gauntlet/plugin";
inline constexpr const char* kSandboxAssetDir = "/gauntlet/assets";
// The plugin's path inside the sandbox: kSandboxPluginDir/<its file name>.
std::string sandbox_plugin_path(const std::string& host_plugin);

}  // namespace gauntlet::confine
