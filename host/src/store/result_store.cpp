#include "store/result_store.hpp"

#include "common/atomic_file.hpp"
#include "common/errors.hpp"
#include "common/sha256.hpp"
#include "common/utc_time.hpp"
#include "report/result_json.hpp"
#include "scoring/score.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gauntlet::store {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A team or challenge id used as a folder name: nothing that could climb out of the store.
void check_component(const std::string& s, const char* what) {
  const bool ok =
      !s.empty() && s != "." && s != ".." && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
  if (!ok) throw UsageError(std::string("not a valid ") + what + " for the store: '" + s + "'");
}

std::optional<json> parse_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  try {
    json j = json::parse(s.str());
    if (!j.is_object()) return std::nullopt;
    return j;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

bool is_record(const json& j) {
  return j.value("kind", "") == "gauntlet.store_record" && j.contains("result") && j["result"].is_object() &&
         j.contains("key") && j["key"].is_string();
}

}  // namespace

std::string job_key(const JobIdentity& job) {
  // One field per line, with its name: no two identities share a text.
  std::string text = "gauntlet.job/2\n";
  text += "plugin_sha256=" + job.plugin_sha256 + "\n";
  text += "rules_sha256=" + job.rules_sha256 + "\n";
  text += "data_sha256=" + job.data_sha256 + "\n";
  // Only for models, so that the keys of library jobs stay what they were.
  if (!job.model_sha256.empty()) text += "model_sha256=" + job.model_sha256 + "\n";
  if (!job.assets_sha256.empty()) text += "assets_sha256=" + job.assets_sha256 + "\n";
  text += "split=" + job.split + "\n";
  text += "limit=" + std::to_string(job.limit) + "\n";
  text += "train_limit=" + std::to_string(job.train_limit) + "\n";
  text += "seed=" + std::to_string(job.seed) + "\n";
  return sha256_hex(text);
}

bool valid_split(const std::string& split) { return split == "public" || split == "private"; }

fs::path split_folder(const fs::path& store, const std::string& split) {
  if (!valid_split(split)) throw UsageError("the split is 'public' or 'private', not '" + split + "'");
  return store / split;
}

fs::path record_path(const fs::path& store, const std::string& split, const std::string& challenge_id,
                     const std::string& team, const std::string& key) {
  check_component(challenge_id, "challenge id");
  check_component(team, "team name");
  check_component(key, "job key");
  return split_folder(store, split) / challenge_id / team / (key + ".json");
}

std::map<std::string, double> timing_spreads(const judge::JudgeResult& r) {
  std::map<std::string, double> spreads;
  for (const auto& l : r.latency) {
    const std::string b = "_b" + std::to_string(l.batch_size);
    for (const char* stat : {"p50", "p90", "p99", "mean"})
      spreads["latency_ms_" + std::string(stat) + b] = l.spread;
    spreads["throughput" + b] = l.spread;
  }
  if (!r.latency.empty()) {
    spreads["latency_ms"] = r.latency.front().spread;
    spreads["throughput"] = r.latency.back().spread;
  }
  return spreads;
}

std::optional<std::pair<double, double>> score_noise_range(const ScoreRule& rule,
                                                           const judge::JudgeResult& r) {
  if (!r.score || !r.score->qualified) return std::nullopt;
  double lo = r.score->score, hi = r.score->score;
  const auto spreads = timing_spreads(r);
  for (const double direction : {-1.0, 1.0}) {
    std::map<std::string, double> vars = r.variables;
    for (const auto& [name, spread] : spreads) {
      auto it = vars.find(name);
      if (it == vars.end()) continue;
      const double factor = std::max(1e-9, 1.0 + direction * spread / 2);
      // Latencies scale with the factor, throughputs inversely: both say "slower" or "faster".
      it->second = name.rfind("throughput", 0) == 0 ? it->second / factor : it->second * factor;
    }
    const ScoreOutcome moved = evaluate_score(rule, vars);
    if (!moved.qualified) continue;  // e.g. a latency cap: the range is what still scores
    lo = std::min(lo, moved.score);
    hi = std::max(hi, moved.score);
  }
  return std::make_pair(lo, hi);
}

