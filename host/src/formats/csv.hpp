// A streaming reader of delimited text (CSV, RFC 4180 quoting; TSV): a header row, then one
// sample per row. The file is read in blocks and each field is converted as it is met, so
// memory stays near the size of the tensors it fills, never the size of the text.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::formats {

struct CsvField {
  std::string_view text;     // unquoted, surrounding spaces removed
  int line = 0, column = 0;  // 1-based, where the field starts
};

// Calls `header` once with the header row's fields, then `row` for each data row (blank lines
// skipped). `name` starts every message: "<name>:line:column: ...". Throws DataError for an
// unclosed quote, text after a closing quote, a row with a field count other than the
// header's, a field over kMaxFieldBytes or more than kMaxColumns columns.
void read_delimited(std::istream& in, const std::string& name, char delimiter,
                    const std::function<void(const std::vector<CsvField>&)>& header,
                    const std::function<void(const std::vector<CsvField>&)>& row);

}  // namespace gauntlet::formats
