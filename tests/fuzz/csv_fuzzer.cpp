// libFuzzer target: the delimited-text reader (CSV, TSV). The first byte picks the delimiter
// (bits 0-1), one skipped record (bit 2) and no header (bit 3); the rest is the file. Every row handed on
// must have the header's field count, and every failure must be one DataError of one line.
#include "common/errors.hpp"
#include "formats/csv.hpp"
#include "fuzz_check.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::size_t at = 0, columns = 0;
  // Small blocks, so that fields, quotes and line ends straddle block boundaries.
  const gauntlet::formats::BlockReader read = [&](char* buffer, std::size_t want) {
    const std::size_t n = std::min({want, text.size() - at, std::size_t{7}});
    std::memcpy(buffer, text.data() + at, n);
    at += n;
    return n;
  };
  static const char kDelimiters[] = {',', '\t', ' ', ';'};
  const gauntlet::formats::CsvFormat format{kDelimiters[data[0] & 3], (data[0] >> 2) & 1, (data[0] & 8) == 0};
  try {
    gauntlet::formats::read_delimited(
        read, "fuzz.csv", format,
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
