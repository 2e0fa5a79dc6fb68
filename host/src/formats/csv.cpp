#include "formats/csv.hpp"

#include "common/errors.hpp"
#include "common/file_check.hpp"
#include "formats/limits.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace gauntlet::formats {
namespace {

constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The parser's state survives block boundaries: a field may start in one block and end in the
// next. A row's fields are appended to one buffer (`row_`, offsets in `starts_`), so a row costs
// no allocation once the buffer has grown; runs of ordinary bytes are copied in one go.
class Parser {
 public:
  Parser(const std::string& name, char delimiter) : name_(name), delim_(delimiter) {}

  [[noreturn]] void fail(int line, int column, const std::string& message) const {
    throw DataError(name_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message);
  }

  template <class Emit>
  void feed(std::string_view block, bool last, Emit&& emit) {
    for (std::size_t i = 0; i < block.size(); ++i) {
      const char c = block[i];
      if (quoted_) {
        if (c == '"') {
          if (i + 1 < block.size() ? block[i + 1] == '"' : false) {
            append('"');
            ++i, ++column_;
          } else if (i + 1 == block.size() && !last) {
            pending_quote_ = true;  // decided by the next block's first byte
            quoted_ = false;
          } else {
            quoted_ = false, after_quote_ = true;
          }
        } else {
          append(c);
          if (c == '\n') ++line_, column_ = 0;
        }
        ++column_;
        continue;
      }
      if (pending_quote_) {
        pending_quote_ = false;
        if (c == '"') {
          append('"');
          quoted_ = true;
          ++column_;
          continue;
        }
        after_quote_ = true;
      }
      if (c == delim_) {
        if (delim_ == ' ' && field_empty() && !was_quoted_) {  // a run of spaces is one separator
          ++column_;
          continue;
        }
        end_field();
      } else if (c == '\n') {
        end_field();
        end_row(emit);
        ++line_, column_ = 0;
      } else if (c == '"' && field_empty() && !after_quote_ && blank_so_far_) {
        quoted_ = true, was_quoted_ = true;
        field_line_ = line_, field_column_ = column_;
      } else if (after_quote_ && c != ' ' && c != '\r') {
        fail(line_, column_, "text after the closing quote of a field");
      } else {
        // The run of ordinary bytes from here, copied at once.
        std::size_t j = i + 1;
        while (j < block.size() && block[j] != delim_ && block[j] != '\n' && block[j] != '"') ++j;
        if (field_empty()) field_line_ = line_, field_column_ = column_;
        append_run(block.substr(i, j - i));
        for (std::size_t k = i; k < j && blank_so_far_; ++k) blank_so_far_ = block[k] == ' ';
        column_ += static_cast<int>(j - i - 1);
        i = j - 1;
      }
      ++column_;
    }
    if (last) {
      if (quoted_) fail(field_line_, field_column_, "a quoted field is never closed");
      if (pending_quote_) after_quote_ = true;
      if (!starts_.empty() || !field_empty() || was_quoted_) {
        end_field();
        end_row(emit);
      }
    }
  }

 private:
  bool field_empty() const { return row_.size() == field_start_; }
  void append(char c) {
    if (field_empty() && !was_quoted_) field_line_ = line_, field_column_ = column_;
    if (row_.size() - field_start_ >= kMaxFieldBytes) fail(field_line_, field_column_, "a field over 1 MiB");
    row_.push_back(c);
  }
  void append_run(std::string_view run) {
    if (row_.size() - field_start_ + run.size() > kMaxFieldBytes)
      fail(field_line_, field_column_, "a field over 1 MiB");
    row_.append(run);
  }
  void end_field() {
    if (starts_.size() >= kMaxColumns) fail(line_, column_, "more than 65536 columns");
    starts_.push_back(field_start_);
    fields_.push_back({{}, field_line_ ? field_line_ : line_, field_column_ ? field_column_ : column_});
    quoted_flags_.push_back(was_quoted_);
    field_start_ = row_.size();
    field_line_ = field_column_ = 0;
    quoted_ = after_quote_ = was_quoted_ = false;
    blank_so_far_ = true;
  }
  template <class Emit>
  void end_row(Emit&& emit) {
    starts_.push_back(row_.size());
    for (std::size_t i = 0; i < fields_.size(); ++i)
      fields_[i].text = trim(std::string_view(row_).substr(starts_[i], starts_[i + 1] - starts_[i]));
    const bool blank = fields_.size() == 1 && fields_[0].text.empty() && !quoted_flags_[0];
    if (!blank) emit(fields_);
    fields_.clear();
    starts_.clear();
    quoted_flags_.clear();
    row_.clear();
    field_start_ = 0;
  }

