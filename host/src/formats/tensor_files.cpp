#include "formats/tensor_files.hpp"

#include "common/errors.hpp"

namespace gauntlet::formats {

std::vector<std::string> TensorFiles::set_names() const {
  if (sets.count("all")) return {"all"};
  return {"train", "test"};
}

std::vector<std::filesystem::path> TensorFiles::files() const {
  std::vector<std::filesystem::path> out;
  for (const auto& [set, tensors] : sets)
    for (const auto& [tensor, path] : tensors) out.push_back(path);
  return out;
}

nlohmann::json TensorFiles::canonical() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [set, tensors] : sets)
    for (const auto& [tensor, path] : tensors) j[set][tensor] = path.string();
  return j;
}

const std::filesystem::path& TensorFiles::file(const std::string& set, const std::string& tensor) const {
  for (const auto& [name, path] : sets.at(set))
    if (name == tensor) return path;
  throw DataError("no file for tensor '" + tensor + "' in set " + set);
}

Table TensorFilesConfig::read(const std::string& set, const std::vector<TensorWant>& want) const {
  Table t;
  for (const TensorWant& w : want) {
    const auto& path = files_.file(set, w.name);
    t.add(w.name, read_one(path, w), path.string());
  }
  return t;
}

TensorFiles parse_tensor_files(const SourceContext& ctx) {
  const yaml::FieldReader& r = ctx.reader;
  TensorFiles out;
  std::vector<std::string> names;
  for (const TensorWant& w : ctx.want) names.push_back(w.name);
  const yaml::Node* all = yaml::find_key(ctx.data, "all");
  const std::vector<std::string> sets =
      all ? std::vector<std::string>{"all"} : std::vector<std::string>{"train", "test"};
  if (all)
    for (const char* key : {"train", "test"})
      if (const yaml::Node* n = yaml::find_key(ctx.data, key))
        r.fail(*n, std::string("data.") + key, "give either data.all or data.train and data.test, not both");
  for (const std::string& set : sets) {
    const std::string field = "data." + set;
    const yaml::Node& map = r.required(ctx.data, "data", set, set == "train" ? " (or data.all)" : "");
    r.check_keys(map, field, names);
    for (const std::string& tensor : names) {
      std::string tensor_field = field;
      tensor_field.append(".").append(tensor);
      out.sets[set].emplace_back(
          tensor,
          ctx.path(r.required(map, field, tensor, " (a file for each input and the target)"), tensor_field));
    }
  }
  return out;
}

}  // namespace gauntlet::formats
