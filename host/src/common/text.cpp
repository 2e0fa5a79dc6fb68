#include "common/text.hpp"

#include <cstdio>

namespace gauntlet {

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) s += separator;
    s += items[i];
  }
  return s;
}

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += i == 0 && shape[i] < 0 ? std::string("batch") : std::to_string(shape[i]);
  }
  return s + "]";
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace gauntlet
