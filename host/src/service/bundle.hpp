// A submission bundle: a plugin library (.so) or an ONNX model (.onnx), plus for a library an
// optional asset archive (asset_archive.hpp), unpacked into the folder the plugin's create()
// gets as asset_dir. The service stages every upload into a folder of its own; `gauntlet judge
// --bundle` stages the same files the same way, so a team judges exactly what it uploads.
//
//   <folder>/plugin.so | model.onnx     read-only
//   <folder>/assets/...                 the unpacked archive (a library only), read-only
//   <folder>/bundle.json                what was staged, with every hash
//
// What can be refused without running team code is refused here (not an ELF shared object for
// this machine, a model the ONNX runner would not plan, a bad archive); a library that does not
// load is the judge's LOAD_ERROR.
#pragma once

#include "challenge/challenge.hpp"
#include "service/asset_archive.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gauntlet::service {

struct StagedBundle {
  std::string kind;         // "library" | "model"
  std::string plugin_file;  // plugin.so | model.onnx
  std::string original_name;
  std::string plugin_sha256;
  int64_t plugin_bytes = 0;
  bool has_assets = false;
  std::string assets_sha256;          // the unpacked tree's digest (AssetTree::sha256); empty without assets
  std::string assets_archive_sha256;  // of the archive's bytes
  int64_t assets_files = 0, assets_bytes = 0;
  // Of the kind and both digests: the bundle's identity (a team submits a bundle once per challenge).
  std::string bundle_sha256;
};

// A bundle refused, with the HTTP status that says why (413 too large, 422 unusable).
class BundleRefused : public std::runtime_error {
 public:
  BundleRefused(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Checks the bundle and writes it into `folder` (an existing, empty folder), every file and the
// folder itself durable. `plugin_name` is the uploaded file's name (its extension says library or
// model). Throws BundleRefused; std::runtime_error for the host's own I/O failures.
[[nodiscard]] StagedBundle stage_bundle(const std::filesystem::path& folder, const std::string& plugin_name,
                                        std::string_view plugin_bytes,
                                        std::optional<std::string_view> archive, const Challenge& challenge,
                                        const ArchiveLimits& limits);

// The result's "bundle" section: the library or model and the assets, by their hashes.
[[nodiscard]] nlohmann::json bundle_json(const StagedBundle& bundle);

// Durable write of a new read-only file (O_EXCL: never over an existing one).
void write_new_file(const std::filesystem::path& file, std::string_view bytes);
// fsync of a folder (its entries: files created or renamed in it).
void sync_folder(const std::filesystem::path& folder);

}  // namespace gauntlet::service
