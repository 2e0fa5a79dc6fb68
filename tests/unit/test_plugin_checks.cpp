// The worker's checks of a plugin (worker/plugin_checks.hpp) as pure functions: the file's ELF
// head before dlopen, the function table and the info struct. Tables and infos live in heap
// buffers of exactly their declared size, so that the asan preset catches a read past it.
#include <doctest/doctest.h>

#include "worker/plugin_checks.hpp"

#include <elf.h>

#include <cstring>
#include <memory>
#include <string>

using namespace gauntlet::worker;

namespace {

// A table image of exactly `size` bytes (at least the 4 of struct_size).
std::unique_ptr<unsigned char[]> table_image(uint32_t size, uint32_t major, uint32_t minor = 0) {
  gauntlet_plugin_api full{};
  full.struct_size = size;
  full.abi_major = major;
  full.abi_minor = minor;
  auto fake = reinterpret_cast<const gauntlet_plugin_info* (*)(void)>(uintptr_t{0x1000});
  full.get_info = fake;
  std::memset(
      &full.create, 0x11,
      offsetof(gauntlet_plugin_api, last_error) + sizeof(void*) - offsetof(gauntlet_plugin_api, create));
  const std::size_t n = std::max<std::size_t>(4, size);
  auto bytes = std::make_unique<unsigned char[]>(n);
  std::memcpy(bytes.get(), &full, std::min(n, sizeof full));
  return bytes;
}

// LoadFailure is not a std::exception: doctest cannot read its message itself.
template <typename F>
std::string failure_of(F&& call) {
  try {
    call();
  } catch (const LoadFailure& f) {
    return f.message;
  }
  return "";
}

std::string table_failure(uint32_t size, uint32_t major) {
  const auto image = table_image(size, major);
  return failure_of([&] { check_plugin_table(reinterpret_cast<const gauntlet_plugin_api*>(image.get())); });
}

std::string elf_head(uint16_t machine, uint16_t type, uint64_t load_size) {
  Elf64_Ehdr h{};
  std::memcpy(h.e_ident, ELFMAG, SELFMAG);
  h.e_ident[EI_CLASS] = ELFCLASS64;
  h.e_ident[EI_DATA] = ELFDATA2LSB;
  h.e_type = type;
  h.e_machine = machine;
  h.e_phoff = sizeof h;
  h.e_phentsize = sizeof(Elf64_Phdr);
  h.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_filesz = load_size;
  std::string bytes(sizeof h + sizeof ph, '\0');
  std::memcpy(bytes.data(), &h, sizeof h);
  std::memcpy(bytes.data() + sizeof h, &ph, sizeof ph);
  return bytes;
}

}  // namespace

TEST_CASE("the function table: sizes, major version and mandatory functions") {
  const auto good = table_image(sizeof(gauntlet_plugin_api), GAUNTLET_ABI_MAJOR);
  const auto api = check_plugin_table(reinterpret_cast<const gauntlet_plugin_api*>(good.get()));
  CHECK(api.struct_size == sizeof(gauntlet_plugin_api));
  CHECK(static_cast<bool>(api.train));

  CHECK(table_failure(8, GAUNTLET_ABI_MAJOR) ==
        "the plugin's function table declares a size of 8 bytes; an ABI v1 table has at least 72");
  CHECK(table_failure(1u << 20, GAUNTLET_ABI_MAJOR).find("declares a size of 1048576 bytes") !=
        std::string::npos);
  CHECK(table_failure(72, 2) ==
        "the plugin was built for Gauntlet ABI 2.0; this judge speaks ABI 1.0: rebuild it against this SDK");
  // Regression: a table declaring 8..11 bytes holds abi_major but not abi_minor, and the
  // message used to read abi_minor anyway (past the declared size).
  CHECK(table_failure(8, 2) ==
        "the plugin was built for Gauntlet ABI 2; this judge speaks ABI 1.0: rebuild it against this SDK");
  CHECK(table_failure(10, 2).find("built for Gauntlet ABI 2;") != std::string::npos);
  CHECK(table_failure(4, 2).find("declares a size of 4 bytes") != std::string::npos);

  auto no_infer = table_image(sizeof(gauntlet_plugin_api), GAUNTLET_ABI_MAJOR);
  reinterpret_cast<gauntlet_plugin_api*>(no_infer.get())->infer = nullptr;
  CHECK(failure_of([&] {
          check_plugin_table(reinterpret_cast<const gauntlet_plugin_api*>(no_infer.get()));
        }) == "the plugin's function table lacks: infer");
}

TEST_CASE("the info struct: size, name, sanitised strings, TRAIN needs train()") {
  const auto image = table_image(sizeof(gauntlet_plugin_api), GAUNTLET_ABI_MAJOR);
  auto api = check_plugin_table(reinterpret_cast<const gauntlet_plugin_api*>(image.get()));
  gauntlet_plugin_info info{};
  info.struct_size = sizeof info;
  info.name = "mlp\x1b[31m";
  info.team = "team\nname";
  const PluginInfo ok = check_plugin_info(&info, api);
  CHECK(ok.name == "mlp?[31m");
  CHECK(ok.team == "team?name");
  CHECK(ok.version.empty());

  CHECK(failure_of([&] { check_plugin_info(nullptr, api); }) == "get_info() returned NULL");
  info.struct_size = 12;
  CHECK(failure_of([&] { check_plugin_info(&info, api); }) ==
        "get_info() returned a struct of bogus size 12");
  info.struct_size = sizeof info;
  info.name = "";
  CHECK(failure_of([&] { check_plugin_info(&info, api); }) == "get_info() gives no name");
  info.name = "x";
  info.capabilities = GAUNTLET_CAP_TRAIN;
  api.train = nullptr;
  CHECK(failure_of([&] { check_plugin_info(&info, api); }) ==
        "the plugin declares the TRAIN capability but its table has no train()");
}

TEST_CASE("the ELF head: what a file is, and whether everything dlopen maps is in it") {
  CHECK(describe_non_library("", 0) == "not a shared library: the file is empty");
  CHECK(describe_non_library("hello\n", 6) ==
        "not a shared library: the file has no ELF header (it starts with \"hello.\")");
  CHECK(describe_non_library("\x1f\x8b\x08", 3).find("gzip-compressed") != std::string::npos);

  const std::string ok = elf_head(EM_X86_64, ET_DYN, 120);
  CHECK(describe_non_library(ok, ok.size()) == "");
  CHECK(describe_non_library(elf_head(EM_AARCH64, ET_DYN, 120), 120) ==
        "an ELF file for another architecture (aarch64); this judge runs x86-64 plugins");
  CHECK(describe_non_library(elf_head(EM_X86_64, ET_REL, 120), 120).find("an object file (.o)") == 0);
  // Regression: a truncated library used to reach dlopen, which mapped pages past the end of
  // the file and killed the worker with SIGBUS (CRASH instead of LOAD_ERROR).
  const std::string cut = elf_head(EM_X86_64, ET_DYN, 16384);
  CHECK(describe_non_library(cut, cut.size()) ==
        "a truncated library: the file is 120 bytes but its headers describe 16384 (an interrupted upload or "
        "copy?)");
  // Program headers that lie past the end of the file.
  std::string lost = ok.substr(0, sizeof(Elf64_Ehdr));
  CHECK(describe_non_library(lost, lost.size()).find("a truncated library") == 0);
}
