// A streaming reader of delimited text (CSV, RFC 4180 quoting; TSV): a header row, then one
// sample per row. The file is read in blocks and each field is converted as it is met, so
// memory stays near the size of the tensors it fills, never the size of the text.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::formats {

struct CsvField {
  std::string_view text;     // unquoted, surrounding spaces removed
  int line = 0, column = 0;  // 1-based, where the field starts
};

struct CsvFormat {
  char delimiter = ',';  // ' ' means runs of spaces (whitespace-separated columns)
  int skip = 0;          // records ignored before the header (or the first row): notes, counts
  bool header = true;    // false: columns are named "0", "1", ... by position
};

// Fills `buffer` with up to `size` bytes of the file; returns how many (0 at its end).
using BlockReader = std::function<std::size_t(char* buffer, std::size_t size)>;

// Calls `header` once with the header row's fields (or the position names), then `row` for
// each data row (blank lines skipped). `name` starts every message:
// "<name>:line:column: ...". Throws DataError for an unclosed quote, text after a closing
// quote, a row with a field count other than the header's, a field over kMaxFieldBytes or
// more than kMaxColumns columns.
void read_delimited(const BlockReader& read, const std::string& name, const CsvFormat& format,
                    const std::function<void(const std::vector<CsvField>&)>& header,
                    const std::function<void(const std::vector<CsvField>&)>& row);

// A block reader over a file, gzip-compressed when it ends in .gz (zlib). Throws DataError.
BlockReader open_text_file(const std::string& path);

}  // namespace gauntlet::formats
