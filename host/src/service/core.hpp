// The service's state shared by the HTTP handlers and the judging loop: the event, the ledger,
// where bundles live, each submission's job (the event runner's unit) and its stored record,
// and the Kaggle-style selection over them:
//
// - every submission is judged on the public split and kept in its team's history;
// - the public leaderboard ranks each team's best public result;
// - a team's finals are the submissions it chose (at most submissions.final_per_team), else its
//   best public ones; freezing fixes them and queues them on the private split;
// - the private leaderboard ranks each team's best final on the private split, and is served
//   only once the organizer has published it.
//
//   <store>/service/ledger.sqlite                        the ledger (ledger.hpp)
//   <store>/service/bundles/<team>/<challenge>/<sha>/    each submission's bundle (bundle.hpp)
//   <store>/service/incoming/                            uploads being staged (emptied at start)
//   <store>/<split>/<challenge>/<team>/<key>.json        results, as for `gauntlet run`
#pragma once

#include "event/event_config.hpp"
#include "event/job_plan.hpp"
#include "leaderboard/build.hpp"
#include "service/ledger.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace gauntlet::service {

class Core {
 public:
  // Opens the ledger and hashes the challenges' data (once). Throws std::runtime_error.
  explicit Core(event::EventConfig config);

  const event::EventConfig& config() const { return config_; }
  Ledger& ledger() { return *ledger_; }
  const std::filesystem::path& dir() const { return dir_; }  // <store>/service
  std::filesystem::path incoming() const { return dir_ / "incoming"; }
  std::filesystem::path bundle_folder(const Submission& s) const { return dir_ / s.folder; }
  // Where a new bundle goes, relative to dir().
  static std::string bundle_folder_name(const std::string& team, const std::string& challenge,
                                        const std::string& bundle_sha256);

  // At start-up, before anything is served: uploads that were being staged are removed, judging
  // that was under way is queued again, so is every judged submission whose record is missing
  // (or worth another attempt), and bundle folders no submission names (a kill between the
  // folder's rename and the ledger's commit) are removed. Returns a line saying what it did.
  std::string recover();

  // The submission's job on a split, as the event runner judges it.
  event::Job job(const Submission& s, const std::string& split) const;
  // Its stored record on a split, when there is one under the current rules and data.
  std::optional<nlohmann::json> record(const Submission& s, const std::string& split);
  // Forget what record() read for this submission (its job was judged again).
  void forget(const Submission& s, const std::string& split);

  // A team's finals on a challenge: the ones it chose, else its best public results. `chosen`
  // says which.
  std::vector<int64_t> finals(const std::string& team, const std::string& challenge, bool* chosen = nullptr);
  std::vector<int64_t> all_finals();  // every team, every challenge

  // The leaderboard of a split: the public one ranks each team's best public result, the private
  // one each team's best final judged on the private split (the caller checks publication).
  leaderboard::Leaderboard board(const std::string& split);

  // A counter that moves whenever something the public pages show changes (a submission
  // accepted, judged, the event published): live pages poll it.
  uint64_t version() const { return version_.load(); }
  void bump() { ++version_; }

  const nlohmann::json& description() const { return description_; }

 private:
  // Among the records, in the challenge's order: scored first by the rule, then the rest by
  // submission order. Returns indexes.
  std::vector<std::size_t> order(const std::string& challenge,
                                 const std::vector<const nlohmann::json*>& records,
                                 const std::vector<int64_t>& ids) const;

  event::EventConfig config_;
  std::filesystem::path dir_;
  std::unique_ptr<Ledger> ledger_;
  nlohmann::json description_;
  std::map<std::string, std::string> data_sha256_;  // by challenge id
  std::string runner_sha256_;                       // the ONNX runner's, when it is there
  std::atomic<uint64_t> version_{1};

  struct Cached {
    std::string key;
    int64_t mtime_ns = 0;
    std::optional<nlohmann::json> record;
  };
  std::mutex cache_mutex_;
  std::map<std::pair<int64_t, std::string>, Cached> cache_;  // (submission, split)
};

}  // namespace gauntlet::service
