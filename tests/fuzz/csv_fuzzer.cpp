// libFuzzer target: the delimited-text reader (CSV, TSV). The first byte picks the delimiter
// (even: comma, odd: tab); the rest is the file. Every row handed on must have the header's
// field count, and every failure must be one DataError of one line.
#include "common/errors.hpp"
#include "formats/csv.hpp"
#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  std::size_t columns = 0;
  try {
    gauntlet::formats::read_delimited(
        in, "fuzz.csv", data[0] & 1 ? '\t' : ',',
        [&](const std::vector<gauntlet::formats::CsvField>& header) { columns = header.size(); },
        [&](const std::vector<gauntlet::formats::CsvField>& row) {
          if (row.size() != columns) std::abort();
          for (const auto& f : row)
            if (f.line < 1 || f.column < 1) std::abort();
        });
  } catch (const gauntlet::DataError& e) {
    gauntlet::fuzz::check_message(e.what());
  }
  return 0;
}
