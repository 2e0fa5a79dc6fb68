// Event configs: the loader's model, its one-line errors (exact file:line:column, field, "did
// you mean"), and where each team's plugin is found (explicit paths, folders by convention,
// the submission ledger).
#include <doctest/doctest.h>

#include "event/cpu_slots.hpp"
#include "event/eta.hpp"
#include "event/event_loader.hpp"
#include "event/job_plan.hpp"
#include "support/run_command.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace gauntlet;
using namespace gauntlet::event;
namespace fs = std::filesystem;

namespace {

const std::string kTiny = testing::source_path("tests/data/tiny-regression");
const std::string kRegression = testing::source_path("challenges/synthetic-regression");

std::string write(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::create_directories(dir);
  const fs::path file = dir / name;
  std::ofstream(file, std::ios::binary) << text;
  return file.string();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// The error of loading `text`, with the file's path written as {F}.
std::string error_of(const std::string& text) {
  const std::string file = write(testing::temp_dir("cfg"), "event.yaml", replace_all(text, "{TINY}", kTiny));
  try {
    load_event(file);
  } catch (const ConfigError& e) {
    return replace_all(e.what(), file, "{F}");
  }
  return "(no error)";
}

const std::string kBase =
    "schema: 1\n"
    "name: test-event\n"
    "title: Test event\n"
    "challenges:\n"
    "  - {TINY}\n"
    "teams:\n"
    "  - name: alpha\n"
    "    plugin: libs/alpha.so\n"
    "store: out/store\n";

}  // namespace

TEST_CASE("a complete event config") {
  const fs::path dir = testing::temp_dir("event");
  const std::string file = write(dir, "event.yaml",
                                 "schema: 1\n"
                                 "name: spring-2026\n"
                                 "title: Spring hackathon\n"
                                 "challenges:\n"
                                 "  - " +
                                     kTiny +
                                     "\n"
                                     "  - " +
                                     kRegression +
                                     "/challenge.yaml\n"
                                     "teams:\n"
                                     "  - name: alpha\n"
                                     "    plugin: libs/alpha.so\n"
                                     "  - name: beta\n"
                                     "    plugins:\n"
                                     "      tiny-regression: libs/beta-tiny.so\n"
                                     "  - name: gamma.2\n"
                                     "    folder: teams/gamma\n"
                                     "  - name: delta\n"
                                     "store: results/store\n"
                                     "jobs: 3\n"
                                     "split: private\n"
                                     "ranking: {rule: mean_normalized_score}\n"
                                     "submissions:\n"
                                     "  folder: subs\n"
                                     "  max_per_team: 4\n"
                                     "judge: {limit: 100, train_limit: 200, seed: 9}\n");
  const EventConfig e = load_event(file);
  CHECK(e.name == "spring-2026");
  CHECK(e.title == "Spring hackathon");
  REQUIRE(e.challenges.size() == 2);
  CHECK(e.challenges[0].id == "tiny-regression");
  CHECK(e.challenges[1].id == "synthetic-regression");
  CHECK(e.store == fs::absolute(dir / "results/store").lexically_normal());  // relative to the file
  CHECK(e.jobs == 3);
  CHECK(e.split == "private");
  CHECK(e.ranking == RankingRule::mean_normalized_score);
  CHECK(e.submissions_folder == fs::absolute(dir / "subs").lexically_normal());
  CHECK(e.max_submissions == 4);
  CHECK(e.judge.limit == 100);
  CHECK(e.judge.train_limit == 200);
  CHECK(e.judge.seed == 9);
  CHECK(e.sha256.size() == 64);
  REQUIRE(e.teams.size() == 4);
  CHECK(e.teams[0].source == PluginSource::one_for_all);
  CHECK(e.teams[0].plugin->path == fs::absolute(dir / "libs/alpha.so").lexically_normal());
  CHECK(e.teams[0].plugin->where.line == 9);
  CHECK(e.teams[1].source == PluginSource::per_challenge);
  CHECK(e.teams[1].plugins.count("tiny-regression") == 1);
  CHECK(e.teams[2].source == PluginSource::folder);
  CHECK(e.teams[3].source == PluginSource::submissions);
  CHECK(e.teams[3].folder->path == e.submissions_folder / "delta");
  CHECK(e.find_team("gamma.2") == &e.teams[2]);
  CHECK(e.find_challenge("synthetic-regression") == &e.challenges[1]);
  CHECK(e.find_challenge("nope") == nullptr);

  SUBCASE("defaults") {
    const EventConfig d =
        load_event(write(testing::temp_dir("defaults"), "e.yaml", replace_all(kBase, "{TINY}", kTiny)));
    CHECK(d.jobs == 0);
    CHECK(d.split == "public");
    CHECK(d.ranking == RankingRule::sum_of_ranks);
    CHECK(d.max_submissions == 0);
    CHECK(d.submissions_folder == d.store / "submissions");
    CHECK(d.judge.limit == -1);
    CHECK(d.judge.seed == 1);
  }
}

TEST_CASE("bad event configs give one exact error each") {
  struct Case {
    std::string text, error;
  };
  const std::vector<Case> cases = {
      {"", "{F}: error: empty file, expected an event mapping"},
      {"name: x\n", "{F}:1:1: error: schema: missing required key 'schema' (this gauntlet reads schema 1)"},
      {replace_all(kBase, "schema: 1", "schema: 2"),
       "{F}:1:9: error: schema: unsupported schema version 2; this gauntlet reads schema 1"},
      {replace_all(kBase, "challenges:", "chalenges:"),
       "{F}:4:1: error: chalenges: unknown key 'chalenges'; did you mean 'challenges'?"},
      {replace_all(kBase, "name: test-event", "name: Test Event"),
       "{F}:2:7: error: name: expected lower-case letters, digits, '-' and '_', starting with a letter or "
       "digit (at most 64 characters), got 'Test Event'"},
      {replace_all(kBase, "  - {TINY}", "  - nowhere/at-all"),
       "{F}:5:5: error: challenges[0]: no such challenge folder or file: {DIR}/nowhere/at-all"},
      {replace_all(kBase, "  - {TINY}", "  - {TINY}\n  - {TINY}/challenge.yaml"),
       "{F}:6:5: error: challenges[1]: challenge 'tiny-regression' is listed twice (" + kTiny +
           "/challenge.yaml)"},
      {replace_all(kBase, "challenges:\n  - {TINY}", "challenges: []"),
       "{F}:4:13: error: challenges: expected at least one challenge, got []"},
      {replace_all(kBase, "    plugin: libs/alpha.so", "    plugin: libs/alpha.so\n    folder: teams/alpha"),
       "{F}:7:5: error: teams[0]: give at most one of 'plugin' (one library for every challenge), 'plugins' "
       "(one per "
       "challenge) and 'folder' (discovered by convention)"},
      {replace_all(kBase, "    plugin: libs/alpha.so", "    plugins:\n      tiny-regresion: a.so"),
       "{F}:9:7: error: teams[0].plugins.tiny-regresion: unknown key 'tiny-regresion'; did you mean "
       "'tiny-regression'?"},
      {replace_all(kBase, "    plugin: libs/alpha.so", "    plugin: libs/alpha.so\n  - name: ALPHA"),
       "{F}:9:11: error: teams[1].name: team 'ALPHA' is listed twice (as 'alpha')"},
      {replace_all(kBase, "  - name: alpha", "  - name: ../up"),
       "{F}:7:11: error: teams[0].name: expected letters, digits, '_', '-' and '.' (starting with a letter "
       "or digit, "
       "at most 64 characters; it names folders), got '../up'"},
      {replace_all(kBase, "    plugin: libs/alpha.so", "    plugn: libs/alpha.so"),
       "{F}:8:5: error: teams[0].plugn: unknown key 'plugn'; did you mean 'plugin'?"},
      {kBase + "jobs: 0\n", "{F}:10:7: error: jobs: expected an integer > 0, got 0"},
      {kBase + "jobs: \"2\"\n",
       "{F}:10:7: error: jobs: expected an integer > 0, got \"2\" (quoted, so a string)"},
      {kBase + "split: publik\n",
       "{F}:10:8: error: split: expected one of: public, private; got 'publik'; did you mean 'public'?"},
      {kBase + "ranking:\n  rule: sum_of_rank\n",
       "{F}:11:9: error: ranking.rule: expected one of: sum_of_ranks, mean_normalized_score; got "
       "'sum_of_rank'; did "
       "you mean 'sum_of_ranks'?"},
      {kBase + "submissions:\n  max_per_team: -1\n",
       "{F}:11:17: error: submissions.max_per_team: expected an integer > 0, got -1"},
      {kBase + "judge:\n  seed: x\n",
       "{F}:11:9: error: judge.seed: expected an integer in [0, 2^64), got 'x'"},
      {replace_all(kBase, "store: out/store", "store:"),
       "{F}:9:1: error: store: expected a non-empty string, got null"},
      {replace_all(kBase, "store: out/store\n", ""), "{F}:1:1: error: store: missing required key 'store'"},
      {replace_all(kBase, "title: Test event", "title: &t Test event"),
       "{F}:3:8: error: anchors (&t) are not allowed in event config files; write the value out"},
      {kBase + "teams: []\n", "{F}:10:1: error: teams: duplicate key 'teams'"},
      // judge.slurm: handed to sbatch, so checked here rather than by sbatch on every node.
      {kBase + "judge:\n  slurm:\n    partition: \"a b\"\n",
       "{F}:12:16: error: judge.slurm.partition: expected letters, digits, '_', '-', '.' and ',' (at most "
       "256 "
       "characters), got \"a b\""},
      {kBase + "judge:\n  slurm:\n    constraint: \"a;b\"\n",
       "{F}:12:17: error: judge.slurm.constraint: expected letters, digits, '_', '-', '.' and '&|[]()*:,!' "
       "(at "
       "most 256 characters), got \"a;b\""},
      {kBase + "judge:\n  slurm:\n    constraint: {tiny-regresion: x}\n",
       "{F}:12:18: error: judge.slurm.constraint.tiny-regresion: unknown key 'tiny-regresion'; did you mean "
       "'tiny-regression'?"},
      {kBase + "judge:\n  slurm:\n    acount: x\n",
       "{F}:12:5: error: judge.slurm.acount: unknown key 'acount'; did you mean 'account'?"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const std::string dir_marker = "{DIR}";
    std::string got = error_of(c.text);
    // Paths inside messages are under the temporary folder: compare from the marker on.
    const std::string expected = c.error;
    if (expected.find(dir_marker) != std::string::npos) {
      const std::string tail = expected.substr(expected.find(dir_marker) + dir_marker.size());
      CHECK(got.substr(0, expected.find(dir_marker)) == expected.substr(0, expected.find(dir_marker)));
      CHECK(got.size() >= tail.size());
      CHECK(got.substr(got.size() - tail.size()) == tail);
    } else {
      CHECK(got == expected);
    }
  }
}

TEST_CASE("an error in a challenge file points into that file") {
  const fs::path dir = testing::temp_dir("badchallenge");
  const std::string yaml = testing::read_file(kTiny + "/challenge.yaml");
  write(dir / "c", "challenge.yaml", replace_all(yaml, "ms_per_batch: 300", "ms_per_batch: -3"));
  const std::string file = write(dir, "e.yaml", replace_all(kBase, "{TINY}", "c"));
  CHECK_THROWS_WITH_AS(load_event(file),
                       doctest::Contains("c/challenge.yaml:41:17: error: limits.ms_per_batch"), ConfigError);
}

TEST_CASE("where plugins are found") {
  const fs::path dir = testing::temp_dir("find");
  auto touch = [&](const fs::path& p) {
    write(p.parent_path(), p.filename().string(), "not really a library");
  };
  const std::string file = write(dir, "e.yaml",
                                 "schema: 1\n"
                                 "name: e\n"
                                 "challenges: [" +
                                     kTiny + ", " + kRegression +
                                     "]\n"
                                     "teams:\n"
                                     "  - name: one\n"
                                     "    plugin: libs/one.so\n"
                                     "  - name: map\n"
                                     "    plugins: {tiny-regression: libs/map.so}\n"
                                     "  - name: flat\n"
                                     "    folder: teams/flat\n"
                                     "  - name: nested\n"
                                     "    folder: teams/nested\n"
                                     "  - name: nobody\n"
                                     "    folder: teams/nobody\n"
                                     "  - name: sub\n"
                                     "store: store\n");
  const EventConfig e = load_event(file);
  auto find = [&](const std::string& team, const std::string& challenge) {
    return find_plugin(*e.find_team(team), challenge);
  };

  SUBCASE("configured files must exist") {
    CHECK_THROWS_WITH_AS(find("one", "tiny-regression"),
                         doctest::Contains("e.yaml:6:13: error: no such plugin library: "), ConfigError);
    touch(dir / "libs/one.so");
    CHECK(find("one", "tiny-regression") == dir / "libs/one.so");
    CHECK(find("one", "synthetic-regression") == dir / "libs/one.so");
    touch(dir / "libs/map.so");
    CHECK(find("map", "tiny-regression") == dir / "libs/map.so");
    CHECK_FALSE(find("map", "synthetic-regression"));  // the team does not enter it
  }
  SUBCASE("folders by convention: <folder>/<challenge-id>.so or the one .so in <folder>/<challenge-id>/") {
    touch(dir / "teams/flat/tiny-regression.so");
    CHECK(find("flat", "tiny-regression") == dir / "teams/flat/tiny-regression.so");
    CHECK_FALSE(find("flat", "synthetic-regression"));
    touch(dir / "teams/nested/tiny-regression/model-v3.so");
    touch(dir / "teams/nested/tiny-regression/README.txt");
    CHECK(find("nested", "tiny-regression") == dir / "teams/nested/tiny-regression/model-v3.so");

    touch(dir / "teams/nested/tiny-regression/model-v4.so");
    const std::string several =
        "e.yaml:12:13: error: team 'nested': " + (dir / "teams/nested/tiny-regression").string() +
        " holds several libraries (model-v3.so, model-v4.so) and no submission ledger "
        "names one; keep one";
    CHECK_THROWS_WITH_AS(find("nested", "tiny-regression"), doctest::Contains(several.c_str()), ConfigError);
    // The team's submission ledger names the latest.
    write(dir / "teams/nested", "submissions.json",
          R"({"schema": 1, "kind": "gauntlet.submissions", "team": "nested", "submissions": [
               {"challenge": "tiny-regression", "sha256": "a", "file": "tiny-regression/model-v4.so"},
               {"challenge": "tiny-regression", "sha256": "b", "file": "tiny-regression/model-v3.so"}]})");
    CHECK(find("nested", "tiny-regression") == dir / "teams/nested/tiny-regression/model-v3.so");
  }
  SUBCASE("a configured folder must exist; the submission folder need not") {
    CHECK_THROWS_WITH_AS(find("nobody", "tiny-regression"),
                         doctest::Contains("e.yaml:14:13: error: no such team folder: "), ConfigError);
    CHECK_FALSE(find("sub", "tiny-regression"));
  }
  SUBCASE("the plan has a job per plugin, and knows who has none") {
    touch(dir / "libs/one.so");
    touch(dir / "libs/map.so");
    for (const char* f : {"teams/nobody", "teams/flat", "teams/nested"}) fs::create_directories(dir / f);
    const Plan plan = plan_jobs(e, "public");
    CHECK(plan.jobs.size() == 3);            // one x2, map x1
    CHECK(plan.without_plugin.size() == 9);  // 6 teams x 2 challenges - 3
    for (const auto& j : plan.jobs) {
      CHECK(j.key.size() == 64);
      CHECK(j.state == store::RecordState::missing);
      CHECK(j.record.string().find("/store/public/") != std::string::npos);
    }
    // The two jobs of team `one` use the same library on different challenges: two keys.
    CHECK(plan.jobs[0].key != plan.jobs[2].key);
    const auto d = describe_event(e, &plan);
    CHECK(d["teams"].size() == 6);
    CHECK(d["challenges"][1]["teams_without_plugin"].size() == 5);
    CHECK(d.dump().find("score\":{\"formula\":\"-mse\"") != std::string::npos);
    CHECK(plan.plugin_problems.empty());
  }
  SUBCASE("a plugin that cannot be taken is that team's problem alone, said once with its place") {
    fs::create_directories(dir / "libs/one.so");  // a folder where the library should be
    fs::create_directories(dir / "libs");
    fs::create_symlink("gone.so", dir / "libs/map.so");  // a dangling link
    for (const char* f : {"teams/flat", "teams/nested"}) fs::create_directories(dir / f);
    const Plan plan = plan_jobs(e, "public");
    CHECK(plan.jobs.empty());
    CHECK(plan.without_plugin.size() == 12);    // every team, both challenges
    REQUIRE(plan.plugin_problems.size() == 3);  // once each for one (two challenges), map, nobody
    CHECK(plan.plugin_problems[0].find("e.yaml:6:13: error: plugin library ") != std::string::npos);
    CHECK(plan.plugin_problems[0].find(": a folder, not a file") != std::string::npos);
    CHECK(plan.plugin_problems[1].find("a symbolic link to 'gone.so', which does not exist") !=
          std::string::npos);
    CHECK(plan.plugin_problems[2].find("e.yaml:14:13: error: no such team folder: ") != std::string::npos);
  }
  SUBCASE("a folder team's ledger naming a file outside its folder: refused, nothing of it judged") {
    touch(dir / "libs/one.so");
    touch(dir / "libs/map.so");
    touch(dir / "teams/nested/tiny-regression.so");  // another team's library
    touch(dir / "teams/flat/tiny-regression/a.so");  // two of its own: the ledger decides
    touch(dir / "teams/flat/tiny-regression/b.so");
    fs::create_directories(dir / "teams/nobody");
    write(dir / "teams/flat", "submissions.json",
          R"({"schema": 1, "kind": "gauntlet.submissions", "team": "flat", "submissions": [
               {"challenge": "tiny-regression", "sha256": "a", "file": "../nested/tiny-regression.so"}]})");
    const Plan plan = plan_jobs(e, "public");
    for (const auto& j : plan.jobs) CHECK(j.team != "flat");
    REQUIRE(plan.plugin_problems.size() == 1);
    CHECK(plan.plugin_problems[0].find("team 'flat': its submission ledger") != std::string::npos);
    CHECK(plan.plugin_problems[0].find("outside the team folder") != std::string::npos);
  }
}

