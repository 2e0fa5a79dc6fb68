#include "onnx_model/text.hpp"

namespace gauntlet::onnx_model {

std::string escaped(std::string_view name) {
  static constexpr std::size_t kMaxShown = 80;
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (i == kMaxShown) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string quoted(std::string_view name) {
  // append(), not "'" + s + "'": GCC 12 warns falsely (-Wrestrict) on the latter.
  std::string out(1, '\'');
  return out.append(escaped(name)).append(1, '\'');
}

std::string shape_text(const std::vector<int64_t>& shape, std::string_view symbolic) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += shape[i] < 0 ? std::string(symbolic) : std::to_string(shape[i]);
  }
  return out + "]";
}

std::string bytes_text(uint64_t bytes) {
  static const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  uint64_t whole = bytes;
  while (whole >= 1024 && unit < 6) {
    whole /= 1024;
    ++unit;
  }
  return std::to_string(whole) + " " + units[unit];
}

std::string one_line(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const char put = (c < 0x20 || c == 0x7f) ? ' ' : ch;
    if (put == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += put;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace gauntlet::onnx_model
