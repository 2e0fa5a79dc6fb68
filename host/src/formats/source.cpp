#include "formats/source.hpp"

namespace gauntlet::formats {

void Table::add(std::string name, HostTensor tensor, std::string from) {
  names.push_back(std::move(name));
  tensors.push_back(std::move(tensor));
  origin.push_back(std::move(from));
}

const HostTensor* Table::find(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return &tensors[i];
  return nullptr;
}

std::string Table::origin_of(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return origin[i];
  return {};
}

std::filesystem::path SourceContext::path(const yaml::Node& n, const std::string& field) const {
  std::filesystem::path p = reader.non_empty_string(n, field);
  if (p.is_relative()) p = dir / p;
  return p.lexically_normal();
}

const SourceEntry* find_source(const std::string& name) {
  for (const SourceEntry& s : source_registry())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> source_names() {
  std::vector<std::string> names;
  for (const SourceEntry& s : source_registry()) names.push_back(s.name);
  return names;
}

}  // namespace gauntlet::formats
