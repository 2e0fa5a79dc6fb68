// Text that came from a plugin (its last_error(), its info strings, its stdout and stderr),
// made safe for each place it is shown. One function per output kind, applied where the text is
// written out, never earlier: results keep the text as it was (JSON escapes it by itself).
//
// What a hostile plugin tries: terminal escapes that retitle, clear or rewrite the organizer's
// screen, fake judge lines ("[gauntlet] Verdict OK") after a line break, formulas for the
// spreadsheet a CSV is opened in, live HTML in a Markdown file, bytes that are not UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace gauntlet::untrusted {

// The text as valid UTF-8: every invalid or overlong sequence becomes U+FFFD.
std::string valid_utf8(std::string_view text);

// One terminal line: valid UTF-8, every control character (C0, DEL, and the C1 range U+0080 to
// U+009F, which some terminals obey too) and every line break shown escaped (\n, \r, \xNN,
// \u00NN). Nothing in it can move the cursor or start a new line.
std::string terminal_line(std::string_view text);

// Several lines of a plugin's output on a terminal: each line escaped as terminal_line() and
// preceded by `prefix` (e.g. "plugin | "), so that none can pass for the judge's own output.
std::string terminal_block(std::string_view text, std::string_view prefix);

// One CSV field: valid UTF-8, control characters and line breaks as spaces, a leading = + - @
// (a formula to a spreadsheet) preceded by an apostrophe, quoted when it holds , or ".
std::string csv_field(std::string_view text);

// One Markdown table cell: valid UTF-8, control characters and line breaks as spaces, HTML
// (& < > " ') as entities and every Markdown special character backslash-escaped, so that
// nothing renders as a link, an image, emphasis, code or a table boundary.
std::string markdown_cell(std::string_view text);

// HTML text or attribute content: valid UTF-8, & < > " ' as entities, control characters
// (but tab and line feed) as spaces.
std::string html_text(std::string_view text);

}  // namespace gauntlet::untrusted
