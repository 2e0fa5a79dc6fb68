#include "worker/plugin_checks.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>

namespace gauntlet::worker {
namespace {

// Smallest table a v1 plugin can declare: everything up to last_error (frozen in plugin_api.h).
constexpr std::size_t kMinTableSize = GAUNTLET_PLUGIN_API_V1_SIZE;
// A table larger than this is not a table.
constexpr std::size_t kMaxTableSize = 64 * 1024;
constexpr std::size_t kMinInfoSize = GAUNTLET_PLUGIN_INFO_V1_SIZE;

// Copies an untrusted C string: at most `cap` bytes, control characters replaced.
std::string sanitize(const char* s, std::size_t cap = 256) {
  if (!s) return {};
  std::string out;
  for (std::size_t i = 0; i < cap && s[i] != '\0'; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
  }
  return out;
}

#if defined(__x86_64__)
constexpr int kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kMachine = EM_AARCH64;
#else
constexpr int kMachine = -1;
#endif

// The architectures a team is likely to have built for by mistake.
std::string machine_name(int machine) {
  switch (machine) {
    case EM_386:
      return "x86 (32-bit)";
    case EM_X86_64:
      return "x86-64";
    case EM_ARM:
      return "ARM (32-bit)";
    case EM_AARCH64:
      return "aarch64";
    case EM_RISCV:
      return "RISC-V";
    case EM_PPC64:
      return "PowerPC 64";
    case EM_S390:
      return "s390x";
    case EM_MIPS:
      return "MIPS";
    default:
      return "e_machine " + std::to_string(machine);
  }
}

std::string truncated(uint64_t file_size, uint64_t needed) {
  return "a truncated library: the file is " + std::to_string(file_size) +
         " bytes but its headers describe " + std::to_string(needed) + " (an interrupted upload or copy?)";
}

}  // namespace

std::string describe_non_library(std::string_view head, uint64_t file_size) {
  if (file_size == 0 || head.empty()) return "not a shared library: the file is empty";
  // What teams upload by mistake, recognised by its first bytes.
  if (head.starts_with("\x1f\x8b")) return "not a shared library: gzip-compressed data (uncompress it first)";
  if (head.starts_with("PK\x03\x04")) return "not a shared library: a zip archive (extract the .so from it)";
  if (head.starts_with("!<arch>\n"))
    return "a static library (.a), not a shared library: link it with -shared";
  if (head.size() < SELFMAG || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) {
    std::string start;
    for (std::size_t i = 0; i < std::min<std::size_t>(head.size(), 16); ++i) {
      const auto c = static_cast<unsigned char>(head[i]);
      start += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
    }
    return "not a shared library: the file has no ELF header (it starts with \"" + start + "\")";
  }
  if (head.size() < EI_NIDENT || head[EI_CLASS] != ELFCLASS64)
    return head.size() >= EI_NIDENT && head[EI_CLASS] == ELFCLASS32
               ? "not a shared library for this machine: a 32-bit ELF file"
               : "not a shared library: a damaged or truncated ELF header";
  if (head.size() < sizeof(Elf64_Ehdr)) return truncated(file_size, sizeof(Elf64_Ehdr));
  if (head[EI_DATA] != ELFDATA2LSB) return "not a shared library for this machine: a big-endian ELF file";
  Elf64_Ehdr h;
  std::memcpy(&h, head.data(), sizeof h);
  if (kMachine >= 0 && h.e_machine != kMachine)
    return "an ELF file for another architecture (" + machine_name(h.e_machine) + "); this judge runs " +
           machine_name(kMachine) + " plugins";
  if (h.e_type == ET_EXEC)
    return "an executable, not a shared library: build a MODULE library (gauntlet_add_plugin)";
  if (h.e_type == ET_REL) return "an object file (.o), not a shared library: link it with -shared";
  if (h.e_type == ET_CORE) return "a core dump, not a shared library";
  if (h.e_type != ET_DYN) return "not a shared library: ELF file type " + std::to_string(h.e_type);

  // Everything the loader maps must be in the file: dlopen maps a truncated file's segments
  // anyway and the loading process dies of SIGBUS on the first page past the end.
  if (h.e_phnum == 0 || h.e_phentsize != sizeof(Elf64_Phdr))
    return "not a shared library: a damaged ELF header (no program headers)";
  const uint64_t ph_end = h.e_phoff + uint64_t{h.e_phnum} * sizeof(Elf64_Phdr);
  if (h.e_phoff > file_size || ph_end > file_size) return truncated(file_size, std::max(h.e_phoff, ph_end));
  uint64_t needed = 0;
  if (h.e_shoff != 0 && h.e_shnum != 0) {  // section headers: not mapped, but linkers write them last
    const uint64_t sh_bytes = uint64_t{h.e_shnum} * h.e_shentsize;
    needed = h.e_shoff > UINT64_MAX - sh_bytes ? UINT64_MAX : h.e_shoff + sh_bytes;
  }
  if (ph_end <= head.size()) {  // else a layout no linker writes: dlopen decides
    for (uint16_t i = 0; i < h.e_phnum; ++i) {
      Elf64_Phdr ph;
      std::memcpy(&ph, head.data() + h.e_phoff + i * sizeof(Elf64_Phdr), sizeof ph);
      if (ph.p_type != PT_LOAD && ph.p_type != PT_DYNAMIC) continue;
      const uint64_t end = ph.p_offset > UINT64_MAX - ph.p_filesz ? UINT64_MAX : ph.p_offset + ph.p_filesz;
      needed = std::max(needed, end);
    }
  }
  if (needed > file_size) return truncated(file_size, needed);
  return {};
}

gauntlet_plugin_api check_plugin_table(const gauntlet_plugin_api* table) {
  gauntlet_plugin_api api{};
  // The size is read first and alone; the copy takes no byte past it.
  const uint32_t size = table->struct_size;
  std::memcpy(&api, table, std::min<std::size_t>(size, sizeof(api)));
  api.struct_size = size;
  // Major version before size: a plugin of another major has another layout, and "rebuild
  // against this SDK" is the useful message.
  constexpr std::size_t kMajorEnd = offsetof(gauntlet_plugin_api, abi_major) + sizeof(uint32_t);
  constexpr std::size_t kMinorEnd = offsetof(gauntlet_plugin_api, abi_minor) + sizeof(uint32_t);
  if (size >= kMajorEnd && api.abi_major != GAUNTLET_ABI_MAJOR) {
    // Appended piecewise: `"literal" + std::string&&` trips a GCC 12 false -Wrestrict.
    std::string theirs = std::to_string(api.abi_major);
    if (size >= kMinorEnd) theirs += '.' + std::to_string(api.abi_minor);
    throw LoadFailure{true, "the plugin was built for Gauntlet ABI " + theirs + "; this judge speaks ABI " +
                                std::to_string(GAUNTLET_ABI_MAJOR) + "." +
                                std::to_string(GAUNTLET_ABI_MINOR) + ": rebuild it against this SDK"};
  }
  if (size < kMinTableSize || size > kMaxTableSize)
    throw LoadFailure{false, "the plugin's function table declares a size of " + std::to_string(size) +
                                 " bytes; an ABI v1 table has at least " + std::to_string(kMinTableSize)};

  std::string missing;
  if (!api.get_info) missing += " get_info";
  if (!api.create) missing += " create";
  if (!api.prepare) missing += " prepare";
  if (!api.infer) missing += " infer";
  if (!api.destroy) missing += " destroy";
  if (!api.last_error) missing += " last_error";
  if (!missing.empty()) throw LoadFailure{false, "the plugin's function table lacks:" + missing};
  return api;
}

PluginInfo check_plugin_info(const gauntlet_plugin_info* info, const gauntlet_plugin_api& api) {
  if (!info) throw LoadFailure{false, "get_info() returned NULL"};
  if (info->struct_size < kMinInfoSize || info->struct_size > kMaxTableSize)
    throw LoadFailure{false,
                      "get_info() returned a struct of bogus size " + std::to_string(info->struct_size)};
  PluginInfo out;
  out.name = sanitize(info->name);
  out.team = sanitize(info->team);
  out.version = sanitize(info->version);
  out.description = sanitize(info->description, 1024);
  out.capabilities = info->capabilities;
  if (out.name.empty()) throw LoadFailure{false, "get_info() gives no name"};
  if ((out.capabilities & GAUNTLET_CAP_TRAIN) && !api.train)
    throw LoadFailure{false, "the plugin declares the TRAIN capability but its table has no train()"};
  return out;
}

}  // namespace gauntlet::worker
