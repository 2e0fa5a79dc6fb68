// The starter project's templates (sdk/templates/*.in, installed under share/gauntlet/templates):
// text with @KEY@ placeholders, the syntax CMake's configure_file uses for the package files.
#pragma once

#include "cli/installation.hpp"

#include <map>
#include <string>
#include <string_view>

namespace gauntlet::cli {

// `text` with every @KEY@ (upper-case letters, digits, '_') replaced by its value, in one pass:
// a value is never scanned again, so a team name holding "@ID@" stays as it is. A placeholder
// without a value is a bug of the template: Error (failure) naming `template_name` and the key.
[[nodiscard]] std::string render_template(std::string_view text,
                                          const std::map<std::string, std::string>& values,
                                          const std::string& template_name);

// The template `name` of this installation (or build tree). Throws EnvironmentError when the
// templates are not where `gauntlet` expects them.
[[nodiscard]] std::string read_template(const Installation& in, const std::string& name);

}  // namespace gauntlet::cli
