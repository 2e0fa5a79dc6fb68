// Shared by `gauntlet run` and `gauntlet leaderboard`: a leaderboard built from the store
// (one split only) and its default outputs.
#pragma once

#include "event/event_config.hpp"
#include "leaderboard/build.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace gauntlet::cli {

// Reads the split's records (and only that split's) and ranks them. Throws std::runtime_error.
leaderboard::Leaderboard load_leaderboard(const std::filesystem::path& store,
                                          const nlohmann::json& description, const std::string& split);

// The event's leaderboard: ranked as its service ranks it when the store holds a service's
// submissions (each team's best; service/offline_board.hpp), else from each team's latest
// record. Throws std::runtime_error.
leaderboard::Leaderboard load_event_leaderboard(const event::EventConfig& config, const std::string& split);

// <store>/leaderboard-<split>.html
std::filesystem::path default_html_path(const std::filesystem::path& store, const std::string& split);

// The HTML page written next to the store (always: it is what the event's viewers refresh) and,
// unless `print_table` is false, the terminal table on stdout and the page's path. Returns an
// exit code.
[[nodiscard]] int print_leaderboard_and_html(const event::EventConfig& config, const std::string& split,
                                             bool print_table = true);

}  // namespace gauntlet::cli
