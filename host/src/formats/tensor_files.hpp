// Shared by the sources that keep one file per tensor and set (npy, idx): `data.train` and
// `data.test` (or `data.all`, divided by the challenge's holdout) each map every interface
// tensor to its file.
#pragma once

#include "formats/source.hpp"

#include <map>
#include <string>
#include <vector>

namespace gauntlet::formats {

struct TensorFiles {
  std::map<std::string, std::vector<std::pair<std::string, std::filesystem::path>>>
      sets;  // set -> tensor -> file

  std::vector<std::string> set_names() const;
  std::vector<std::filesystem::path> files() const;
  nlohmann::json canonical() const;
  const std::filesystem::path& file(const std::string& set, const std::string& tensor) const;
};

TensorFiles parse_tensor_files(const SourceContext& ctx);

// A source of one file per tensor and set: it reads each file with read_one().
class TensorFilesConfig : public SourceConfig {
 public:
  TensorFiles files_;
  std::vector<std::string> sets() const override { return files_.set_names(); }
  std::vector<std::filesystem::path> files() const override { return files_.files(); }
  nlohmann::json canonical() const override { return files_.canonical(); }
  Table read(const std::string& set, const std::vector<TensorWant>& want) const override;

 protected:
  virtual HostTensor read_one(const std::filesystem::path& file, const TensorWant& want) const = 0;
};

}  // namespace gauntlet::formats
