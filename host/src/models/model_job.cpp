#include "models/model_job.hpp"

#include "common/file_check.hpp"
#include "common/sha256.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gauntlet::models {

namespace fs = std::filesystem;

bool is_model_path(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".onnx";
}

fs::path runner_library() {
  fs::path path;
  if (const char* env = std::getenv("GAUNTLET_ONNX_RUNNER"); env && *env) {
    path = env;
  } else {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    path = self.parent_path().parent_path() / GAUNTLET_RUNNER_DIR / "libonnx_runner.so";
  }
  if (!fs::is_regular_file(path))
    throw std::runtime_error("the ONNX runner is not installed next to this judge (" + path.string() + ")");
  return path;
}

StagedModel::StagedModel(const fs::path& model) {
  if (const std::optional<std::string> why = why_not_regular_file(model))
    throw std::runtime_error("the model " + model.string() + ": " + *why);
  std::ifstream in(model, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read the model " + model.string() + ": " + std::strerror(errno));
  const std::string bytes = s.str();
  sha256_ = sha256_hex(bytes);
  bytes_ = bytes.size();
  std::string name = (fs::temp_directory_path() / "gauntlet-model-XXXXXX").string();
  if (!::mkdtemp(name.data()))
    throw std::runtime_error(std::string("cannot make a folder for the model: ") + std::strerror(errno));
  dir_ = name;
  // Readable by the worker, whatever user its sandbox maps it to; the copy is the team's
  // model and nothing else.
  ::chmod(dir_.c_str(), 0755);
  std::ofstream out(dir_ / "model.onnx", std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw std::runtime_error("cannot copy the model into " + dir_.string());
  }
}

StagedModel::~StagedModel() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void judge_with_runner(judge::JudgeOptions& options, const StagedModel& staged) {
  options.plugin = runner_library();
  options.asset_dir = staged.asset_dir();
}

nlohmann::json model_json(const fs::path& model, const std::string& sha256, uint64_t bytes,
                          const judge::JudgeResult& result) {
  return nlohmann::json{{"path", model.string()},
                        {"sha256", sha256},
                        {"bytes", bytes},
                        {"runner",
                         {{"name", result.plugin ? result.plugin->name : ""},
                          {"version", result.plugin ? result.plugin->version : ""},
                          {"path", result.plugin_path},
                          {"sha256", result.plugin_sha256}}}};
}

}  // namespace gauntlet::models
