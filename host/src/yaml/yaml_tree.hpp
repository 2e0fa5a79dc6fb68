// Shared by the challenge and event layers: a hardened YAML reader. yaml-cpp's event parser feeds a
// small tree built here, so that hostile files are refused before they cost anything:
// non-UTF-8 or binary bytes, files over 1 MiB, nesting deeper than 64 levels (yaml-cpp 0.7
// recurses per level and only stops at 2000), and anchors/aliases (an alias bomb expands
// exponentially when walked). Every node keeps its 1-based line and column.
#pragma once

#include "common/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gauntlet::yaml {

inline constexpr std::size_t kMaxFileBytes = 1024 * 1024;
inline constexpr std::size_t kMaxDepth = 64;
inline constexpr std::size_t kMaxNodes = 100000;

enum class Kind { null, scalar, sequence, mapping };

struct Node {
  Kind kind = Kind::null;
  int line = 0, column = 0;    // 1-based
  std::size_t offset = 0;      // byte offset of the node's first character in Document::text
  std::string value;           // scalars
  bool plain = false;          // a scalar written without quotes, block indicator or tag
  std::vector<Node> children;  // sequence items; mapping entries as key, value, key, value, ...

  std::size_t size() const { return kind == Kind::mapping ? children.size() / 2 : children.size(); }
  const Node& key_at(std::size_t i) const { return children[2 * i]; }
  const Node& value_at(std::size_t i) const { return children[2 * i + 1]; }
};

struct Document {
  std::string text;   // the parsed text (the bytes without a UTF-8 byte order mark)
  bool empty = true;  // no document at all (empty or only comments)
  Node root;
};

// Throws ConfigError (line 0) when a file of `size` bytes is over kMaxFileBytes. `kind` names
// the kind of file in messages ("challenge", "event config").
void check_file_size(const std::string& file, std::uintmax_t size, const std::string& kind = "challenge");

// Parses `bytes` (the content of `file`, used in error locations). Throws ConfigError for a
// file over kMaxFileBytes, bytes that are not UTF-8 text, a YAML syntax error, nesting
// deeper than kMaxDepth, more than kMaxNodes nodes, anchors, aliases or several documents.
Document parse_document(const std::string& file, std::string bytes, const std::string& kind = "challenge");

}  // namespace gauntlet::yaml
