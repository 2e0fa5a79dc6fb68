#include "common/names.hpp"

#include <algorithm>
#include <cctype>

namespace gauntlet {
namespace {

bool lower_or_digit(char c) {
  return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c));
}
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)); }

}  // namespace

bool is_valid_id(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength && lower_or_digit(name[0]) &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return lower_or_digit(c) || c == '-' || c == '_'; });
}

bool is_valid_team_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength && alnum(name[0]) &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return alnum(c) || c == '_' || c == '-' || c == '.'; });
}

bool is_valid_tensor_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength &&
         (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
         std::all_of(name.begin(), name.end(), [](char c) { return alnum(c) || c == '_'; });
}

std::string id_rule() {
  return "lower-case letters, digits, '-' and '_', starting with a letter or digit (at most " +
         std::to_string(kMaxNameLength) + " characters)";
}

std::string team_name_rule() {
  return "letters, digits, '_', '-' and '.' (starting with a letter or digit, at most " +
         std::to_string(kMaxNameLength) + " characters; it names folders)";
}

std::string tensor_name_rule() {
  return "a name of letters, digits and '_' (not starting with a digit, at most " +
         std::to_string(kMaxNameLength) + " characters)";
}

}  // namespace gauntlet