json make_record(const judge::JudgeResult& result, const report::Environment& environment,
                 const Challenge& challenge, const std::string& team, const EventIdentity& event,
                 const JobIdentity& job, int attempts) {
  json tie_break = json::array();
  for (const auto& t : challenge.score.tie_break)
    tie_break.push_back(json{{"variable", t.variable}, {"order", t.descending ? "desc" : "asc"}});
  json noise{{"spreads", timing_spreads(result)}};
  if (const auto range = score_noise_range(challenge.score, result))
    noise.update(json{{"score_low", range->first}, {"score_high", range->second}});
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  json record{
      {"schema", kRecordSchemaVersion},
      {"kind", "gauntlet.store_record"},
      {"key", job_key(job)},
      {"attempts", attempts},
      {"team", team},
      {"split", job.split},
      {"event", {{"name", event.name}, {"title", event.title}, {"config_sha256", event.config_sha256}}},
      {"job",
       {{"plugin_sha256", job.plugin_sha256},
        {"challenge_id", challenge.id},
        {"challenge_sha256", job.challenge_sha256},
        {"rules_sha256", job.rules_sha256},
        {"data_sha256", job.data_sha256},
        {"split", job.split},
        {"limit", job.limit},
        {"train_limit", job.train_limit},
        {"seed", job.seed}}},
      {"rule",
       {{"formula", challenge.score.formula},
        {"higher_is_better", challenge.score.higher_is_better},
        {"qualify", challenge.score.qualify},
        {"tie_break", tie_break}}},
      {"noise", noise},
      {"recorded_at", utc_timestamp()},
      {"recorded_at_ns", std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()},
      {"result", report::to_json(result, environment)},
  };
  if (!job.model_sha256.empty()) record["job"]["model_sha256"] = job.model_sha256;
  if (!job.assets_sha256.empty()) record["job"]["assets_sha256"] = job.assets_sha256;
  return record;
}

void write_record(const fs::path& path, const json& record) {
  fs::create_directories(path.parent_path());
  write_file_atomic(path, record.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

std::optional<json> read_record(const fs::path& path) {
  auto j = parse_file(path);
  if (!j || !is_record(*j)) return std::nullopt;
  return j;
}

bool worth_another_attempt(const json& result) {
  if (!result.is_object()) return true;
  const std::string verdict = result.value("verdict", "");
  if (verdict == "JUDGE_ERROR") return true;
  const auto m = result.find("measurement");
  return verdict == "OK" && m != result.end() && m->is_object() && !m->value("reliable", true);
}

int attempts_of(const json& record) {
  const auto it = record.find("attempts");
  return it != record.end() && it->is_number_integer() ? std::max(1, it->get<int>()) : 1;
}

RecordState record_state(const fs::path& path, const std::string& key, int max_attempts) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return RecordState::missing;
  const auto record = read_record(path);
  if (!record || (*record)["key"] != key) return RecordState::retry;
  if (worth_another_attempt((*record)["result"]) && attempts_of(*record) < max_attempts)
    return RecordState::retry;
  return RecordState::stored;
}

std::vector<json> read_split(const fs::path& store, const std::string& split) {
  const fs::path root = split_folder(store, split);
  std::vector<fs::path> files;
  std::error_code ec;
  // <split>/<challenge>/<team>/<key>.json exactly: temporary files of interrupted writes
  // (".<name>.tmp.XXXXXX") and anything else are not records.
  for (const auto& c : fs::directory_iterator(root, ec)) {
    if (!c.is_directory(ec)) continue;
    for (const auto& t : fs::directory_iterator(c.path(), ec)) {
      if (!t.is_directory(ec)) continue;
      for (const auto& f : fs::directory_iterator(t.path(), ec))
        if (f.path().extension() == ".json" && f.path().filename().string()[0] != '.' &&
            f.is_regular_file(ec))
          files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<json> records;
  for (const auto& f : files) {
    auto r = read_record(f);
    // The folder says the split; the record must agree, or it is not read at all.
    if (r && r->value("split", "") == split) records.push_back(std::move(*r));
  }
  return records;
}

void write_event_description(const fs::path& store, const json& description) {
  fs::create_directories(store);
  write_file_atomic(store / "event.json",
                    description.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

std::optional<json> read_event_description(const fs::path& store) {
  auto j = parse_file(store / "event.json");
  if (!j || j->value("kind", "") != "gauntlet.event") return std::nullopt;
  return j;
}

StoreLock::StoreLock(const fs::path& store) {
  fs::create_directories(store);
  const fs::path file = store / ".run.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    if (e == EWOULDBLOCK)
      throw std::runtime_error("another `gauntlet run` is using the store " + store.string() +
                               "; wait for it to end");
    throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(e));
  }
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace gauntlet::store
