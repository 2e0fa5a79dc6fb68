#include "common/errors.hpp"

namespace gauntlet {

std::string format_location(const SourceLocation& where) {
  std::string s = where.file;
  if (where.line > 0) {
    // append() rather than `":" + to_string()`: the latter trips GCC 12's false -Wrestrict.
    s.append(":").append(std::to_string(where.line));
    if (where.column > 0) s.append(":").append(std::to_string(where.column));
  }
  return s;
}

std::string blank_control_chars(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return s;
}

std::string printable_line(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      const auto c1 = static_cast<unsigned char>(s[++i]);  // U+0080..U+009F, e.g. CSI
      out += "\\u00";
      out += hex[c1 >> 4];
      out += hex[c1 & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {
std::string compose(const SourceLocation& where, const std::string& field, const std::string& message) {
  std::string s = format_location(where);
  s += ": error: ";
  if (!field.empty()) s += field + ": ";
  return printable_line(s + message);
}
}  // namespace

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(printable_line(message)), kind_(kind) {}

DataError::DataError(const std::string& message) : Error(ErrorKind::bad_input, message) {}

ConfigError::ConfigError(SourceLocation where, std::string field, const std::string& message)
    : Error(ErrorKind::bad_input, compose(where, field, message)),
      where_(std::move(where)),
      field_(std::move(field)),
      message_(message) {}

int exit_code_for(const std::exception& e) {
  const auto* error = dynamic_cast<const Error*>(&e);
  return error && error->kind() == ErrorKind::bad_input ? kExitBadInput : kExitFailure;
}

}  // namespace gauntlet
