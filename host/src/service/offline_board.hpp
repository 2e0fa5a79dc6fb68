// The leaderboard of an event run as a service, ranked as the service ranks it, for the
// organizer's offline commands (`gauntlet leaderboard`, the table `gauntlet run` prints) on the
// service's store: each team's best public submission, and on the private split its finals'
// best. Without it those commands would rank each team's latest record, not the service's.
#pragma once

#include "event/event_config.hpp"
#include "leaderboard/build.hpp"

#include <optional>
#include <string>

namespace gauntlet::service {

// nullopt when the store has no submission ledger, or one without any submission (an event
// judged by `gauntlet run` alone). Reads the ledger while a server may be running (SQLite WAL).
// Throws std::runtime_error.
[[nodiscard]] std::optional<leaderboard::Leaderboard> service_leaderboard(const event::EventConfig& config,
                                                                          const std::string& split);

}  // namespace gauntlet::service
