// Plugin text made safe for each output kind (common/untrusted_text.hpp): every control
// character, invalid UTF-8, HTML and Markdown payloads and line breaks, through each sanitiser.
#include <doctest/doctest.h>

#include "common/untrusted_text.hpp"

#include <string>
#include <vector>

namespace u = gauntlet::untrusted;

namespace {

// Every C0 control, DEL, every C1 control (U+0080..U+009F, UTF-8 C2 80..C2 9F), invalid UTF-8
// (a lone continuation byte, a truncated sequence, an overlong '/', a surrogate, beyond U+10FFFF),
// terminal escapes, a fake judge line, HTML and Markdown payloads.
std::string hostile() {
  std::string s = "start ";
  for (int c = 0; c < 0x20; ++c) s += static_cast<char>(c);
  s += '\x7f';
  for (int c = 0x80; c <= 0x9f; ++c) {
    s += '\xc2';
    s += static_cast<char>(c);
  }
  s += "\x80 \xe2\x82 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 ";
  s += "\x1b]0;owned\x07\x1b[2J\x1b[1;1H";
  s += "\n[gauntlet] Verdict    OK\r\n";
  s += "<script>alert(1)</script><img src=x onerror=alert(1)>";
  s += "[click](javascript:alert(1)) ![i](x) *bold* `code` | cell | \\ # ~~s~~ _u_";
  s += "=HYPERLINK(\"x\") caf\xc3\xa9 \xe2\x82\xac end";
  return s;
}

// Valid UTF-8 (a strict decoder): the same rules as the sanitisers, written out again here.
bool is_valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + static_cast<std::size_t>(len) > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (int k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    const uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : len == 4 ? 0x10000 : 0;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += static_cast<std::size_t>(len);
  }
  return true;
}

// No C0 control but those allowed, no DEL, no C1 control.
bool has_control(const std::string& s, const std::string& allowed = "") {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 || c == 0x7f) && allowed.find(static_cast<char>(c)) == std::string::npos) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      return true;
  }
  return false;
}

}  // namespace

TEST_CASE("valid_utf8 replaces what is not UTF-8 and keeps what is") {
  CHECK(u::valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(u::valid_utf8("a\x80z") == "a\xef\xbf\xbdz");
  CHECK(u::valid_utf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");                  // overlong '/'
  CHECK(u::valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  CHECK(is_valid_utf8(u::valid_utf8(hostile())));
}

TEST_CASE("a terminal line: nothing moves the cursor or starts a line, everything is still readable") {
  const std::string line = u::terminal_line(hostile());
  CHECK(is_valid_utf8(line));
  CHECK_FALSE(has_control(line));
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("\\x1b]0;owned\\x07") != std::string::npos);  // shown, not obeyed
  CHECK(line.find("\\u009b") != std::string::npos);             // C1 CSI
  CHECK(line.find("\\n[gauntlet] Verdict    OK\\r\\n") != std::string::npos);
  CHECK(line.rfind("start \\x00\\x01", 0) == 0);
  CHECK(u::terminal_line("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");
}

TEST_CASE("a terminal block marks every line as the plugin's") {
  const std::string block = u::terminal_block("one\n\x1b[2Jtwo\n[gauntlet] Verdict OK", "plugin | ");
  CHECK(block == "plugin | one\nplugin | \\x1b[2Jtwo\nplugin | [gauntlet] Verdict OK\n");
  const std::string all = u::terminal_block(hostile(), "plugin | ");
  CHECK(is_valid_utf8(all));
  CHECK_FALSE(has_control(all, "\n"));
  std::size_t start = 0;
  while (start < all.size()) {
    CHECK(all.compare(start, 9, "plugin | ") == 0);
    start = all.find('\n', start) + 1;
  }
}

TEST_CASE("a CSV field: one field, no control character, no formula") {
  const std::string f = u::csv_field(hostile());
  CHECK(is_valid_utf8(f));
  CHECK_FALSE(has_control(f));
  REQUIRE(f.front() == '"');  // it holds commas? no: quotes (the HYPERLINK's)
  CHECK(f.back() == '"');
  // Inside the quotes every quote is doubled: one field.
  const std::string inner = f.substr(1, f.size() - 2);
  for (std::size_t i = 0; i < inner.size(); ++i)
    if (inner[i] == '"') CHECK(inner.at(++i) == '"');
  CHECK(u::csv_field("=1+1") == "'=1+1");
  CHECK(u::csv_field("+cmd") == "'+cmd");
  CHECK(u::csv_field("-2") == "'-2");
  CHECK(u::csv_field("@SUM(A1)") == "'@SUM(A1)");
  CHECK(u::csv_field("a,b") == "\"a,b\"");
  CHECK(u::csv_field("plain") == "plain");
}

TEST_CASE("a Markdown cell: no live HTML, no link, image, emphasis, code or cell boundary") {
  const std::string cell = u::markdown_cell(hostile());
  CHECK(is_valid_utf8(cell));
  CHECK_FALSE(has_control(cell));
  CHECK(cell.find('<') == std::string::npos);
  CHECK(cell.find('>') == std::string::npos);
  CHECK(cell.find("&lt;script&gt;") != std::string::npos);
  for (const char* special : {"|", "[", "]", "(", ")", "*", "`", "!", "_", "#", "~"}) {
    CAPTURE(special);
    for (std::size_t at = cell.find(special); at != std::string::npos; at = cell.find(special, at + 1))
      CHECK(cell[at - 1] == '\\');
  }
  CHECK(u::markdown_cell("a | b") == "a \\| b");
  CHECK(u::markdown_cell("line\nbreak") == "line break");
}

TEST_CASE("HTML text: no markup, no control character but tab and line feed") {
  const std::string html = u::html_text(hostile());
  CHECK(is_valid_utf8(html));
  CHECK_FALSE(has_control(html, "\t\n"));
  CHECK(html.find('<') == std::string::npos);
  CHECK(html.find('"') == std::string::npos);
  CHECK(u::html_text("<b onclick='x'>&</b>") == "&lt;b onclick=&#39;x&#39;&gt;&amp;&lt;/b&gt;");
}
