// A plain-text table for terminals: columns sized to their content, numbers right-aligned.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace gauntlet::report {

class TextTable {
 public:
  enum class Align { left, right };
  explicit TextTable(std::vector<std::string> headers, std::vector<Align> align = {});
  void add_row(std::vector<std::string> cells);
  void print(std::ostream& out, const std::string& indent = "") const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

// Fixed-point formatting helper: format_number(0.87654, 4) == "0.8765".
std::string format_number(double value, int decimals);

}  // namespace gauntlet::report
