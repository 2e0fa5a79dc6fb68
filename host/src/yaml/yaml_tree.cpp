#include "yaml/yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string_view>

namespace gauntlet::yaml {
namespace {

SourceLocation location_of(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return {file, 0, 0};
  return {file, mark.line + 1, mark.column + 1};
}

struct BadByte {
  std::size_t offset;
  std::string message;
};

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

// The first byte that keeps `s` from being UTF-8 text: NUL and other C0 controls (binary
// files), malformed, overlong or surrogate sequences.
std::optional<BadByte> find_non_text(std::string_view s, const std::string& kind) {
  const std::string tail = "; a " + kind + " file must be UTF-8 text";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == 0) return BadByte{i, "NUL byte (is this a binary file?)" + tail};
      if (c == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'))
        return BadByte{i, "a carriage return without a line feed (old Mac line ends?)" + tail};
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
        return BadByte{i, "control character " + hex_byte(c) + tail};
      ++i;
      continue;
    }
    std::size_t len = 0;
    uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, min = 0x10000;
    }
    bool ok = len != 0 && i + len <= s.size();
    uint32_t cp = c & (0x7fu >> len);
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = (b & 0xc0) == 0x80;
      cp = (cp << 6) | (b & 0x3fu);
    }
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return BadByte{i, "invalid UTF-8 byte " + hex_byte(c) + tail};
    i += len;
  }
  return std::nullopt;
}

// Files people pass by mistake, recognised by their first bytes: naming them says more than the
// first byte that is not text.
const char* binary_format(std::string_view s) {
  if (s.starts_with("\x7f"
                    "ELF"))
    return "an ELF binary (a compiled program or library)";
  if (s.starts_with("\x1f\x8b")) return "gzip-compressed data";
  if (s.starts_with("PK\x03\x04")) return "a zip archive";
  if (s.starts_with("\x89PNG")) return "a PNG image";
  return nullptr;
}

SourceLocation location_of_offset(const std::string& file, std::string_view text, std::size_t offset) {
  int line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') ++line, line_start = i + 1;
  return {file, line, static_cast<int>(offset - line_start) + 1};
}

// Builds the tree from parser events, refusing what a Gauntlet YAML file never needs.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const std::string& file, const std::string& kind, std::string_view text, Node& root)
      : file_(file), kind_(kind), text_(text), root_(root) {}

  const YAML::Mark& document_start() const { return document_start_; }

  void OnDocumentStart(const YAML::Mark& mark) override { document_start_ = mark; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { add(make(Kind::null, mark, anchor)); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fail(mark, "aliases (*name) are not allowed in " + kind_ + " files; write the value out");
  }
  void OnAnchor(const YAML::Mark& mark, const std::string& name) override {
    fail(mark, "anchors (&" + name + ") are not allowed in " + kind_ + " files; write the value out");
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node node = make(Kind::scalar, mark, anchor);
    check_closed_quote(node);
    node.value = value;
    node.plain = tag == "?";  // yaml-cpp's tag for untagged plain scalars ("!" when quoted)
    add(std::move(node));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    push(make(Kind::sequence, mark, anchor), style == YAML::EmitterStyle::Flow);
  }
  void OnSequenceEnd() override { pop(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    push(make(Kind::mapping, mark, anchor), style == YAML::EmitterStyle::Flow);
  }
  void OnMapEnd() override { pop(); }

  // The innermost flow collection ([...] or {...}) still open: where a syntax error inside
  // it should point when the parser gives up looking for its end.
  const Node* open_flow() const {
    for (std::size_t i = stack_.size(); i-- > 0;)
      if (flow_[i]) return &stack_[i];
    return nullptr;
  }

 private:
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    throw ConfigError(location_of(file_, mark), "", message);
  }

  // yaml-cpp 0.7 takes a quoted scalar that is never closed as running to the end of the file,
  // with every later line folded into it: the error would surface far away, as a strange value
  // or a missing key. Refuse it where the quote opens.
  void check_closed_quote(const Node& node) const {
    if (node.offset >= text_.size()) return;
    const char quote = text_[node.offset];
    if (quote != '"' && quote != '\'') return;
    for (std::size_t i = node.offset + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;  // an escape: the next character is not a closing quote
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;  // '' is an escaped ' inside a single-quoted string
          continue;
        }
        return;
      }
    }
    throw ConfigError(
        {file_, node.line, node.column}, "",
        std::string("YAML syntax error: the string opened here with ") + quote + " is never closed");
  }

  Node make(Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) fail(mark, "anchors (&name) are not allowed in " + kind_ + " files");
    if (++nodes_ > kMaxNodes)
      fail(mark, "more than " + std::to_string(kMaxNodes) + " YAML nodes; a " + kind_ + " file is small");
    Node node;
    node.kind = kind;
    node.line = mark.line + 1;
    node.column = mark.column + 1;
    node.offset = mark.pos < 0 ? 0 : static_cast<std::size_t>(mark.pos);
    return node;
  }

  // The check happens before yaml-cpp recurses any deeper: the parser descends one C++ stack
  // frame set per level, so refusing at level 65 bounds its recursion too.
  void push(Node node, bool flow) {
    if (stack_.size() >= kMaxDepth)
      throw ConfigError({file_, node.line, node.column}, "",
                        "nested deeper than " + std::to_string(kMaxDepth) + " levels");
    stack_.push_back(std::move(node));
    flow_.push_back(flow);
  }

  void pop() {
    Node node = std::move(stack_.back());
    stack_.pop_back();
    flow_.pop_back();
    add(std::move(node));
  }

  void add(Node node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Node& parent = stack_.back();
    // yaml-cpp marks an empty value (`id:` then a newline) at the next token, often on a
    // later line; the key is where the reader should look.
    if (node.kind == Kind::null && parent.kind == Kind::mapping && parent.children.size() % 2 == 1) {
      const Node& key = parent.children.back();
      if (node.line > key.line) {
        node.line = key.line;
        node.column = key.column;
        node.offset = key.offset;
      }
    }
    parent.children.push_back(std::move(node));
  }

  const std::string& file_;
  const std::string& kind_;
  std::string_view text_;
  Node& root_;
  std::vector<Node> stack_;
  std::vector<bool> flow_;  // per stack_ entry: written in flow style
  std::size_t nodes_ = 0;
  YAML::Mark document_start_;
};

