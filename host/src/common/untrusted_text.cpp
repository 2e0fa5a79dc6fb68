#include "common/untrusted_text.hpp"

#include <cstdint>

namespace gauntlet::untrusted {
namespace {

constexpr const char* kReplacement = "\xef\xbf\xbd";  // U+FFFD
constexpr const char* kHex = "0123456789abcdef";

// Calls `on(code_point, bytes)` for each code point of `text`, with U+FFFD for what is not
// valid UTF-8 (one per invalid byte: resynchronises at once).
template <class On>
void each_code_point(std::string_view text, On on) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = p[i];
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    bool ok = len > 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      ok = (p[i + k] & 0xc0) == 0x80;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // No overlong forms, no surrogates, nothing past U+10FFFF.
    if (ok) {
      const uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : len == 4 ? 0x10000 : 0;
      ok = cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (!ok) {
      on(0xfffdu, std::string_view(kReplacement, 3));
      ++i;
      continue;
    }
    on(cp, text.substr(i, len));
    i += len;
  }
}

bool is_control(uint32_t cp) { return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f); }

// The HTML entity of a character that markup would read (both HTML and Markdown cells), or none.
const char* html_entity(uint32_t cp) {
  switch (cp) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&#39;";
    default:
      return nullptr;
  }
}

void escape_into(std::string& out, uint32_t cp) {
  if (cp == '\n') {
    out += "\\n";
  } else if (cp == '\r') {
    out += "\\r";
  } else if (cp == '\t') {
    out += "\\t";
  } else if (cp < 0x80) {
    out += "\\x";
    out += kHex[cp >> 4];
    out += kHex[cp & 15];
  } else {
    out += "\\u00";
    out += kHex[cp >> 4];
    out += kHex[cp & 15];
  }
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  each_code_point(text, [&](uint32_t, std::string_view bytes) { out += bytes; });
  return out;
}

std::string terminal_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  each_code_point(text, [&](uint32_t cp, std::string_view bytes) {
    if (is_control(cp))
      escape_into(out, cp);
    else
      out += bytes;
  });
  return out;
}

std::string terminal_block(std::string_view text, std::string_view prefix) {
  std::string out;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    out += prefix;
    out += terminal_line(text.substr(0, end));
    out += '\n';
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

std::string csv_field(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  each_code_point(text, [&](uint32_t cp, std::string_view bytes) {
    if (is_control(cp))
      clean += ' ';
    else
      clean += bytes;
  });
  // A spreadsheet reads a field starting with these as a formula.
  if (!clean.empty() && (clean[0] == '=' || clean[0] == '+' || clean[0] == '-' || clean[0] == '@'))
    clean.insert(0, 1, '\'');
  if (clean.find_first_of(",\"") == std::string::npos) return clean;
  std::string quoted = "\"";
  for (char c : clean) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  each_code_point(text, [&](uint32_t cp, std::string_view bytes) {
    if (const char* entity = html_entity(cp)) {
      out += entity;
      return;
    }
    switch (cp) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '{':
      case '}':
      case '[':
      case ']':
      case '(':
      case ')':
      case '#':
      case '+':
      case '-':
      case '!':
      case '|':
      case '~':
        out += '\\';
        out += static_cast<char>(cp);
        return;
      default:
        if (is_control(cp))
          out += ' ';
        else
          out += bytes;
    }
  });
  return out;
}

std::string html_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  each_code_point(text, [&](uint32_t cp, std::string_view bytes) {
    if (const char* entity = html_entity(cp)) {
      out += entity;
      return;
    }
    if (is_control(cp) && cp != '\t' && cp != '\n')
      out += ' ';
    else
      out += bytes;
  });
  return out;
}

}  // namespace gauntlet::untrusted
