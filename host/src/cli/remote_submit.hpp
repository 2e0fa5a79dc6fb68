// The team client's side of `gauntlet submit --server` (submit_command.cpp): uploads a bundle to a
// `gauntlet serve` and waits, with progress on stderr, for its public verdict.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace gauntlet::cli {

struct RemoteSubmit {
  std::string server;
  std::filesystem::path token_file;
  std::string challenge;
  std::filesystem::path plugin;                 // .so or .onnx
  std::optional<std::filesystem::path> assets;  // tar or zip
  bool wait = true;
  double timeout_seconds = 3600;  // waiting for the verdict
  std::string ca_cert{};          // HTTPS: a PEM certificate to trust (else the system's CAs)
};

// The process exit code: 0 judged OK (or accepted, without waiting), 1 another verdict or a
// failure, 2 refused as bad input (4xx) or bad options.
int remote_submit(const RemoteSubmit& r);

}  // namespace gauntlet::cli