TEST_CASE("the ETA counts each challenge's jobs at that challenge's pace") {
  // Nothing known yet: no figure rather than a guess.
  EtaEstimate none({{"slow", 2}, {"quick", 2}}, {}, 1);
  CHECK_FALSE(none.remaining_seconds());

  // Earlier runs say a slow job takes 30 s and a quick one 1 s: 2 x 30 + 2 x 1 on one core.
  EtaEstimate eta({{"slow", 2}, {"quick", 2}}, {{"slow", 30.0}, {"quick", 1.0}}, 1);
  CHECK(*eta.remaining_seconds() == doctest::Approx(62));
  // A quick job done first does not make the slow ones quick (the old rule said 0:01 here).
  eta.job_finished("quick", 1.0);
  CHECK(*eta.remaining_seconds() == doctest::Approx(61));
  // This run's own pace replaces the history once a job of that challenge finished.
  eta.job_finished("slow", 20.0);
  CHECK(*eta.remaining_seconds() == doctest::Approx(21));
  eta.job_added("slow");  // judged once more later
  CHECK(*eta.remaining_seconds() == doctest::Approx(41));

  // Two at a time halves it; a challenge without any figure counts at the known mean.
  EtaEstimate two({{"a", 2}, {"b", 2}}, {{"a", 10.0}}, 2);
  CHECK(*two.remaining_seconds() == doctest::Approx((2 * 10 + 2 * 10) / 2.0));
}

