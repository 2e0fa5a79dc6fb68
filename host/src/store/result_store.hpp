// The event's result store: one JSON record per judged job, so that an event can be killed at
// any moment and resumed, and leaderboards are computed from the store alone.
//
//   <store>/event.json                                   the event's description (no results)
//   <store>/<split>/<challenge-id>/<team>/<key>.json     one record per job
//
// A job is (team, plugin bytes, challenge rules, split, judge settings); its key is the
// SHA-256 of all of those but the team (see job_key), so a changed library, challenge file or
// setting is a new job, and an unchanged one is never judged twice. Records are written with
// write_file_atomic (temp + fsync + rename): a reader sees a whole record or none. The splits
// live in separate folders and read_split() reads exactly one, so that public outputs never
// open a private record.
#pragma once

#include "challenge/challenge.hpp"
#include "judge/judge_result.hpp"
#include "report/environment.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace gauntlet::store {

inline constexpr int kRecordSchemaVersion = 1;

// What determines a result: the plugin's bytes, the challenge as parsed (its canonical form:
// comments and formatting do not count) and the data files' contents, the split and the
// judge settings. The challenge file's own SHA-256 is recorded, not keyed.
struct JobIdentity {
  std::string plugin_sha256;     // for an ONNX model: the runner's
  std::string challenge_sha256;  // of the file's bytes: shown, not part of the key
  std::string split;             // public | private
  int64_t limit = -1, train_limit = -1;
  uint64_t seed = 1;
  std::string rules_sha256;  // Challenge::rules_sha256
  std::string data_sha256;   // data_sha256(challenge)
  // An ONNX model's (judged by the runner), empty for a library. The initializer keeps
  // -Wmissing-field-initializers quiet for identities written without it.
  std::string model_sha256{};
  // A submitted bundle's asset files (the digest of the unpacked tree, host/src/service), empty
  // without assets: the same library with other weights is another job.
  std::string assets_sha256{};
};

// Lower-case hex SHA-256 of a canonical text of the identity.
std::string job_key(const JobIdentity& job);

[[nodiscard]] bool valid_split(const std::string& split);  // public | private

// Throws UsageError for a split other than public/private or a team or challenge id
// that is not a plain folder name.
std::filesystem::path split_folder(const std::filesystem::path& store, const std::string& split);
std::filesystem::path record_path(const std::filesystem::path& store, const std::string& split,
                                  const std::string& challenge_id, const std::string& team,
                                  const std::string& key);

struct EventIdentity {
  std::string name, title, config_sha256;
};

// Relative spread ((p90 - p10) / p50) of every timing-based result variable, by variable
// name: latency_ms_*_b<B> and throughput_b<B> take batch B's, latency_ms the smallest batch's,
// throughput the largest's.
std::map<std::string, double> timing_spreads(const judge::JudgeResult& result);

// The score's range when every timing moves by half its measured spread (all faster, all
// slower): how far timing noise alone can move the score. [score, score] for a formula that
// uses no timing; nothing when the result has no score.
[[nodiscard]] std::optional<std::pair<double, double>> score_noise_range(const ScoreRule& rule,
                                                                         const judge::JudgeResult& result);

// The record: the full result (report::to_json) wrapped with the job, the team, the event and
// the challenge's score rule, plus the timing noise a leaderboard needs. `attempts`: how many
// judgings of this job key this one is (record_state's bound).
nlohmann::json make_record(const judge::JudgeResult& result, const report::Environment& environment,
                           const Challenge& challenge, const std::string& team, const EventIdentity& event,
                           const JobIdentity& job, int attempts = 1);

// Atomic and durable; creates the folders. Throws std::runtime_error.
void write_record(const std::filesystem::path& path, const nlohmann::json& record);

// The record at `path`, or nothing when it is missing or unreadable.
[[nodiscard]] std::optional<nlohmann::json> read_record(const std::filesystem::path& path);

// A result worth judging again: the judge's own failure (JUDGE_ERROR), or latencies it could
// not measure cleanly (measurement.reliable false: a busy machine). At most kMaxAttempts
// judgings per job key, across runs: after that the result stands as it is, flagged, so that
// neither a broken machine nor a plugin can have a job judged over and over.
inline constexpr int kMaxAttempts = 3;
[[nodiscard]] bool worth_another_attempt(const nlohmann::json& result);
// How many judgings produced the record (1 for records written before it was counted).
int attempts_of(const nlohmann::json& record);

// Whether a job needs judging: no record, an unreadable one, or one worth another attempt
// that has not used up `max_attempts`.
enum class RecordState { missing, stored, retry };
RecordState record_state(const std::filesystem::path& path, const std::string& key,
                         int max_attempts = kMaxAttempts);

// Every record of one split (and only of that split: nothing outside <store>/<split> is
// opened), sorted by path. Unreadable files and files that are not records are skipped.
std::vector<nlohmann::json> read_split(const std::filesystem::path& store, const std::string& split);

// <store>/event.json.
void write_event_description(const std::filesystem::path& store, const nlohmann::json& description);
[[nodiscard]] std::optional<nlohmann::json> read_event_description(const std::filesystem::path& store);

// One `gauntlet run` per store at a time (an advisory lock, released when the process ends,
// kill -9 included).
class StoreLock {
 public:
  // Throws std::runtime_error when another process holds the lock.
  explicit StoreLock(const std::filesystem::path& store);
  ~StoreLock();
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace gauntlet::store
