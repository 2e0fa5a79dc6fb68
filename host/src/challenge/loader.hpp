// Private to the challenge layer: the loader's state, shared by the files that read each
// section (challenge_loader.cpp: top level, limits, timing, score; interface_fields.cpp;
// data_fields.cpp; metric_fields.cpp).
#pragma once

#include "challenge/challenge.hpp"
#include "yaml/yaml_fields.hpp"
#include "yaml/yaml_tree.hpp"

#include <string>
#include <vector>

namespace gauntlet::challenge_loader {

using yaml::Kind;
using yaml::Node;

// Sanity caps: far above any real challenge, low enough that no later computation (time
// conversions to nanoseconds, buffer sizes) can overflow.
inline constexpr double kMaxSeconds = 1e6;
inline constexpr int64_t kMaxBatch = int64_t{1} << 20;
inline constexpr int64_t kMaxExtent = int64_t{1} << 24;
inline constexpr int64_t kMaxSampleElements = int64_t{1} << 28;
inline constexpr std::size_t kMaxRank = 8;

// The interface tensors' nodes, kept for cross-checks that must point at a precise field.
struct TensorNodes {
  const Node* map = nullptr;
  const Node* dtype = nullptr;
  const Node* shape = nullptr;
  std::string path;
};

class Loader : public yaml::FieldReader {
 public:
  Loader(std::string file, const yaml::Document& doc) : FieldReader(std::move(file)), doc_(doc) {}

  Challenge load();

  // interface_fields.cpp
  void load_interface(const Node& root, Challenge& c);
  void load_schema1_preprocess(const Node& root, Challenge& c);
  // data_fields.cpp
  void load_data(const Node& root, Challenge& c);
  // metric_fields.cpp
  void load_metrics(const Node& root, Challenge& c);
  void load_score(const Node& root, Challenge& c);

 private:
  std::vector<int64_t> shape(const Node& n, const std::string& field) const;
  TensorSpec tensor(const Node& n, const std::string& path, DType default_dtype, TensorNodes& nodes) const;
  std::vector<TensorSpec> tensor_list(const Node& iface, const std::string& key, const char* what,
                                      std::vector<TensorNodes>& nodes) const;
  InputPreprocess input_preprocess(const Node& n, const std::string& path, const TensorSpec& spec) const;
  void check_task(const Node& root, Challenge& c);
  void load_limits(const Node& root, Challenge& c);
  void load_timing(const Node& root, Challenge& c);
  void load_plugin_config(const Node& root, Challenge& c);
  void check_formula(const Node& n, const std::string& field,
                     const std::vector<std::string>& variables) const;

  const yaml::Document& doc_;
  int schema_ = 2;
  std::vector<TensorNodes> input_nodes_, output_nodes_;
  TensorNodes target_nodes_;
  const Node* num_classes_node_ = nullptr;
};

}  // namespace gauntlet::challenge_loader
