// Shared by the fuzz targets: what every error message must be, whatever the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace gauntlet::fuzz {

// One line a terminal shows as it is: no newline and no control character (a quoted YAML
// "\e" or "\n" must not reach the terminal raw). A violation aborts, which libFuzzer reports
// with the input that caused it.
inline void check_message(std::string_view message) {
  for (const char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      std::fprintf(stderr, "message with control character 0x%02x: %.*s\n", c,
                   static_cast<int>(message.size()), message.data());
      std::abort();
    }
  }
  if (message.empty()) {
    std::fprintf(stderr, "empty error message\n");
    std::abort();
  }
}

}  // namespace gauntlet::fuzz
