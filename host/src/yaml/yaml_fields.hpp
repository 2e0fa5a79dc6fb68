// Typed, located access to the fields of a parsed YAML document (yaml_tree.hpp), shared by
// the challenge and event loaders so that a wrong field reads the same in both: one
// ConfigError at the field's line:column, saying what was expected and what was found.
#pragma once

#include "common/errors.hpp"
#include "common/text.hpp"
#include "yaml/yaml_tree.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet::yaml {

// Reads a YAML file for parse_document(): refuses what is not a regular file, and a file
// over kMaxFileBytes before reading a byte. `kind` names the file in messages.
std::string read_file(const std::filesystem::path& file, const std::string& kind);

// Message helpers ---------------------------------------------------------------------------

[[nodiscard]] std::optional<double> parse_double(std::string_view s);  // finite decimal numbers only

template <typename Int>
[[nodiscard]] std::optional<Int> parse_integer(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  Int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// The number a plain scalar node spells (quoted scalars are strings, never numbers).
template <typename Int>
[[nodiscard]] std::optional<Int> plain_integer(const Node& n) {
  return n.kind == Kind::scalar && n.plain ? parse_integer<Int>(n.value) : std::nullopt;
}
[[nodiscard]] std::optional<double> plain_number(const Node& n);

std::string excerpt(const std::string& value);  // short, on one line, whole UTF-8 characters
// What a node is, for "expected X, got Y": plain numbers as written, other plain scalars in
// single quotes, quoted scalars in double quotes (they are strings).
std::string describe(const Node& n);
std::string got(const Node& n);  // describe(), plus "(quoted, so a string)" for a quoted number
[[nodiscard]] bool contains(const std::vector<std::string>& names, std::string_view name);
std::string child_path(const std::string& path, std::string_view key);  // "a.b"
std::string item_path(const std::string& path, std::size_t i);          // "a[3]"
const Node* find_key(const Node& map, std::string_view key);

// Typed fields ------------------------------------------------------------------------------

enum class Bound { any, non_zero, positive, non_negative, fraction };
inline constexpr int64_t kNoMax = std::numeric_limits<int64_t>::max();

class FieldReader {
 public:
  explicit FieldReader(std::string file) : file_(std::move(file)) {}

  SourceLocation at(const Node& n) const { return {file_, n.line, n.column}; }
  [[noreturn]] void fail(const Node& n, const std::string& field, const std::string& message) const {
    throw ConfigError(at(n), field, message);
  }

  void expect_mapping(const Node& n, const std::string& path) const;
  // `map` is a mapping whose keys are scalars, each once and each one of `known` (else a
  // did-you-mean). `other_known` are keys valid elsewhere, refused with `other_why`.
  void check_keys(const Node& map, const std::string& path, const std::vector<std::string>& known,
                  const std::vector<std::string>& other_known = {}, const std::string& other_why = "") const;
  const Node& mapping(const Node& n, const std::string& path, const std::vector<std::string>& known) const {
    check_keys(n, path, known);
    return n;
  }
  const Node& required(const Node& map, const std::string& path, std::string_view key,
                       const std::string& why = "") const;
  // The document's `schema` key, checked first: under another version every other key may
  // mean something else.
  // Versions oldest..version are read; the one found is returned.
  int check_schema(const Node& root, int version, int oldest = 0) const;

  std::string string(const Node& n, const std::string& field) const;
  std::string non_empty_string(const Node& n, const std::string& field) const;
  double number(const Node& n, const std::string& field, Bound bound, double max = HUGE_VAL) const;
  // `min_name` / `max_name` name a bound that comes from another field (e.g. num_classes).
  int64_t integer(const Node& n, const std::string& field, int64_t min, int64_t max = kNoMax,
                  const std::string& min_name = "", const std::string& max_name = "") const;
  uint64_t seed(const Node& n, const std::string& field) const;
  [[nodiscard]] bool boolean(const Node& n, const std::string& field) const;
  std::string choice(const Node& n, const std::string& field, const std::vector<std::string>& options) const;

 protected:
  std::string file_;
};

}  // namespace gauntlet::yaml
