// A team's ONNX model as a judging job. A .onnx file is judged by the bundled runner plugin
// (onnx_runner/, an ordinary plugin in the ordinary sandbox), which reads the model as
// model.onnx from its asset folder: the judge copies the model into a private folder of its own
// for the job, hashes exactly the bytes it copied, and records them with the runner's identity.
#pragma once

#include "judge/judge.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace gauntlet::models {

// Whether a path names an ONNX model (a .onnx file) rather than a plugin library.
[[nodiscard]] bool is_model_path(const std::filesystem::path& path);

// The ONNX runner next to this judge: <prefix>/<libdir>/gauntlet/libonnx_runner.so, the build
// tree mirroring the layout (GAUNTLET_ONNX_RUNNER overrides). Throws std::runtime_error when
// it is not there.
std::filesystem::path runner_library();

// The model copied into a fresh private folder as model.onnx, removed again on destruction.
// Throws std::runtime_error (naming the file) when it cannot be read or is not a regular file.
class StagedModel {
 public:
  explicit StagedModel(const std::filesystem::path& model);
  ~StagedModel();
  StagedModel(const StagedModel&) = delete;
  StagedModel& operator=(const StagedModel&) = delete;

  const std::filesystem::path& asset_dir() const { return dir_; }
  const std::string& sha256() const { return sha256_; }
  uint64_t bytes() const { return bytes_; }

 private:
  std::filesystem::path dir_;
  std::string sha256_;
  uint64_t bytes_ = 0;
};

// The options of judging `staged` by the runner.
void judge_with_runner(judge::JudgeOptions& options, const StagedModel& staged);

// The result's "model" section: the model (its path, SHA-256 and size) and the runner that
// judged it (its version, library and SHA-256, from the result's plugin fields).
nlohmann::json model_json(const std::filesystem::path& model, const std::string& sha256, uint64_t bytes,
                          const judge::JudgeResult& result);

}  // namespace gauntlet::models
