// A submission's asset archive (weights, vocabularies...), unpacked with libarchive under rules
// that leave the team nothing to aim at the host: tar (plain, gzip, bzip2, xz or zstd) or zip
// only; every name relative, without "..", control characters or overlong parts; regular files
// and folders only (no symbolic or hard links, devices, pipes or sockets); no name twice; at
// most `max_files` files and `max_bytes` bytes once unpacked (counted as they are read, not
// as the headers claim: a zip bomb stops at the cap). The archive is untrusted bytes: it has a
// fuzz target (tests/fuzz/asset_archive_fuzzer.cpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::service {

struct ArchiveLimits {
  int max_files = 1000;
  int64_t max_bytes = int64_t{256} << 20;
};

struct AssetFile {
  std::string path;  // relative, '/'-separated
  int64_t bytes = 0;
  std::string sha256;
};

struct AssetTree {
  std::vector<AssetFile> files;      // sorted by path
  std::vector<std::string> folders;  // sorted
  int64_t bytes = 0;
  // SHA-256 of the tree (each path with its size and digest, sorted): the same files give the same
  // digest whether they came as tar or zip. Part of the job key.
  std::string sha256;
};

// Why an archive is refused, one line for the team.
class ArchiveRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads an archive (its bytes). With `into` (an existing, empty folder), writes its files and
// folders there, each file durable (fsync) and read-only; empty `into`: only checks and hashes.
// Throws ArchiveRefused for anything the rules above refuse (having written only into `into`),
// std::runtime_error for the host's own I/O failures.
[[nodiscard]] AssetTree unpack_assets(std::string_view bytes, const std::filesystem::path& into,
                                      const ArchiveLimits& limits);

}  // namespace gauntlet::service
