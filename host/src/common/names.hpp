// The rules for names a user writes that become folder names, ids and identifiers: one
// definition each, shared by the challenge and event loaders (and anything that checks a
// name given on the command line), so that a rule and its message cannot drift apart.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gauntlet {

inline constexpr std::size_t kMaxNameLength = 64;

// Challenge ids and event names: lower-case letters, digits, '-' and '_', starting with a
// letter or digit. They name folders and URLs, so they are case-free.
[[nodiscard]] bool is_valid_id(std::string_view name);
// Team names: letters, digits, '_', '-' and '.', starting with a letter or digit (they name
// folders; never "." or "..", which the first character already excludes).
[[nodiscard]] bool is_valid_team_name(std::string_view name);
// Tensor names: a C identifier (letters, digits and '_', not starting with a digit), as
// templates and plugins use them in code.
[[nodiscard]] bool is_valid_tensor_name(std::string_view name);

// Each rule as the loaders' messages state it: "expected <rule>, got ...".
std::string id_rule();
std::string team_name_rule();
std::string tensor_name_rule();

}  // namespace gauntlet
