// Small text helpers every layer's messages use: one of each, so that a list, a shape or a
// number reads the same in a YAML error, a data error and a leaderboard.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gauntlet {

// "a, b, c" (or with another separator).
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// "[batch, 1, 28, 28]": a negative first extent is the symbolic batch dimension.
std::string format_shape(const std::vector<int64_t>& shape);

// printf's %g: the shortest readable form of a number in a message ("0.5", "1e-06").
std::string format_number(double v);

}  // namespace gauntlet
