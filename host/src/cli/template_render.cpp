#include "cli/template_render.hpp"

#include "common/errors.hpp"

#include <fstream>
#include <sstream>

namespace gauntlet::cli {
namespace {

bool key_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

}  // namespace

std::string render_template(std::string_view text, const std::map<std::string, std::string>& values,
                            const std::string& template_name) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('@', at);
    if (open == std::string_view::npos) break;
    std::size_t close = open + 1;
    while (close < text.size() && key_char(text[close])) ++close;
    const bool placeholder = close > open + 1 && close < text.size() && text[close] == '@' &&
                             text[open + 1] >= 'A' && text[open + 1] <= 'Z';
    if (!placeholder) {  // a lone '@' (make's $@, an e-mail address): text
      out.append(text.substr(at, open + 1 - at));
      at = open + 1;
      continue;
    }
    const std::string key(text.substr(open + 1, close - open - 1));
    const auto value = values.find(key);
    if (value == values.end()) {
      std::string message = "starter template ";
      message.append(template_name).append(": no value for @").append(key).append("@");
      throw Error(ErrorKind::failure, message);
    }
    out.append(text.substr(at, open - at)).append(value->second);
    at = close + 1;
  }
  out.append(text.substr(at));
  return out;
}

std::string read_template(const Installation& in, const std::string& name) {
  const std::filesystem::path file = in.templates_dir / name;
  std::ifstream stream(file, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  if (!stream || text.str().empty())
    throw EnvironmentError("the starter template " + file.string() +
                           " is missing: this gauntlet's installation is incomplete (cmake --install)");
  return text.str();
}

}  // namespace gauntlet::cli
