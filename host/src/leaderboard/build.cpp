#include "leaderboard/build.hpp"

#include <map>
#include <set>
#include <stdexcept>

namespace gauntlet::leaderboard {
namespace {

using json = nlohmann::json;

double number_or(const json& j, const char* key, double fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

// The numeric members of j[key], when it is an object.
void numbers_into(const json& j, const char* key, std::map<std::string, double>& out) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return;
  for (auto v = it->begin(); v != it->end(); ++v)
    if (v->is_number()) out[v.key()] = v->get<double>();
}

}  // namespace

ChallengeRule challenge_rule(const json& c) {
  ChallengeRule rule;
  rule.id = c.at("id").get<std::string>();
  rule.title = c.value("title", rule.id);
  const json& score = c.at("score");
  rule.formula = score.value("formula", "");
  rule.qualify = score.value("qualify", "");
  rule.higher_is_better = score.value("higher_is_better", true);
  for (const auto& t : score.value("tie_break", json::array()))
    rule.tie_break.push_back({t.at("variable").get<std::string>(), t.value("order", "desc") == "desc"});
  for (const auto& m : c.value("metrics", json::array())) {
    const std::string v = m.at("variable").get<std::string>();
    rule.metrics.emplace_back(v, m.value("higher_is_better", metric_higher_is_better(v)));
  }
  rule.latency_variable = c.value("latency_variable", "latency_ms");
  return rule;
}

namespace {

// Why a record no longer counts, for the person reading the leaderboard.
std::string stale_reason(const json& job, const std::string& rules, const std::string& data) {
  const bool rules_changed = job.value("rules_sha256", "") != rules;
  const bool data_changed = job.value("data_sha256", "") != data;
  std::string what = rules_changed && data_changed ? "other rules and other data"
                     : rules_changed               ? "other rules (the challenge changed)"
                                                   : "other data (a data file changed)";
  if (!job.contains("rules_sha256")) what = "an older challenge file";
  return "judged under " + what + "; `gauntlet run` judges it again";
}

}  // namespace

Entry entry_from_record(const json& record) {
  Entry e;
  e.team = record.at("team").get<std::string>();
  const json& r = record.at("result");
  e.verdict = r.value("verdict", "JUDGE_ERROR");
  e.plugin_sha256 = record.at("job").value("plugin_sha256", "");
  const json environment = r.value("environment", json::object());
  if (environment.is_object()) {
    e.cpu_model = environment.value("cpu_model", "");
    e.node = environment.value("node", environment.value("hostname", ""));
  }
  numbers_into(r, "variables", e.variables);
  const json noise = record.value("noise", json::object());
  numbers_into(noise, "spreads", e.spreads);
  const json measurement = r.value("measurement", json::object());
  if (measurement.is_object() && !measurement.value("reliable", true)) {
    e.latency_unreliable = true;
    e.latency_note = measurement.value("reason", "");
  }

  const json score = r.value("score", json());
  if (e.verdict != "OK") {
    e.status = Status::failed;
    e.reason = r.value("reason", "");
  } else if (!score.is_object()) {
    e.status = Status::not_qualified;
    e.reason = "no score was computed";
  } else if (!score.value("qualified", false)) {
    e.status = Status::not_qualified;
    e.reason = score.value("reason", "");
  } else {
    e.status = Status::scored;
    e.score = number_or(score, "value", 0);
    e.score_low = number_or(noise, "score_low", e.score);
    e.score_high = number_or(noise, "score_high", e.score);
  }
  return e;
}

Leaderboard build_leaderboard(const json& description, const std::vector<json>& records,
                              const std::string& split) {
  if (!description.is_object() || description.value("kind", "") != "gauntlet.event")
    throw std::runtime_error("not an event description (kind gauntlet.event)");
  Leaderboard board;
  board.split = split;
  board.event_name = description.value("name", "");
  board.event_title = description.value("title", board.event_name);
  for (const auto& t : description.at("teams")) board.teams.push_back(t.get<std::string>());
  const std::set<std::string> known_teams(board.teams.begin(), board.teams.end());

  for (const auto& c : description.at("challenges")) {
    const ChallengeRule rule = challenge_rule(c);
    const std::string sha = c.value("sha256", "");
    std::set<std::string> without_plugin;
    for (const auto& t : c.value("teams_without_plugin", json::array()))
      without_plugin.insert(t.get<std::string>());

    // The latest record of each team judged under the current rules and data (events
    // described before result keys held them: under the current challenge file), and the
    // latest one judged under others, shown as stale when there is no current one.
    const std::string rules = c.value("rules_sha256", ""), data = c.value("data_sha256", "");
    std::map<std::string, const json*> latest, stale;
    for (const auto& rec : records) {
      if (rec.value("split", "") != split) continue;
      const json& job = rec.at("job");
      if (job.value("challenge_id", "") != rule.id) continue;
      const std::string team = rec.value("team", "");
      if (!known_teams.count(team)) continue;
      const bool current =
          rules.empty() ? job.value("challenge_sha256", "") == sha
                        : job.value("rules_sha256", "") == rules && job.value("data_sha256", "") == data;
      const json*& slot = current ? latest[team] : stale[team];
      if (!slot || rec.value("recorded_at_ns", int64_t{0}) > slot->value("recorded_at_ns", int64_t{0}))
        slot = &rec;
    }
    std::vector<Entry> entries;
    for (const auto& team : board.teams) {
      if (const auto it = latest.find(team); it != latest.end()) {
        entries.push_back(entry_from_record(*it->second));
        ++board.records;
        continue;
      }
      Entry e;
      e.team = team;
      e.status = Status::missing;
      if (without_plugin.count(team)) {
        e.verdict = "NO_PLUGIN";
        e.reason = "no plugin for this challenge";
      } else if (const auto old = stale.find(team); old != stale.end()) {
        e.verdict = "STALE";
        e.reason = stale_reason(old->second->at("job"), rules, data);
      } else {
        e.verdict = "NOT_JUDGED";
        e.reason = "no result in the store yet";
      }
      entries.push_back(std::move(e));
    }
    const std::string mixed = mixed_cpu_warning(entries);
    board.challenges.push_back(rank_challenge(rule, std::move(entries)));
    if (!mixed.empty()) board.challenges.back().warnings.push_back(mixed);
  }
  const auto rule = parse_event_rule(description.value("ranking", "sum_of_ranks"));
  if (!rule)
    throw std::runtime_error("unknown event ranking rule '" + description.value("ranking", "") + "'");
  board.event = combine(board.challenges, *rule, board.teams);
  return board;
}

}  // namespace gauntlet::leaderboard
