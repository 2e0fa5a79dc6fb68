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

namespace {
std::string compose(const SourceLocation& where, const std::string& field, const std::string& message) {
  std::string s = format_location(where);
  s += ": error: ";
  if (!field.empty()) s += field + ": ";
  return s + message;
}
}  // namespace

ConfigError::ConfigError(SourceLocation where, std::string field, const std::string& message)
    : std::runtime_error(compose(where, field, message)),
      where_(std::move(where)),
      field_(std::move(field)),
      message_(message) {}

}  // namespace gauntlet
