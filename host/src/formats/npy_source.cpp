// Sources `npy` (one .npy file per tensor and set, tensor_files.hpp) and `npz` (one archive
// per set holding an array per tensor, named as the tensor unless `data.arrays` maps them).
#include "formats/npy.hpp"
#include "formats/source.hpp"
#include "formats/tensor_files.hpp"

namespace gauntlet::formats {
namespace {

class NpyConfig final : public TensorFilesConfig {
  HostTensor read_one(const std::filesystem::path& file, const TensorWant&) const override {
    return read_npy(file);
  }
};

class NpzConfig final : public SourceConfig {
 public:
  std::map<std::string, std::filesystem::path> archives;  // set -> file
  std::map<std::string, std::string> arrays;              // tensor -> array name
  std::vector<std::string> sets() const override {
    return archives.count("all") ? std::vector<std::string>{"all"}
                                 : std::vector<std::string>{"train", "test"};
  }
  std::vector<std::filesystem::path> files() const override {
    std::vector<std::filesystem::path> out;
    for (const auto& [set, file] : archives) out.push_back(file);
    return out;
  }
  nlohmann::json canonical() const override {
    nlohmann::json j = {{"arrays", arrays}};
    for (const auto& [set, file] : archives) j[set] = file.string();
    return j;
  }
  Table read(const std::string& set, const std::vector<TensorWant>& want) const override {
    Table t;
    const auto& file = archives.at(set);
    for (const TensorWant& w : want) {
      const auto it = arrays.find(w.name);
      const std::string array = it == arrays.end() ? w.name : it->second;
      t.add(w.name, read_npz_array(file, array), file.string() + "[" + array + ".npy]");
    }
    return t;
  }
};

}  // namespace

std::shared_ptr<const SourceConfig> parse_npy(const SourceContext& ctx) {
  auto c = std::make_shared<NpyConfig>();
  c->files_ = parse_tensor_files(ctx);
  return c;
}

std::shared_ptr<const SourceConfig> parse_npz(const SourceContext& ctx) {
  const yaml::FieldReader& r = ctx.reader;
  auto c = std::make_shared<NpzConfig>();
  if (const yaml::Node* all = yaml::find_key(ctx.data, "all")) {
    c->archives["all"] = ctx.path(*all, "data.all");
  } else {
    c->archives["train"] = ctx.path(r.required(ctx.data, "data", "train", " (or data.all)"), "data.train");
    c->archives["test"] = ctx.path(r.required(ctx.data, "data", "test"), "data.test");
  }
  if (const yaml::Node* arrays = yaml::find_key(ctx.data, "arrays")) {
    std::vector<std::string> names;
    for (const TensorWant& w : ctx.want) names.push_back(w.name);
    r.check_keys(*arrays, "data.arrays", names);
    for (std::size_t i = 0; i < arrays->size(); ++i)
      c->arrays[arrays->key_at(i).value] =
          r.non_empty_string(arrays->value_at(i), "data.arrays." + arrays->key_at(i).value);
  }
  return c;
}

}  // namespace gauntlet::formats
