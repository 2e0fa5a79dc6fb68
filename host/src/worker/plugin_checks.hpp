// What the worker checks before and after it loads a team's library, as pure functions over
// bytes (no dlopen), so that tests/fuzz/ can feed them anything: the file's ELF headers before
// it is mapped, the function table the entry returns and the info struct get_info() returns.
// A failure is a LoadFailure whose message a team can act on (LOAD_ERROR / ABI_MISMATCH).
#pragma once

#include <gauntlet/plugin_api.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gauntlet::worker {

struct LoadFailure {
  bool abi_mismatch = false;  // else a load error
  std::string message;
};

// How much of the file describe_non_library() wants: the ELF header and the program headers,
// which every linker writes right after it.
inline constexpr std::size_t kElfHeadBytes = 64 * 1024;

// Why a file of `file_size` bytes that starts with `head` (its first min(file_size,
// kElfHeadBytes) bytes) is not a shared library this machine can load: not ELF, another
// architecture or class, an executable or object file, or truncated (dlopen would map pages
// past the end of the file and die of SIGBUS when touching them). Empty when it looks loadable.
std::string describe_non_library(std::string_view head, uint64_t file_size);

// Validates the table an entry function returned. `table` must hold the struct_size bytes it
// declares (the ABI's promise); nothing beyond them is read. Returns a copy in which fields
// beyond the declared size are zero. Throws LoadFailure.
gauntlet_plugin_api check_plugin_table(const gauntlet_plugin_api* table);

// The plugin's info, copied and sanitised (strings capped, control characters replaced).
struct PluginInfo {
  std::string name, team, version, description;
  uint64_t capabilities = 0;
};

// Validates what get_info() returned (possibly NULL) against the validated table: the
// declared size, a name, train() when the TRAIN capability is claimed. The strings must be
// NUL-terminated or at least as long as their caps (256 bytes, 1024 for the description).
// Throws LoadFailure.
PluginInfo check_plugin_info(const gauntlet_plugin_info* info, const gauntlet_plugin_api& api);

}  // namespace gauntlet::worker