  const std::string& name_;
  char delim_;
  int line_ = 1, column_ = 1;
  int field_line_ = 0, field_column_ = 0;
  bool quoted_ = false, after_quote_ = false, was_quoted_ = false, pending_quote_ = false,
       blank_so_far_ = true;
  std::string row_;                  // the row's field bytes, one after another
  std::size_t field_start_ = 0;      // where the current field starts in row_
  std::vector<std::size_t> starts_;  // where each finished field starts in row_
  std::vector<bool> quoted_flags_;
  std::vector<CsvField> fields_;
};

}  // namespace

void read_delimited(const BlockReader& read, const std::string& name, const CsvFormat& format,
                    const std::function<void(const std::vector<CsvField>&)>& header,
                    const std::function<void(const std::vector<CsvField>&)>& row) {
  Parser parser(name, format.delimiter);
  std::size_t columns = 0;
  bool seen_header = false;
  int skipped = 0;
  std::vector<std::string> positions;
  auto emit = [&](const std::vector<CsvField>& fields) {
    if (skipped < format.skip) {
      ++skipped;
      return;
    }
    if (!seen_header) {
      seen_header = true;
      columns = fields.size();
      if (format.header) {
        header(fields);
        return;
      }
      std::vector<CsvField> names(fields.size());
      positions.resize(fields.size());
      for (std::size_t i = 0; i < fields.size(); ++i) {
        positions[i] = std::to_string(i);
        names[i] = {positions[i], fields[i].line, fields[i].column};
      }
      header(names);
    }
    if (fields.size() != columns)
      parser.fail(
          fields.front().line, 1,
          "a row of " + std::to_string(fields.size()) + " fields; the header has " + std::to_string(columns));
    row(fields);
  };
  std::string block(kBlockBytes, '\0');
  while (true) {
    std::size_t got = 0;
    while (got < block.size()) {  // a full block unless the file ends: `last` means the end
      const std::size_t n = read(block.data() + got, block.size() - got);
      if (n == 0) break;
      got += n;
    }
    const bool last = got < block.size();
    parser.feed(std::string_view(block.data(), got), last, emit);
    if (last) break;
  }
  if (!seen_header) throw DataError(name + ":1:1: an empty file: expected a header row");
}

BlockReader open_text_file(const std::string& path) {
  if (const std::optional<std::string> why = why_not_regular_file(path)) throw DataError(path + ": " + *why);
  errno = 0;
  gzFile f = gzopen(path.c_str(), "rb");  // reads plain files as they are
  if (!f) throw DataError(path + ": cannot open: " + (errno ? std::strerror(errno) : "out of memory"));
  std::shared_ptr<gzFile_s> file(f, [](gzFile g) { gzclose(g); });
  return [file, path](char* buffer, std::size_t size) -> std::size_t {
    const int n = gzread(file.get(), buffer, static_cast<unsigned>(std::min<std::size_t>(size, 1u << 30)));
    if (n < 0) {
      int err = 0;
      throw DataError(path + ": corrupt or truncated gzip stream: " + gzerror(file.get(), &err) + " (zlib)");
    }
    return static_cast<std::size_t>(n);
  };
}

}  // namespace gauntlet::formats
