#include "worker/plugin_library.hpp"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <exception>

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

// Copies an untrusted C string: at most `cap` bytes, control characters replaced.
std::string sanitize(const char* s, std::size_t cap = 256) {
  if (!s) return {};
  std::string out;
  for (std::size_t i = 0; i < cap && s[i] != '\0'; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
  }
  return out;
}

// Smallest table a v1 plugin can declare: everything up to last_error.
constexpr std::size_t kMinTableSize = offsetof(gauntlet_plugin_api, last_error) + sizeof(void*);
// A table larger than this is not a table.
constexpr std::size_t kMaxTableSize = 64 * 1024;
constexpr std::size_t kMinInfoSize = offsetof(gauntlet_plugin_info, capabilities) + sizeof(uint64_t);

// dlopen's own words for a file that is not a library ("file too short", "invalid ELF
// header") do not tell a team what they uploaded; the ELF header does.
std::string describe_non_library(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};  // dlopen will say why
  Elf64_Ehdr h{};
  ssize_t n = ::read(fd, &h, sizeof h);
  ::close(fd);
  if (n < 4 || std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0) {
    std::string head;
    for (ssize_t i = 0; i < std::min<ssize_t>(n, 16); ++i) {
      unsigned char c = reinterpret_cast<unsigned char*>(&h)[i];
      head += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
    }
    return "not a shared library: the file has no ELF header (it starts with \"" + head + "\")";
  }
  if (n < static_cast<ssize_t>(sizeof h) || h.e_ident[EI_CLASS] != ELFCLASS64)
    return "not a shared library for this machine: a 32-bit or truncated ELF file";
#if defined(__x86_64__)
  constexpr int kMachine = EM_X86_64;
  constexpr const char* kMachineName = "x86-64";
#elif defined(__aarch64__)
  constexpr int kMachine = EM_AARCH64;
  constexpr const char* kMachineName = "aarch64";
#else
  constexpr int kMachine = -1;
  constexpr const char* kMachineName = "this machine";
#endif
  if (kMachine >= 0 && h.e_machine != kMachine)
    return std::string("an ELF file for another architecture (e_machine ") + std::to_string(h.e_machine) +
           "); this judge runs " + kMachineName + " plugins";
  if (h.e_type == ET_EXEC)
    return "an executable, not a shared library: build a MODULE library (gauntlet_add_plugin)";
  if (h.e_type == ET_REL) return "an object file (.o), not a shared library: link it with -shared";
  return {};
}

}  // namespace

PluginLibrary::PluginLibrary(const std::string& path, const gauntlet_host_api* host) {
  if (std::string why = describe_non_library(path); !why.empty()) throw LoadFailure{false, why};
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
  // The size is read first and alone; nothing past it is ever read.
  uint32_t size = table->struct_size;
  declared_size_ = size;
  // Major version before size: a plugin of another major has another layout, and "rebuild
  // against this SDK" is the useful message.
  if (size >= offsetof(gauntlet_plugin_api, abi_minor) && table->abi_major != GAUNTLET_ABI_MAJOR)
    throw LoadFailure{true, "the plugin was built for Gauntlet ABI " + std::to_string(table->abi_major) +
                                "." + std::to_string(table->abi_minor) + "; this judge speaks ABI " +
                                std::to_string(GAUNTLET_ABI_MAJOR) + "." +
                                std::to_string(GAUNTLET_ABI_MINOR) + ": rebuild it against this SDK"};
  if (size < kMinTableSize || size > kMaxTableSize)
    throw LoadFailure{false, "the plugin's function table declares a size of " + std::to_string(size) +
                                 " bytes; an ABI v1 table has at least " + std::to_string(kMinTableSize)};
  std::memcpy(&api_, table, std::min<std::size_t>(size, sizeof(api_)));

  std::string missing;
  if (!api_.get_info) missing += " get_info";
  if (!api_.create) missing += " create";
  if (!api_.prepare) missing += " prepare";
  if (!api_.infer) missing += " infer";
  if (!api_.destroy) missing += " destroy";
  if (!api_.last_error) missing += " last_error";
  if (!missing.empty()) throw LoadFailure{false, "the plugin's function table lacks:" + missing};

  const gauntlet_plugin_info* info = api_.get_info();
  if (!info) throw LoadFailure{false, "get_info() returned NULL"};
  if (info->struct_size < kMinInfoSize || info->struct_size > kMaxTableSize)
    throw LoadFailure{false,
                      "get_info() returned a struct of bogus size " + std::to_string(info->struct_size)};
  info_.name = sanitize(info->name);
  info_.team = sanitize(info->team);
  info_.version = sanitize(info->version);
  info_.description = sanitize(info->description, 1024);
  info_.capabilities = info->capabilities;
  if (info_.name.empty()) throw LoadFailure{false, "get_info() gives no name"};
  if ((info_.capabilities & GAUNTLET_CAP_TRAIN) && !api_.train)
    throw LoadFailure{false, "the plugin declares the TRAIN capability but its table has no train()"};
}

}  // namespace gauntlet::worker
