// The in-memory model of an event (configs/<event>.yaml, schema 1): which challenges, which
// teams and where their plugins live, where results are stored, how events are ranked. The
// loader (event_loader.hpp) validates it completely; the schema is documented in
// configs/README.md.
#pragma once

#include "challenge/challenge.hpp"
#include "common/errors.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::event {

inline constexpr int kEventSchemaVersion = 1;

// How the per-challenge rankings combine into the event ranking.
enum class RankingRule {
  sum_of_ranks,           // sum of the team's rank on each challenge; lower is better
  mean_normalized_score,  // mean over challenges of (score - worst) / (best - worst); higher is better
};
std::string ranking_rule_name(RankingRule rule);

// Where a team's plugins come from.
enum class PluginSource {
  one_for_all,    // `plugin: lib.so`: the same library on every challenge
  per_challenge,  // `plugins: {<challenge-id>: lib.so}`
  folder,         // `folder: dir`: <dir>/<challenge-id>.so or <dir>/<challenge-id>/*.so
  submissions,    // neither: the event's submission folder, <submissions.folder>/<team>
};

struct PathAt {
  std::filesystem::path path;  // absolute, normalized
  SourceLocation where;
};

struct Team {
  std::string name;  // [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64 characters, unique in the event
  PluginSource source = PluginSource::submissions;
  std::optional<PathAt> plugin;           // one_for_all
  std::map<std::string, PathAt> plugins;  // per_challenge: challenge id -> library
  std::optional<PathAt> folder;           // folder, and submissions (the derived folder)
  SourceLocation where;
};

struct JudgeSettings {
  int64_t limit = -1;        // evaluate only the first N samples of the split (-1: all)
  int64_t train_limit = -1;  // train on only the first N samples (-1: all)
  uint64_t seed = 1;
  // Judgings per job key at most (store::kMaxAttempts by default): a JUDGE_ERROR, or latencies
  // measured on a busy machine, are judged again until then. 1: never again.
  int attempts = 3;
  // `gauntlet run --backend slurm` (docs/cluster.md): defaults of --partition and --account, and
  // the node feature each challenge's tasks need (sbatch --constraint): latency-scored
  // challenges pinned to one kind of node. `constraint` applies to every challenge not in
  // `constraints` (challenge id -> constraint).
  struct Slurm {
    std::string partition, account, constraint;
    std::map<std::string, std::string> constraints;
    const std::string& constraint_of(const std::string& challenge_id) const {
      const auto it = constraints.find(challenge_id);
      return it == constraints.end() ? constraint : it->second;
    }
  } slurm;
};

// The submission service's rules (`gauntlet serve`; configs/README.md): caps on what a team may
// upload and how often, the final choices of Kaggle-style selection, and the server's own bounds.
struct ServiceRules {
  int final_per_team = 2;  // submissions.final_per_team (per challenge)
  int per_day = 0;         // submissions.per_day (per team and challenge, UTC day); 0: none
  int64_t max_upload_bytes = int64_t{64} << 20;   // submissions.max_upload_mb: a whole upload
  int max_asset_files = 1000;                     // submissions.max_asset_files in an asset archive
  int64_t max_assets_bytes = int64_t{256} << 20;  // submissions.max_assets_mb, unpacked
  int rate_per_minute = 60;                       // service.rate_per_minute: requests per token
  int queue_limit = 1000;                         // service.queue_limit: submissions waiting at most
  int timeout_seconds = 30;                       // service.timeout_seconds: a request's reads and writes
};

struct EventConfig {
  std::filesystem::path file;  // the YAML file, absolute
  std::filesystem::path dir;   // its folder: relative paths are resolved against it
  std::string sha256;          // of the YAML bytes

  int schema = kEventSchemaVersion;
  std::string name;  // [a-z0-9][a-z0-9_-]*
  std::string title;
  std::vector<Challenge> challenges;  // >= 1, unique ids, in file order
  std::vector<Team> teams;            // >= 1, in file order
  std::filesystem::path store;
  int jobs = 0;                  // 0: the default, one job per two usable cores
  std::string split = "public";  // public | private
  RankingRule ranking = RankingRule::sum_of_ranks;
  std::filesystem::path submissions_folder;  // default <store>/submissions
  int max_submissions = 0;                   // per team and challenge; 0 = no cap
  JudgeSettings judge;
  ServiceRules service;

  const Challenge* find_challenge(const std::string& id) const;
  const Team* find_team(const std::string& name) const;
};

}  // namespace gauntlet::event
