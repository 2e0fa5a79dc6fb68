// "Did you mean" suggestions for misspelled names (YAML keys, metric names, formula
// variables, team names): every layer that refuses a name offers the closest known one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet {

// Levenshtein distance, ASCII case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo (at most 2
// edits, and fewer than half of the name's length), else nothing. Ties go to the first.
[[nodiscard]] std::optional<std::string> closest_match(std::string_view name,
                                                       const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or "" (for appending to a message).
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace gauntlet
