// Text of the runner's messages. Everything a model names (node, tensor, operator names) is
// quoted through quoted(): a model is untrusted bytes, and its names end up in one-line
// verdicts, terminal output and JSON.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::onnx_model {

// `name` with control characters, quotes, backslashes and bytes >= 0x7f escaped as \xNN, cut to
// 80 characters.
std::string escaped(std::string_view name);
// The same in single quotes: 'name'.
std::string quoted(std::string_view name);

// "[batch, 1, 28, 28]"-style text of a shape; -1 is written as `symbolic`.
std::string shape_text(const std::vector<int64_t>& shape, std::string_view symbolic = "batch");

// "8 GiB", "512 MiB", "12 KiB", "100 bytes".
std::string bytes_text(uint64_t bytes);

// One line: newlines and other control characters become spaces, runs of spaces collapse
// (messages of the ONNX library span several lines).
std::string one_line(std::string_view text);

// Concatenates anything streamable.
template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream s;
  (s << ... << args);
  return s.str();
}

}  // namespace gauntlet::onnx_model
