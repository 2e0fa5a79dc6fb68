#include "service/core.hpp"

#include "common/sha256.hpp"
#include "leaderboard/ranking.hpp"
#include "models/model_job.hpp"
#include "service/bundle.hpp"
#include "store/result_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <numeric>
#include <set>

namespace gauntlet::service {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

int64_t mtime_ns(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace

Core::Core(event::EventConfig config) : config_(std::move(config)), dir_(config_.store / "service") {
  fs::create_directories(dir_ / "bundles");
  fs::create_directories(dir_ / "incoming");
  ledger_ = std::make_unique<Ledger>(ledger_file(config_.store));
  for (const auto& c : config_.challenges) data_sha256_[c.id] = data_sha256(c);
  try {
    runner_sha256_ = sha256_file_hex(models::runner_library());
  } catch (const std::exception&) {
    // No ONNX runner next to this judge: models are refused at upload (stage_bundle).
  }
  description_ = event::describe_event(config_);
}

std::string Core::bundle_folder_name(const std::string& team, const std::string& challenge,
                                     const std::string& bundle_sha256) {
  return "bundles/" + team + "/" + challenge + "/" + bundle_sha256;
}

std::string Core::recover() {
  std::error_code ec;
  int staged = 0;
  for (const auto& e : fs::directory_iterator(incoming(), ec)) {
    fs::remove_all(e.path(), ec);
    ++staged;
  }
  const int resumed = ledger_->recover();
  int missing = 0;
  std::set<std::string> named;
  for (const auto& s : ledger_->submissions()) {
    named.insert(s.folder);
    for (const std::string split : {"public", "private"}) {
      if ((split == "public" ? s.public_state : s.private_state) != "judged") continue;
      const event::Job j = job(s, split);
      if (j.state != store::RecordState::stored) {
        ledger_->requeue({s.id}, split);
        ++missing;
      }
    }
  }
  // bundles/<team>/<challenge>/<sha>: a folder no submission names was renamed into place by an
  // upload killed before its commit. The upload was never acknowledged.
  int orphans = 0;
  for (const auto& t : fs::directory_iterator(dir_ / "bundles", ec))
    for (const auto& c : fs::directory_iterator(t.path(), ec))
      for (const auto& b : fs::directory_iterator(c.path(), ec)) {
        const std::string rel = fs::relative(b.path(), dir_, ec).generic_string();
        if (named.count(rel)) continue;
        fs::permissions(b.path(), fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(b.path(), ec);
        ++orphans;
      }
  return std::to_string(resumed) + " judging(s) resumed, " + std::to_string(missing) +
         " without a result queued again, " + std::to_string(staged) + " unfinished upload(s) and " +
         std::to_string(orphans) + " unrecorded bundle(s) removed";
}

event::Job Core::job(const Submission& s, const std::string& split) const {
  const auto* challenge = config_.find_challenge(s.challenge);
  if (!challenge)
    throw std::runtime_error("submission " + std::to_string(s.id) + " is for challenge '" + s.challenge +
                             "', which the event no longer has");
  event::Job j;
  j.challenge = static_cast<std::size_t>(challenge - config_.challenges.data());
  j.team = s.team;
  const fs::path folder = dir_ / s.folder;
  j.plugin = folder / s.plugin_file;
  const bool model = s.kind == "model";
  if (!s.assets_sha256.empty()) j.assets = folder / "assets";
  j.identity = store::JobIdentity{model ? runner_sha256_ : s.plugin_sha256,
                                  challenge->sha256,
                                  split,
                                  config_.judge.limit,
                                  config_.judge.train_limit,
                                  config_.judge.seed,
                                  challenge->rules_sha256,
                                  data_sha256_.at(s.challenge),
                                  model ? s.plugin_sha256 : std::string(),
                                  s.assets_sha256};
  event::locate_job(config_, s.challenge, j);
  StagedBundle b;
  b.kind = s.kind;
  b.plugin_file = s.plugin_file;
  b.original_name = s.original_name;
  b.plugin_sha256 = s.plugin_sha256;
  b.plugin_bytes = s.plugin_bytes;
  b.has_assets = !s.assets_sha256.empty();
  b.assets_sha256 = s.assets_sha256;
  b.assets_archive_sha256 = s.assets_archive_sha256;
  b.assets_files = s.assets_files;
  b.assets_bytes = s.assets_bytes;
  b.bundle_sha256 = s.bundle_sha256;
  j.bundle = bundle_json(b);
  j.bundle["submission"] = s.id;
  return j;
}

std::optional<json> Core::record(const Submission& s, const std::string& split) {
  const event::Job j = job(s, split);
  const int64_t mtime = mtime_ns(j.record);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  Cached& c = cache_[{s.id, split}];
  if (c.key == j.key && c.mtime_ns == mtime && mtime >= 0) return c.record;
  c.key = j.key;
  c.mtime_ns = mtime;
  c.record = mtime < 0 ? std::nullopt : store::read_record(j.record);
  if (c.record && (*c.record)["key"] != j.key) c.record.reset();
  return c.record;
}

void Core::forget(const Submission& s, const std::string& split) {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  cache_.erase({s.id, split});
}

std::vector<std::size_t> Core::order(const std::string& challenge, const std::vector<const json*>& records,
                                     const std::vector<int64_t>& ids) const {
  json entry;
  for (const auto& c : description_["challenges"])
    if (c.value("id", "") == challenge) entry = c;
  const leaderboard::ChallengeRule rule = leaderboard::challenge_rule(entry);
  std::vector<leaderboard::Entry> entries;
  entries.reserve(records.size());
  for (const json* r : records) entries.push_back(leaderboard::entry_from_record(*r));
  std::vector<std::size_t> idx(records.size());
  std::iota(idx.begin(), idx.end(), 0);
  // Scored results first, best first (ties: the earlier submission); the others after them,
  // latest first (what a team without a score sees is its latest attempt).
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
    const bool sa = entries[a].status == leaderboard::Status::scored;
    const bool sb = entries[b].status == leaderboard::Status::scored;
    if (sa != sb) return sa;
    if (sa) {
      const int c = leaderboard::compare_scored(rule, entries[a], entries[b]);
      if (c != 0) return c < 0;
      return ids[a] < ids[b];
    }
    return ids[a] > ids[b];
  });
  return idx;
}

std::vector<int64_t> Core::finals(const std::string& team, const std::string& challenge, bool* chosen) {
  std::vector<int64_t> ids = ledger_->chosen_finals(team, challenge);
  if (chosen) *chosen = !ids.empty();
  if (!ids.empty()) return ids;
  std::vector<Submission> subs = ledger_->submissions(team, challenge);
  std::vector<json> held;
  held.reserve(subs.size());
  std::vector<int64_t> held_ids;
  for (const auto& s : subs)
    if (auto r = record(s, "public")) {
      held.push_back(std::move(*r));
      held_ids.push_back(s.id);
    }
  std::vector<const json*> records;
  records.reserve(held.size());
  for (const auto& r : held) records.push_back(&r);
  for (const std::size_t i : order(challenge, records, held_ids)) {
    if (static_cast<int>(ids.size()) >= config_.service.final_per_team) break;
    if (leaderboard::entry_from_record(held[i]).status != leaderboard::Status::scored) break;
    ids.push_back(held_ids[i]);
  }
  return ids;
}

std::vector<int64_t> Core::all_finals() {
  std::vector<int64_t> out;
  for (const auto& t : config_.teams)
    for (const auto& c : config_.challenges) {
      const auto ids = finals(t.name, c.id);
      out.insert(out.end(), ids.begin(), ids.end());
    }
  return out;
}

leaderboard::Leaderboard Core::board(const std::string& split) {
  json desc = description_;
  const std::vector<Submission> subs = ledger_->submissions();
  std::vector<json> chosen;
  for (auto& c : desc["challenges"]) {
    const std::string id = c.value("id", "");
    json without = json::array();
    for (const auto& t : config_.teams) {
      std::vector<json> held;
      std::vector<int64_t> ids;
      bool any = false;
      for (const auto& s : subs) {
        if (s.team != t.name || s.challenge != id) continue;
        any = true;
        if (split == "private" && s.private_state == "none") continue;  // finals only
        if (auto r = record(s, split)) {
          held.push_back(std::move(*r));
          ids.push_back(s.id);
        }
      }
      if (!any) without.push_back(t.name);
      if (held.empty()) continue;
      std::vector<const json*> records;
      records.reserve(held.size());
      for (const auto& r : held) records.push_back(&r);
      chosen.push_back(std::move(held[order(id, records, ids).front()]));
    }
    c["teams_without_plugin"] = without;
  }
  leaderboard::Leaderboard b = leaderboard::build_leaderboard(desc, chosen, split);
  for (auto& c : b.challenges)
    for (auto& r : c.rows)
      if (r.entry.verdict == "NO_PLUGIN") r.entry.reason = "no submission yet";
  return b;
}

}  // namespace gauntlet::service
