#include "worker/plugin_library.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <exception>
#include <optional>

namespace gauntlet::worker {
namespace {

// Boost.DLL's what() reads "boost::dll::shared_library::load() failed (dlerror system
// message: <text>): <errno text>"; the dlerror text is what a person needs.
std::string dlerror_text(const std::exception& e) {
  std::string what = e.what();
  const std::string marker = "dlerror system message: ";
  auto begin = what.find(marker);
  if (begin == std::string::npos) return what;
  begin += marker.size();
  auto end = what.rfind("): ");
  if (end == std::string::npos || end < begin) end = what.size();
  return what.substr(begin, end - begin);
}

// The first bytes of the file and its size, for describe_non_library(); nothing when it cannot
// be read (dlopen will then say why).
std::optional<std::string> read_head(const std::string& path, uint64_t& file_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::string head(kElfHeadBytes, '\0');
  std::size_t got = 0;
  bool ok = ::fstat(fd, &st) == 0;
  while (ok && got < head.size()) {
    const ssize_t n = ::read(fd, head.data() + got, head.size() - got);
    if (n < 0 && errno == EINTR) continue;
    ok = n >= 0;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  file_size = static_cast<uint64_t>(st.st_size);
  head.resize(got);
  return head;
}

}  // namespace

PluginLibrary::PluginLibrary(const std::string& path, const gauntlet_host_api* host) {
  // dlopen's own words for a file that is not a library ("file too short", "invalid ELF
  // header") do not tell a team what they uploaded, and a truncated one kills the process.
  uint64_t file_size = 0;
  if (const auto head = read_head(path, file_size))
    if (std::string why = describe_non_library(*head, file_size); !why.empty()) throw LoadFailure{false, why};
  try {
    // RTLD_NOW: unresolved symbols fail here, not in the middle of a timed call.
    // RTLD_LOCAL: nothing the plugin defines can interpose on anything else.
    library_.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw LoadFailure{false, "cannot load the library: " + dlerror_text(e)};
  }
  gauntlet_plugin_entry_fn entry = nullptr;
  try {
    entry = &library_.get<const gauntlet_plugin_api*(uint32_t, uint32_t, const gauntlet_host_api*)>(
        GAUNTLET_ENTRY_SYMBOL);
  } catch (const std::exception& e) {
    throw LoadFailure{false, std::string("the library does not export the entry function ") +
                                 GAUNTLET_ENTRY_SYMBOL + " (was it built with the Gauntlet SDK?)"};
  }

  const gauntlet_plugin_api* table = entry(GAUNTLET_ABI_MAJOR, GAUNTLET_ABI_MINOR, host);
  if (!table)
    throw LoadFailure{true, "the plugin refused the judge's ABI " + std::to_string(GAUNTLET_ABI_MAJOR) + "." +
                                std::to_string(GAUNTLET_ABI_MINOR) +
                                " (its entry returned NULL): rebuild it against this SDK"};
  api_ = check_plugin_table(table);
  info_ = check_plugin_info(api_.get_info(), api_);
}

}  // namespace gauntlet::worker