// yaml-cpp's message for a syntax error, with what a person editing the file needs: where an
// unclosed bracket opened, and the usual cause of its terser messages.
ConfigError syntax_error(const std::string& file, std::string_view text, const YAML::Exception& e,
                         const TreeBuilder* builder) {
  const SourceLocation at = location_of(file, e.mark);
  const std::string prefix = "YAML syntax error: ";
  const bool seq_flow = e.msg == YAML::ErrorMsg::END_OF_SEQ_FLOW,
             map_flow = e.msg == YAML::ErrorMsg::END_OF_MAP_FLOW;
  if (seq_flow || map_flow) {
    const Node* open = builder ? builder->open_flow() : nullptr;
    if (open && open->kind == (seq_flow ? Kind::sequence : Kind::mapping)) {
      std::string where;
      if (at.line > 0)
        where =
            " (still open at line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ")";
      return ConfigError({file, open->line, open->column}, "",
                         prefix + "no '" + (seq_flow ? "]" : "}") + "' closes this '" +
                             (seq_flow ? "[" : "{") + "'" + where);
    }
  }
  const char here =
      e.mark.pos >= 0 && static_cast<std::size_t>(e.mark.pos) < text.size() ? text[e.mark.pos] : '\0';
  // yaml-cpp marks an unknown escape after it: point at its backslash.
  if (e.msg.starts_with(YAML::ErrorMsg::INVALID_ESCAPE) && at.column > 2 && e.mark.pos >= 2 &&
      static_cast<std::size_t>(e.mark.pos) <= text.size() && text[e.mark.pos - 2] == '\\')
    return ConfigError({file, at.line, at.column - 2}, "", prefix + e.msg);
  if (e.msg == YAML::ErrorMsg::MAP_VALUE)
    return ConfigError(at, "",
                       prefix +
                           "unexpected ':' (illegal map value): quote a value that holds ': ', or check "
                           "this line's indentation");
  if (e.msg == YAML::ErrorMsg::END_OF_MAP || e.msg == YAML::ErrorMsg::END_OF_SEQ)
    return ConfigError(at, "", prefix + e.msg + " (check this line's indentation)");
  if (e.msg == YAML::ErrorMsg::FLOW_END && (here == ']' || here == '}'))
    return ConfigError(at, "",
                       prefix + "unexpected '" + here + "': the brackets do not match (illegal flow end)");
  if (e.msg == YAML::ErrorMsg::UNKNOWN_TOKEN && (here == '@' || here == '`'))
    return ConfigError(at, "",
                       prefix + "a value cannot start with '" + here + "' (reserved in YAML): quote it");
  return ConfigError(at, "", prefix + e.msg);
}

}  // namespace

void check_file_size(const std::string& file, std::uintmax_t size, const std::string& kind) {
  if (size > kMaxFileBytes)
    throw ConfigError({file, 0, 0}, "",
                      "file is " + std::to_string(size) + " bytes, over the " +
                          std::to_string(kMaxFileBytes) + "-byte (1 MiB) limit for " + kind + " files");
}

Document parse_document(const std::string& file, std::string bytes, const std::string& kind) {
  check_file_size(file, bytes.size(), kind);
  // yaml-cpp skips a byte order mark but then counts positions without it; dropping it here
  // keeps node offsets aligned with `text`.
  if (bytes.starts_with("\xef\xbb\xbf")) bytes.erase(0, 3);
  if (const char* format = binary_format(bytes))
    throw ConfigError({file, 0, 0}, "",
                      std::string(format) + ", not YAML text; a " + kind + " file must be UTF-8 text");
  if (const auto bad = find_non_text(bytes, kind))
    throw ConfigError(location_of_offset(file, bytes, bad->offset), "", bad->message);

  Document doc;
  doc.text = std::move(bytes);
  std::istringstream in(doc.text);
  TreeBuilder builder(file, kind, doc.text, doc.root);
  Node second;
  TreeBuilder next(file, kind, doc.text, second);
  const TreeBuilder* active = &builder;
  try {
    YAML::Parser parser(in);
    if (!parser.HandleNextDocument(builder)) return doc;
    doc.empty = false;
    active = &next;
    if (parser.HandleNextDocument(next))
      throw ConfigError(location_of(file, next.document_start()), "",
                        "a second YAML document; a " + kind + " file holds exactly one");
  } catch (const YAML::Exception& e) {
    throw syntax_error(file, doc.text, e, active);
  }
  return doc;
}

}  // namespace gauntlet::yaml
