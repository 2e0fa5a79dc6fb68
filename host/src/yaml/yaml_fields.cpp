#include "yaml/yaml_fields.hpp"

#include "common/file_check.hpp"
#include "common/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

namespace gauntlet::yaml {

namespace fs = std::filesystem;

std::string read_file(const fs::path& file, const std::string& kind) {
  const std::string name = file.string();
  std::error_code ec;
  if (!fs::is_regular_file(fs::status(file, ec)))
    throw ConfigError({name, 0, 0}, "", why_not_regular_file(file).value_or("not a regular file"));
  const auto size = fs::file_size(file, ec);
  if (ec) throw ConfigError({name, 0, 0}, "", "cannot read: " + ec.message());
  check_file_size(name, size, kind);  // before reading: never load a huge file into memory

  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError({name, 0, 0}, "", std::string("cannot read: ") + std::strerror(errno));
  // One byte over the cap, so that a file that grew since file_size() is still refused.
  std::string bytes(kMaxFileBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) throw ConfigError({name, 0, 0}, "", "cannot read: I/O error");
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

std::optional<double> parse_double(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  // from_chars would also take "inf" and "nan"; a config number is always finite.
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.'))
    return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<double> plain_number(const Node& n) {
  return n.kind == Kind::scalar && n.plain ? parse_double(n.value) : std::nullopt;
}

std::string excerpt(const std::string& value) {
  std::string s;
  for (const char c : value) s += c == '\n' ? std::string("\\n") : std::string(1, c);
  if (s.size() > 40) {
    std::size_t cut = 37;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;  // keep UTF-8 whole
    s = s.substr(0, cut) + "...";
  }
  return s;
}

std::string describe(const Node& n) {
  switch (n.kind) {
    case Kind::null:
      return "null";
    case Kind::sequence:
      return "a sequence";
    case Kind::mapping:
      return "a mapping";
    case Kind::scalar:
      break;
  }
  if (parse_double(n.value) && n.plain) return n.value;
  // Appended, not `"'" + excerpt() + "'"`: that trips GCC 12's false -Wrestrict.
  const char quote = n.plain ? '\'' : '"';
  std::string s(1, quote);
  s.append(excerpt(n.value)).push_back(quote);
  return s;
}

std::string got(const Node& n) {
  std::string s = describe(n);
  if (n.kind == Kind::scalar && !n.plain && parse_double(n.value)) s += " (quoted, so a string)";
  return s;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string item_path(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

const Node* find_key(const Node& map, std::string_view key) {
  for (std::size_t i = 0; i < map.size(); ++i)
    if (map.key_at(i).kind == Kind::scalar && map.key_at(i).value == key) return &map.value_at(i);
  return nullptr;
}

void FieldReader::expect_mapping(const Node& n, const std::string& path) const {
  if (n.kind != Kind::mapping) fail(n, path, "expected a mapping, got " + describe(n));
}

void FieldReader::check_keys(const Node& map, const std::string& path, const std::vector<std::string>& known,
                             const std::vector<std::string>& other_known,
                             const std::string& other_why) const {
  expect_mapping(map, path);
  std::set<std::string> seen;
  for (std::size_t i = 0; i < map.size(); ++i) {
    const Node& key = map.key_at(i);
    if (key.kind != Kind::scalar) fail(key, path, "expected a key name, got " + describe(key));
    const std::string field = child_path(path, key.value);
    if (!seen.insert(key.value).second) fail(key, field, "duplicate key '" + key.value + "'");
    if (contains(known, key.value)) continue;
    if (contains(other_known, key.value)) fail(key, field, "'" + key.value + "' " + other_why);
    const std::string suggestion = did_you_mean(key.value, known);
    fail(key, field,
         "unknown key '" + excerpt(key.value) + "'" +
             (suggestion.empty() ? "; expected one of: " + join(known) : suggestion));
  }
}

const Node& FieldReader::required(const Node& map, const std::string& path, std::string_view key,
                                  const std::string& why) const {
  if (const Node* v = find_key(map, key)) return *v;
  fail(map, child_path(path, key), "missing required key '" + std::string(key) + "'" + why);
}

std::string FieldReader::string(const Node& n, const std::string& field) const {
  if (n.kind != Kind::scalar) fail(n, field, "expected a string, got " + describe(n));
  return n.value;
}

std::string FieldReader::non_empty_string(const Node& n, const std::string& field) const {
  if (n.kind != Kind::scalar || std::all_of(n.value.begin(), n.value.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c));
      }))
    fail(n, field, "expected a non-empty string, got " + describe(n));
  return n.value;
}

double FieldReader::number(const Node& n, const std::string& field, Bound bound, double max) const {
  const char* what = "a number";
  switch (bound) {
    case Bound::any:
      break;
    case Bound::non_zero:
      what = "a non-zero number";
      break;
    case Bound::positive:
      what = "a number > 0";
      break;
    case Bound::non_negative:
      what = "a number >= 0";
      break;
    case Bound::fraction:
      what = "a number in (0, 1)";
      break;
  }
  const auto v = plain_number(n);
  const bool ok = v && (bound != Bound::non_zero || *v != 0) && (bound != Bound::positive || *v > 0) &&
                  (bound != Bound::non_negative || *v >= 0) &&
                  (bound != Bound::fraction || (*v > 0 && *v < 1));
  if (!ok) fail(n, field, std::string("expected ") + what + ", got " + got(n));
  if (*v > max) fail(n, field, "expected at most " + format_number(max) + ", got " + n.value);
  return *v;
}

int FieldReader::check_schema(const Node& root, int version, int oldest) const {
  if (oldest == 0) oldest = version;
  std::string reads = "this gauntlet reads schema " + std::to_string(version);
  if (oldest != version)
    reads = "this gauntlet reads schemas " + std::to_string(oldest) + " to " + std::to_string(version);
  const Node* schema = find_key(root, "schema");
  if (!schema) fail(root, "schema", "missing required key 'schema' (" + reads + ")");
  const auto v = plain_integer<int64_t>(*schema);
  if (!v || *v < oldest || *v > version)
    fail(*schema, "schema", "unsupported schema version " + describe(*schema) + "; " + reads);
  return static_cast<int>(*v);
}

int64_t FieldReader::integer(const Node& n, const std::string& field, int64_t min, int64_t max,
                             const std::string& min_name, const std::string& max_name) const {
  const auto v = plain_integer<int64_t>(n);
  if (!v || *v < min) {
    std::string what = min == 1 ? "an integer > 0" : "an integer >= " + std::to_string(min);
    if (!min_name.empty()) what = "an integer >= " + min_name + " (" + std::to_string(min) + ")";
    fail(n, field, "expected " + what + ", got " + got(n));
  }
  if (*v > max)
    fail(n, field,
         "expected at most " +
             (max_name.empty() ? std::to_string(max) : std::to_string(max) + " (" + max_name + ")") +
             ", got " + n.value);
  return *v;
}

uint64_t FieldReader::seed(const Node& n, const std::string& field) const {
  const auto v = plain_integer<uint64_t>(n);
  if (!v) fail(n, field, "expected an integer in [0, 2^64), got " + got(n));
  return *v;
}

bool FieldReader::boolean(const Node& n, const std::string& field) const {
  if (n.kind == Kind::scalar && n.plain) {
    if (n.value == "true" || n.value == "True" || n.value == "TRUE") return true;
    if (n.value == "false" || n.value == "False" || n.value == "FALSE") return false;
  }
  fail(n, field, "expected true or false, got " + got(n));
}

std::string FieldReader::choice(const Node& n, const std::string& field,
                                const std::vector<std::string>& options) const {
  if (n.kind == Kind::scalar && contains(options, n.value)) return n.value;
  std::string message = "expected one of: " + join(options) + "; got " + describe(n);
  if (n.kind == Kind::scalar) message += did_you_mean(n.value, options);
  fail(n, field, message);
}

}  // namespace gauntlet::yaml
