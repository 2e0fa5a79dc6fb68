#include "service/bundle.hpp"

#include "common/sha256.hpp"
#include "models/model_check.hpp"

#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gauntlet::service {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

#if defined(__x86_64__)
constexpr uint16_t kMachine = EM_X86_64;
constexpr const char* kMachineName = "x86-64";
#elif defined(__aarch64__)
constexpr uint16_t kMachine = EM_AARCH64;
constexpr const char* kMachineName = "AArch64";
#else
#error "the ELF check needs this machine's e_machine"
#endif

// Why the bytes are not a 64-bit little-endian ELF shared object for this machine, or "".
std::string not_a_library(std::string_view b) {
  if (b.size() < sizeof(Elf64_Ehdr))
    return "too short to be a shared library (" + std::to_string(b.size()) + " bytes)";
  if (std::memcmp(b.data(), ELFMAG, SELFMAG) != 0) return "not an ELF file";
  Elf64_Ehdr h;
  std::memcpy(&h, b.data(), sizeof h);
  if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_ident[EI_DATA] != ELFDATA2LSB)
    return "not a 64-bit little-endian ELF file";
  if (h.e_type != ET_DYN)
    return "an ELF file but not a shared library (e_type " + std::to_string(h.e_type) + ")";
  if (h.e_machine != kMachine)
    return std::string("a shared library for another machine (e_machine ") + std::to_string(h.e_machine) +
           "; this judge runs " + kMachineName + ")";
  return "";
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

void write_new_file(const fs::path& file, std::string_view bytes) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
  if (fd < 0) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(e));
    }
    done += static_cast<std::size_t>(n);
  }
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error("cannot fsync " + file.string() + ": " + std::strerror(e));
}

void sync_folder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + folder.string() + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0) throw std::runtime_error("cannot fsync " + folder.string() + ": " + std::strerror(e));
}

StagedBundle stage_bundle(const fs::path& folder, const std::string& plugin_name,
                          std::string_view plugin_bytes, std::optional<std::string_view> archive,
                          const Challenge& challenge, const ArchiveLimits& limits) {
  StagedBundle b;
  b.original_name = plugin_name;
  if (ends_with(plugin_name, ".so")) {
    b.kind = "library";
    b.plugin_file = "plugin.so";
  } else if (ends_with(plugin_name, ".onnx")) {
    b.kind = "model";
    b.plugin_file = "model.onnx";
  } else {
    throw BundleRefused(422, "'" + plugin_name.substr(0, 200) +
                                 "' is neither a plugin library (.so) nor an ONNX model (.onnx)");
  }
  if (plugin_bytes.empty()) throw BundleRefused(422, "the " + b.kind + " is empty (0 bytes)");
  if (b.kind == "library") {
    if (const std::string why = not_a_library(plugin_bytes); !why.empty())
      throw BundleRefused(422, "the library is " + why);
  } else if (archive) {
    throw BundleRefused(422, "an ONNX model takes no asset archive: the runner reads the model alone");
  }
  b.plugin_sha256 = sha256_hex(plugin_bytes);
  b.plugin_bytes = static_cast<int64_t>(plugin_bytes.size());
  write_new_file(folder / b.plugin_file, plugin_bytes);
  if (b.kind == "model") {
    // The runner's own loader, against this challenge (a model is data: nothing of it runs here).
    std::string refusal = models::model_refusal(folder / b.plugin_file, challenge);
    if (!refusal.empty()) throw BundleRefused(422, "the ONNX runner refuses the model: " + refusal);
  }
  if (archive) {
    fs::create_directory(folder / "assets");
    try {
      const AssetTree tree = unpack_assets(*archive, folder / "assets", limits);
      b.has_assets = true;
      b.assets_sha256 = tree.sha256;
      b.assets_archive_sha256 = sha256_hex(*archive);
      b.assets_files = static_cast<int64_t>(tree.files.size());
      b.assets_bytes = tree.bytes;
    } catch (const ArchiveRefused& e) {
      throw BundleRefused(422, std::string("the asset archive is refused: ") + e.what());
    }
  }
  b.bundle_sha256 = sha256_hex("gauntlet.bundle/1\nkind=" + b.kind + "\nplugin_sha256=" + b.plugin_sha256 +
                               "\nassets_sha256=" + b.assets_sha256 + "\n");
  json manifest = bundle_json(b);
  manifest["schema"] = 1;
  manifest["kind"] = "gauntlet.bundle";
  write_new_file(folder / "bundle.json", manifest.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  sync_folder(folder);
  return b;
}

json bundle_json(const StagedBundle& b) {
  json j{{"sha256", b.bundle_sha256},      {"type", b.kind},
         {"file", b.plugin_file},          {"original_name", b.original_name},
         {"file_sha256", b.plugin_sha256}, {"file_bytes", b.plugin_bytes}};
  j["assets"] = b.has_assets ? json{{"sha256", b.assets_sha256},
                                    {"archive_sha256", b.assets_archive_sha256},
                                    {"files", b.assets_files},
                                    {"bytes", b.assets_bytes}}
                             : json();
  return j;
}

}  // namespace gauntlet::service