TEST_CASE("seconds per job from the store: the median of each challenge's stored results") {
  const fs::path dir = gauntlet::testing::temp_dir("eta-store");
  auto record = [&](const std::string& challenge, const std::string& team, double seconds) {
    nlohmann::json j = {{"kind", "gauntlet.store_record"},
                        {"key", "k"},
                        {"split", "public"},
                        {"result", {{"challenge", {{"id", challenge}}}, {"seconds", {{"total", seconds}}}}}};
    fs::create_directories(dir / "public" / challenge / team);
    std::ofstream(dir / "public" / challenge / team / "k.json") << j.dump();
  };
  record("slow", "a", 30);
  record("slow", "b", 50);
  record("slow", "c", 31);
  record("quick", "a", 1.5);
  const auto seconds = seconds_per_job_in_store(dir, "public");
  CHECK(seconds.at("slow") == doctest::Approx(31));
  CHECK(seconds.at("quick") == doctest::Approx(1.5));
  CHECK(seconds_per_job_in_store(dir, "private").empty());
}

TEST_CASE("cores per job") {
  CHECK(default_jobs(1) == 1);
  CHECK(default_jobs(2) == 1);
  CHECK(default_jobs(7) == 3);
  CHECK(assign_cpus({0, 1, 2, 3}, 2) == std::vector<std::vector<int>>{{0, 1}, {2, 3}});
  CHECK(assign_cpus({0, 1, 2, 3, 4}, 2) == std::vector<std::vector<int>>{{0, 1}, {2, 3}});
  CHECK(assign_cpus({4, 6}, 1) == std::vector<std::vector<int>>{{4, 6}});
  CHECK(assign_cpus({0, 1}, 3) == std::vector<std::vector<int>>{{0}, {1}, {0}});  // shared: the caller warns
  CHECK(cpu_list_text({0, 1}) == "0,1");
  CHECK(cpu_list_text({0, 1, 2, 3, 6}) == "0-3,6");
  CHECK_FALSE(usable_cpus().empty());
}
