#include "event/job_plan.hpp"

#include "common/errors.hpp"
#include "common/sha256.hpp"
#include "common/suggest.hpp"
#include "event/event_loader.hpp"
#include "models/model_job.hpp"
#include "quality/metric_registry.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace gauntlet::event {
namespace {

using json = nlohmann::json;

// A data file that cannot be read: the event config's problem, reported before judging.
std::string data_digest(const Challenge& c) {
  try {
    return data_sha256(c);
  } catch (const DataError& e) {
    throw ConfigError({c.file.string(), 0, 0}, "data", e.what());
  }
}

}  // namespace

void look_up(Job& job, int max_attempts) {
  job.state = store::record_state(job.record, job.key, max_attempts);
  job.attempts = 0;
  if (job.state == store::RecordState::retry)
    if (const auto previous = store::read_record(job.record); previous && (*previous)["key"] == job.key)
      job.attempts = store::attempts_of(*previous);
}

void locate_job(const EventConfig& config, const std::string& challenge_id, Job& job) {
  job.key = store::job_key(job.identity);
  job.record = store::record_path(config.store, job.identity.split, challenge_id, job.team, job.key);
  look_up(job, config.judge.attempts);
}

int mark_for_rejudging(Plan& plan, const EventConfig& config, const std::vector<std::string>& teams,
                       const std::vector<std::string>& challenges) {
  std::vector<std::string> team_names, challenge_ids;
  for (const Team& t : config.teams) team_names.push_back(t.name);
  for (const Challenge& c : config.challenges) challenge_ids.push_back(c.id);
  auto check = [](const std::vector<std::string>& given, const std::vector<std::string>& known,
                  const char* what) {
    for (const std::string& name : given) {
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      const std::optional<std::string> close = closest_match(name, known);
      throw UsageError(std::string("the event has no ") + what + " '" + name + "'" +
                       (close ? "; did you mean '" + *close + "'?" : ""));
    }
  };
  check(teams, team_names, "team");
  check(challenges, challenge_ids, "challenge");
  auto selected = [](const std::vector<std::string>& names, const std::string& name) {
    return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
  };
  int replaced = 0;
  for (Job& job : plan.jobs) {
    if (!selected(teams, job.team) || !selected(challenges, config.challenges[job.challenge].id)) continue;
    if (job.state == store::RecordState::stored) ++replaced;
    job.state = store::RecordState::missing;
    job.attempts = 0;
    job.rejudge = true;
  }
  return replaced;
}

Plan plan_jobs(const EventConfig& config, const std::string& split) {
  Plan plan;
  plan.split = split;
  std::map<std::filesystem::path, std::string> digests;  // a library shared by teams is read once
  auto digest_of = [&](const std::filesystem::path& file) {
    auto it = digests.find(file);
    if (it == digests.end()) it = digests.emplace(file, sha256_file_hex(file)).first;
    return it->second;
  };
  for (std::size_t c = 0; c < config.challenges.size(); ++c) {
    const Challenge& challenge = config.challenges[c];
    for (const Team& team : config.teams) {
      std::optional<std::filesystem::path> plugin;
      auto problem = [&](const std::string& what) {
        if (std::find(plan.plugin_problems.begin(), plan.plugin_problems.end(), what) ==
            plan.plugin_problems.end())
          plan.plugin_problems.push_back(what);
      };
      try {
        plugin = find_plugin(team, challenge.id);
        if (plugin) static_cast<void>(digest_of(*plugin));  // readable, and read once
      } catch (const ConfigError& e) {
        problem(e.what());
        plugin.reset();
      } catch (const std::exception& e) {
        problem(ConfigError(team.where, "", "team '" + team.name + "': " + e.what()).what());
        plugin.reset();
      }
      if (!plugin) {
        plan.without_plugin.emplace_back(challenge.id, team.name);
        continue;
      }
      Job job;
      job.challenge = c;
      job.team = team.name;
      job.plugin = *plugin;
      // A library, or an ONNX model, which the runner judges: its key holds both digests.
      const bool model = models::is_model_path(*plugin);
      std::string digest, runner_digest;
      try {
        digest = digest_of(*plugin);
        if (model) runner_digest = digest_of(models::runner_library());
      } catch (const std::exception& e) {
        throw ConfigError(team.where, "", "team '" + team.name + "': " + e.what());
      }
      job.identity = store::JobIdentity{model ? runner_digest : digest,
                                        challenge.sha256,
                                        split,
                                        config.judge.limit,
                                        config.judge.train_limit,
                                        config.judge.seed,
                                        challenge.rules_sha256,
                                        data_digest(challenge),
                                        model ? digest : std::string()};
      locate_job(config, challenge.id, job);
      plan.jobs.push_back(std::move(job));
    }
  }
  return plan;
}

json describe_event(const EventConfig& config, const Plan* plan) {
  json teams = json::array();
  for (const auto& t : config.teams) teams.push_back(t.name);
  json challenges = json::array();
  for (const auto& c : config.challenges) {
    json metrics = json::array();
    for (const auto& m : c.metrics)
      for (const auto& v : m.variables)
        metrics.push_back(
            {{"variable", v}, {"higher_is_better", quality::variable_higher_is_better(v).value_or(true)}});
    json tie_break = json::array();
    for (const auto& t : c.score.tie_break)
      tie_break.push_back({{"variable", t.variable}, {"order", t.descending ? "desc" : "asc"}});
    json without = json::array();
    if (plan) {
      for (const auto& [id, team] : plan->without_plugin)
        if (id == c.id) without.push_back(team);
    } else {
      for (const auto& t : config.teams) {
        try {
          if (!find_plugin(t, c.id)) without.push_back(t.name);
        } catch (const ConfigError&) {
          without.push_back(t.name);  // a file that cannot be taken: NO_PLUGIN, as plan_jobs() says
        }
      }
    }
    challenges.push_back({{"id", c.id},
                          {"title", c.title},
                          {"sha256", c.sha256},
                          {"rules_sha256", c.rules_sha256},
                          {"data_sha256", data_digest(c)},
                          {"file", c.file.string()},
                          {"task", std::string(task_name(c.task))},
                          {"metrics", metrics},
                          {"latency_variable", "latency_ms"},
                          {"score",
                           {{"formula", c.score.formula},
                            {"higher_is_better", c.score.higher_is_better},
                            {"qualify", c.score.qualify},
                            {"tie_break", tie_break}}},
                          {"teams_without_plugin", without}});
  }
  return json{{"schema", 1},
              {"kind", "gauntlet.event"},
              {"name", config.name},
              {"title", config.title},
              {"config_file", config.file.string()},
              {"config_sha256", config.sha256},
              {"ranking", ranking_rule_name(config.ranking)},
              {"judge",
               {{"limit", config.judge.limit},
                {"train_limit", config.judge.train_limit},
                {"seed", config.judge.seed}}},
              {"teams", teams},
              {"challenges", challenges}};
}

}  // namespace gauntlet::event
