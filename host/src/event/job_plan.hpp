// The jobs of an event: every (team, challenge) pair with a plugin, each with its store key
// and whether the store already holds its result.
#pragma once

#include "event/event_config.hpp"
#include "store/result_store.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::event {

struct Job {
  std::size_t challenge = 0;  // index into EventConfig::challenges
  std::string team;
  std::filesystem::path plugin;
  store::JobIdentity identity;
  std::string key;
  std::filesystem::path record;  // where its result goes
  store::RecordState state = store::RecordState::missing;
  int attempts = 0;      // judgings of this key already stored (a retry's predecessors)
  bool rejudge = false;  // marked by mark_for_rejudging: a stored record is replaced, attempts afresh
  // A submitted bundle (host/src/service): its asset folder (create()'s asset_dir) and the
  // result's "bundle" section (the hashes of its library or model and of its assets). Empty
  // for the plugins an event config names.
  std::filesystem::path assets{};
  nlohmann::json bundle{};
};

struct Plan {
  std::string split;
  std::vector<Job> jobs;  // challenge by challenge (config order), teams in config order
  std::vector<std::pair<std::string, std::string>> without_plugin;  // (challenge id, team)
  // Why a configured plugin could not be taken (a missing or unreadable file, a missing team
  // folder): one located line each. That team is NO_PLUGIN on that challenge; the others are
  // judged.
  std::vector<std::string> plugin_problems;
};

// Sets the job's state and stored attempts from the store (its record, if any).
void look_up(Job& job, int max_attempts);

// Finds every team's plugins (find_plugin), hashes them and looks the keys up in the store.
// Throws ConfigError for a configured plugin that does not exist or cannot be read.
Plan plan_jobs(const EventConfig& config, const std::string& split);

// --rejudge: marks the planned jobs that match to be judged again (stored or not), their
// attempts counted afresh. Empty `teams` or `challenges` match every team or challenge. Returns
// how many stored results will be replaced. Throws UsageError for a name the event does not
// have (with the closest one).
int mark_for_rejudging(Plan& plan, const EventConfig& config, const std::vector<std::string>& teams,
                       const std::vector<std::string>& challenges);
// Fills in a job's key, record path, state and earlier attempts from its identity and team (set
// first): shared by plan_jobs and the submission service's jobs.
void locate_job(const EventConfig& config, const std::string& challenge_id, Job& job);

// The event's description for leaderboards (<store>/event.json): names, teams, challenge
// rules and metrics, the ranking rule, and which teams have no plugin for which challenge
// (from the plan, else looked up now). Holds no result of any split.
nlohmann::json describe_event(const EventConfig& config, const Plan* plan = nullptr);

}  // namespace gauntlet::event
