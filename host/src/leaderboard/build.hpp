// Leaderboards from the store alone: the event's description (<store>/event.json, or the same
// document made from the config) and the records of ONE split. Scores are the ones computed
// when the job was judged, under the challenge rules identified by the record's challenge
// SHA-256; only records judged under the event's current challenge files count, and for each
// team and challenge the latest of them.
#pragma once

#include "leaderboard/ranking.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace gauntlet::leaderboard {

struct Leaderboard {
  std::string event_name, event_title, split;
  std::vector<std::string> teams;
  std::vector<ChallengeBoard> challenges;
  EventBoard event;
  int records = 0;  // records of this split that were used
};

// Throws std::runtime_error for a description that is not one. Records of another split are
// ignored (read_split() never returns them anyway).
Leaderboard build_leaderboard(const nlohmann::json& description, const std::vector<nlohmann::json>& records,
                              const std::string& split);

// An entry from one store record (exposed for tests).
Entry entry_from_record(const nlohmann::json& record);

// A challenge's ranking rule from its entry in the event description (its "challenges" items).
ChallengeRule challenge_rule(const nlohmann::json& challenge);

}  // namespace gauntlet::leaderboard
