// Data sources: one reader of organizer files per format, behind one interface, found by
// name in a registry (registry.cpp). A source turns the `data:` section of challenge.yaml
// into a SourceConfig (its own keys, checked with located errors), and a SourceConfig reads
// sets of samples as named host tensors. Adding a format is one file plus its line in the
// registry and its tests.
#pragma once

#include "common/dtype.hpp"
#include "common/host_tensor.hpp"
#include "yaml/yaml_fields.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace gauntlet::formats {

// A tensor of the challenge interface that the data feeds (each input, then the target).
struct TensorWant {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> sample_shape;  // without the batch dimension
  bool target = false;
  // For image sources: a 3-D sample shape is [c, h, w] when true (the input's layout nchw),
  // else [h, w, c].
  bool channels_first = true;
};

// Named tensors of one set of samples, each [n, ...] in the reader's natural dtype (the data
// layer converts and preprocesses). `origin` names where each came from, for messages.
struct Table {
  std::vector<std::string> names;
  std::vector<HostTensor> tensors;
  std::vector<std::string> origin;
  // Class names, when the source found them (image folders, text files per class).
  std::vector<std::string> classes;

  void add(std::string name, HostTensor tensor, std::string from);
  const HostTensor* find(const std::string& name) const;
  std::string origin_of(const std::string& name) const;
  int64_t samples() const { return tensors.empty() ? 0 : tensors.front().samples(); }
};

class SourceConfig {
 public:
  virtual ~SourceConfig() = default;
  // {"train", "test"}, or {"all"} when one set is divided by the challenge's `data.holdout`.
  virtual std::vector<std::string> sets() const = 0;
  // One tensor per wanted name. Throws DataError naming the file and the defect.
  virtual Table read(const std::string& set, const std::vector<TensorWant>& want) const = 0;
  // The files read (their contents are hashed into result keys).
  virtual std::vector<std::filesystem::path> files() const = 0;
  // Every option as parsed, paths resolved: part of the canonical challenge.
  virtual nlohmann::json canonical() const = 0;
};

// What a source's parser sees: the `data` mapping, a reader for located errors, the folder
// relative paths are resolved against, and the interface tensors it must feed.
struct SourceContext {
  const yaml::FieldReader& reader;
  const yaml::Node& data;
  std::filesystem::path dir;
  std::vector<TensorWant> want;  // the inputs, then the target
  int schema = 2;

  std::filesystem::path path(const yaml::Node& n, const std::string& field) const;  // resolved, normalised
};

struct SourceEntry {
  std::string name;
  std::vector<std::string> keys;  // the data.* keys it reads, besides source, split and holdout
  std::string summary;
  std::shared_ptr<const SourceConfig> (*parse)(const SourceContext&) = nullptr;
};

const std::vector<SourceEntry>& source_registry();
const SourceEntry* find_source(const std::string& name);
std::vector<std::string> source_names();

}  // namespace gauntlet::formats
