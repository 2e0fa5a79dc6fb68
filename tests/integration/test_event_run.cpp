// `gauntlet run`, `leaderboard` and `submit` driven as an organizer would, on small events over
// the tiny test challenge: a run killed with SIGKILL resumes without losing or judging any job
// twice; the private split never shows in a public output; submissions are checked and capped.
#include <doctest/doctest.h>

#include "support/run_command.hpp"
#include "support/store_files.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

using gauntlet::testing::gauntlet_binary;
using gauntlet::testing::read_file;
using gauntlet::testing::run_command;
using gauntlet::testing::sample_plugin;
using gauntlet::testing::spawn_command;
using gauntlet::testing::test_plugin;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kTiny = gauntlet::testing::source_path("tests/data/tiny-regression");

std::string write_config(const fs::path& dir, const std::string& body) {
  fs::create_directories(dir);
  const fs::path file = dir / "event.yaml";
  std::ofstream(file) << "schema: 1\nname: test-event\ntitle: Test event\nchallenges: [" << kTiny << "]\n"
                      << body << "store: store\n";
  return file.string();
}

// The records in the store's split folder: path -> (inode, mtime in ns, recorded_at_ns).
struct RecordFile {
  ino_t inode;
  int64_t mtime_ns;
  int64_t recorded_at_ns;
  bool operator==(const RecordFile&) const = default;
};
std::map<std::string, RecordFile> records(const fs::path& store, const std::string& split = "public") {
  std::map<std::string, RecordFile> out;
  for (const auto& f : gauntlet::testing::record_files(store, split)) {
    const json j = json::parse(read_file(f.path));
    out[f.path.string()] = {f.inode, f.mtime_ns, j["recorded_at_ns"].get<int64_t>()};
  }
  return out;
}

// Teams whose record exists, each counted.
std::map<std::string, int> records_per_team(const fs::path& store) {
  std::map<std::string, int> n;
  for (const auto& [path, r] : records(store)) ++n[fs::path(path).parent_path().filename().string()];
  return n;
}

// Number tokens of a text ("-0.123", "17", "4.5e-3"), for exact comparisons (no substrings).
std::set<std::string> number_tokens(const std::string& text) {
  static const std::regex number(R"(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), number), end; it != end; ++it) out.insert(it->str());
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Every way the outputs may print a record's score and metrics.
std::set<std::string> value_strings(const fs::path& store, const std::string& split) {
  std::set<std::string> out;
  for (const auto& [path, r] : records(store, split)) {
    const json j = json::parse(read_file(path));
    const json& result = j["result"];
    std::vector<double> values;
    if (result["score"].is_object()) values.push_back(result["score"]["value"].get<double>());
    for (const auto& [name, v] : result["metrics"].items()) values.push_back(v.get<double>());
    for (double v : values) {
      for (int d : {3, 4, 6}) out.insert(fixed(v, d));
      out.insert(json(v).dump());
    }
  }
  return out;
}

}  // namespace

TEST_CASE("a run killed with SIGKILL resumes: no job lost, none judged twice") {
  const fs::path dir = gauntlet::testing::temp_dir("resume");
  std::string teams = "teams:\n";
  for (int i = 1; i <= 6; ++i)
    teams += "  - {name: slow" + std::to_string(i) + ", plugin: " + test_plugin("slow_plugin") + "}\n";
  teams += "  - {name: zero, plugin: " + test_plugin("null_plugin") + "}\n";
  teams += "  - {name: broken, plugin: " + test_plugin("error_status") + "}\n";
  // One attempt per job: on a busy machine a retry would judge a job twice, which this test
  // is about to forbid (retries have their own test).
  const std::string config = write_config(dir, teams + "jobs: 1\njudge: {attempts: 1}\n");
  const fs::path store = dir / "store";
  constexpr int kJobs = 8;

  // Kill the first run once it has stored two results.
  const pid_t pid = spawn_command({gauntlet_binary(), "run", config}, dir / "run1.out", dir / "run1.err");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (records(store).size() < 2 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO("first run: " << read_file(dir / "run1.err"));
  REQUIRE(WIFSIGNALED(status));
  const auto before = records(store);
  REQUIRE(before.size() >= 2);
  REQUIRE(before.size() < kJobs);  // killed in the middle, not after the end

  // The killed judge's workers died with it (PR_SET_PDEATHSIG): none still runs the plugin.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // Found by what they are, not by their command line (which a worker does not show): the
  // worker executable with the plugin mapped.
  int leftovers = 0, workers_seen = 0;
  for (const auto& p : fs::directory_iterator("/proc")) {
    std::error_code ec;
    if (fs::read_symlink(p.path() / "exe", ec).filename() != "gauntlet-worker") continue;
    ++workers_seen;
    if (read_file(p.path() / "maps").find("libslow_plugin.so") != std::string::npos) ++leftovers;
  }
  INFO(workers_seen << " gauntlet-worker processes on the machine");
  CHECK(leftovers == 0);

  // The second run judges only what is missing, two jobs at a time.
  auto second = run_command({gauntlet_binary(), "run", config, "--jobs", "2", "--no-leaderboard"});
  INFO("second run: " << second.err);
  CHECK(second.exit_code == 0);
  const std::string expected_done = std::to_string(kJobs - before.size()) + " judged, " +
                                    std::to_string(before.size()) + " skipped (already stored)";
  CHECK(second.err.find(expected_done) != std::string::npos);
  CHECK(second.err.find("2 jobs at a time") != std::string::npos);

  // Every job has exactly one record; the ones stored before the kill were not touched.
  const auto after = records(store);
  CHECK(after.size() == kJobs);
  const auto per_team = records_per_team(store);
  for (const auto& [team, n] : per_team) CHECK_MESSAGE(n == 1, team);
  CHECK(per_team.size() == kJobs);
  for (const auto& [path, r] : before) {
    REQUIRE(after.count(path));
    CHECK(after.at(path).inode == r.inode);
    CHECK(after.at(path).mtime_ns == r.mtime_ns);
    CHECK(after.at(path).recorded_at_ns == r.recorded_at_ns);
  }
  // A failing plugin is a stored result like any other (and did not stop the event).
  bool saw_failure = false;
  for (const auto& [path, r] : after)
    if (json::parse(read_file(path))["result"]["verdict"] == "PLUGIN_ERROR") saw_failure = true;
  CHECK(saw_failure);

  // A third run has nothing to do.
  auto third = run_command({gauntlet_binary(), "run", config, "--no-leaderboard"});
  CHECK(third.exit_code == 0);
  CHECK(third.err.find("0 judged, " + std::to_string(kJobs) + " skipped") != std::string::npos);
  CHECK(records(store) == after);
}

TEST_CASE("the private split never shows in public outputs") {
  const fs::path dir = gauntlet::testing::temp_dir("privacy");
  fs::create_directories(dir / "empty-team");
  const std::string config = write_config(dir,
                                          "teams:\n"
                                          "  - {name: zero, plugin: " +
                                              test_plugin("null_plugin") +
                                              "}\n"
                                              "  - {name: ls, plugin: " +
                                              sample_plugin("least_squares") +
                                              "}\n"
                                              "  - {name: broken, plugin: " +
                                              test_plugin("error_status") +
                                              "}\n"
                                              "  - {name: absent, folder: empty-team}\n");
  const fs::path store = dir / "store";
  const std::vector<std::string> formats{"table", "csv", "json", "markdown", "html"};
  auto public_outputs = [&](const std::string& source) {
    std::map<std::string, std::string> out;
    for (const auto& f : formats) {
      auto r = run_command({gauntlet_binary(), "leaderboard", source, "--format", f, "--out",
                            (dir / ("public." + f)).string()});
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      out[f] = read_file(dir / ("public." + f));
    }
    // The default (no --split) is public.
    auto table = run_command({gauntlet_binary(), "leaderboard", source});
    REQUIRE(table.exit_code == 0);
    out["default"] = table.out;
    return out;
  };

  // Only the private split judged so far.
  auto priv = run_command({gauntlet_binary(), "run", config, "--split", "private"});
  INFO(priv.out << priv.err);
  REQUIRE(priv.exit_code == 0);
  CHECK(records(store, "private").size() == 3);
  CHECK(records(store, "public").empty());
  const std::set<std::string> secret = value_strings(store, "private");
  REQUIRE(secret.size() > 6);
  // The run itself printed no private score: the organizer asks for them by name.
  for (const auto& t : number_tokens(priv.out + priv.err)) CHECK_MESSAGE(!secret.count(t), t);
  CHECK(priv.err.find("--split private") != std::string::npos);

  for (const std::string& source : {config, store.string()}) {
    for (const auto& [format, text] : public_outputs(source)) {
      INFO(source << " " << format);
      for (const auto& t : number_tokens(text)) CHECK_MESSAGE(!secret.count(t), t);
      // (Markdown escapes every special character, the underscore included.)
      CHECK((text.find("NOT_JUDGED") != std::string::npos || text.find("NOT\\_JUDGED") != std::string::npos));
    }
  }
  for (const auto& t : number_tokens(read_file(store / "event.json"))) CHECK_MESSAGE(!secret.count(t), t);

  // Asked for by name, the private leaderboard shows them.
  auto asked =
      run_command({gauntlet_binary(), "leaderboard", config, "--split", "private", "--format", "csv"});
  CHECK(asked.exit_code == 0);
  int shown = 0;
  for (const auto& t : number_tokens(asked.out)) shown += secret.count(t) > 0;
  CHECK(shown >= 4);

  // Now the public split too: public outputs show public values and still no private-only one.
  auto pub = run_command({gauntlet_binary(), "run", config});
  INFO(pub.err);
  REQUIRE(pub.exit_code == 0);
  CHECK(pub.out.find("HTML leaderboard: ") != std::string::npos);
  CHECK(fs::exists(store / "leaderboard-public.html"));
  CHECK_FALSE(fs::exists(store / "leaderboard-private.html"));
  const std::set<std::string> open = value_strings(store, "public");
  std::set<std::string> private_only;
  for (const auto& s : secret)
    if (!open.count(s) && s.find('.') != std::string::npos && s.size() >= 6) private_only.insert(s);
  REQUIRE(private_only.size() > 4);
  for (const auto& [format, text] : public_outputs(config)) {
    INFO(format);
    const auto tokens = number_tokens(text);
    for (const auto& t : tokens) CHECK_MESSAGE(!private_only.count(t), t);
    int public_shown = 0;
    for (const auto& t : tokens) public_shown += open.count(t) > 0;
    CHECK(public_shown >= 2);
  }
  // Failures and missing entries are ranked after the scored ones with their verdicts.
  const json board = json::parse(read_file(dir / "public.json"));
  const auto& rows = board["challenges"][0]["rows"];
  REQUIRE(rows.size() == 4);
  CHECK(rows[0]["team"] == "ls");
  CHECK(rows[0]["rank"] == 1);
  CHECK(rows[1]["team"] == "zero");
  CHECK(rows[1]["rank"] == 2);
  CHECK(rows[2]["team"] == "broken");
  CHECK(rows[2]["verdict"] == "PLUGIN_ERROR");
  CHECK(rows[2]["rank"].is_null());
  CHECK(rows[3]["team"] == "absent");
  CHECK(rows[3]["verdict"] == "NO_PLUGIN");
}

TEST_CASE("submissions: checked through the worker, stored under their SHA-256, capped per team") {
  const fs::path dir = gauntlet::testing::temp_dir("submit");
  const std::string config = write_config(dir,
                                          "teams:\n"
                                          "  - name: alpha\n"
                                          "  - name: beta\n"
                                          "  - {name: fixed, plugin: " +
                                              test_plugin("null_plugin") +
                                              "}\n"
                                              "submissions:\n"
                                              "  folder: subs\n"
                                              "  max_per_team: 2\n");
  auto submit = [&](const std::string& team, const std::string& library,
                    const std::string& challenge = "tiny-regression") {
    return run_command(
        {gauntlet_binary(), "submit", "--event", config, "--team", team, "--challenge", challenge, library});
  };

  auto first = submit("alpha", test_plugin("null_plugin"));
  INFO(first.out << first.err);
  CHECK(first.exit_code == 0);
  CHECK(first.out.find("recorded submission 1 of 2 of team 'alpha' on tiny-regression") != std::string::npos);
  auto again = submit("alpha", test_plugin("null_plugin"));
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("already submitted") != std::string::npos);
  auto second = submit("alpha", test_plugin("slow_plugin"));
  CHECK(second.exit_code == 0);
  CHECK(second.out.find("recorded submission 2 of 2") != std::string::npos);
  auto third = submit("alpha", test_plugin("error_status"));
  CHECK(third.exit_code == 1);
  CHECK(third.err.find(
            "team 'alpha' has used all 2 submissions on tiny-regression (submissions.max_per_team in ") !=
        std::string::npos);

  const json ledger = json::parse(read_file(dir / "subs/alpha/submissions.json"));
  REQUIRE(ledger["submissions"].size() == 2);
  for (const auto& s : ledger["submissions"]) {
    const std::string sha = s["sha256"];
    CHECK(s["file"] == "tiny-regression/" + sha + ".so");
    CHECK(fs::exists(dir / "subs/alpha" / s["file"].get<std::string>()));
  }

  // A library that does not load is refused and nothing is recorded.
  const std::string not_a_library = std::string(GAUNTLET_TEST_PLUGIN_DIR) + "/not_a_library.so";
  auto bad = submit("beta", not_a_library);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("refused, nothing recorded: LOAD_ERROR") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "subs/beta/submissions.json"));

  // Names are checked.
  auto typo = submit("alpah", test_plugin("null_plugin"));
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("no team 'alpah'") != std::string::npos);
  CHECK(typo.err.find("did you mean 'alpha'?") != std::string::npos);
  auto challenge = submit("alpha", test_plugin("null_plugin"), "tiny");
  CHECK(challenge.exit_code == 2);
  auto fixed_team = submit("fixed", test_plugin("null_plugin"));
  CHECK(fixed_team.exit_code == 2);
  CHECK(fixed_team.err.find("has its plugins set in") != std::string::npos);

  // The run judges each team's latest submission; a team without one shows NO_PLUGIN.
  auto run = run_command({gauntlet_binary(), "run", config, "--no-leaderboard"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  const auto latest = ledger["submissions"][1]["sha256"].get<std::string>();
  bool judged_latest = false;
  for (const auto& [path, r] : records(dir / "store"))
    if (path.find("/alpha/") != std::string::npos)
      judged_latest = json::parse(read_file(path))["job"]["plugin_sha256"] == latest;
  CHECK(judged_latest);
  auto board = run_command({gauntlet_binary(), "leaderboard", config, "--format", "json"});
  const json rows = json::parse(board.out)["challenges"][0]["rows"];
  REQUIRE(rows.size() == 3);
  CHECK(rows[2]["team"] == "beta");
  CHECK(rows[2]["verdict"] == "NO_PLUGIN");
}

TEST_CASE("a bad event config: one located error, exit 2, nothing written") {
  const fs::path dir = gauntlet::testing::temp_dir("badcfg");
  const std::string config = write_config(dir, "teams:\n  - {name: a, plugin: nowhere.so}\nsplt: public\n");
  auto r = run_command({gauntlet_binary(), "run", config});
  CHECK(r.exit_code == 2);
  CHECK(r.err == config + ":7:1: error: splt: unknown key 'splt'; did you mean 'split'?\n");
  CHECK_FALSE(fs::exists(dir / "store"));
}

TEST_CASE("a team whose plugin is missing is NO_PLUGIN there; the event still judges the others") {
  const std::string config = write_config(
      gauntlet::testing::temp_dir("missing"),
      "teams:\n  - {name: a, plugin: nowhere.so}\n  - {name: b, plugin: " + test_plugin("null_plugin") +
          "}\n");
  auto m = run_command({gauntlet_binary(), "run", config, "--no-leaderboard"});
  INFO(m.err);
  CHECK(m.exit_code == 0);
  // Said once, located, before the judging.
  const auto warning = m.err.find(":6:23: error: no such plugin library: ");
  CHECK(warning != std::string::npos);
  CHECK(m.err.find(":6:23: error: no such plugin library: ", warning + 1) == std::string::npos);
  auto board = run_command({gauntlet_binary(), "leaderboard", config, "--format", "json"});
  REQUIRE(board.exit_code == 0);
  const json rows = json::parse(board.out)["challenges"][0]["rows"];
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["team"] == "b");
  CHECK(rows[0]["verdict"] == "OK");
  CHECK(rows[1]["team"] == "a");
  CHECK(rows[1]["verdict"] == "NO_PLUGIN");
}

TEST_CASE("--backend flags: one line each, exit 2; no Slurm to answer: exit 1; nothing written either way") {
  const fs::path dir = gauntlet::testing::temp_dir("backend-flags");
  const std::string config =
      write_config(dir, "teams:\n  - {name: a, plugin: " + test_plugin("null_plugin") + "}\n");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--backend", "pbs"}, "gauntlet run: --backend must be 'local' or 'slurm', not 'pbs'\n"},
      {{"--partition", "p"},
       "gauntlet run: --partition, --account and --max-array go with --backend slurm\n"},
      {{"--backend", "slurm", "--max-array", "0"}, "gauntlet run: --max-array must be at least 1\n"},
      {{"--backend", "slurm", "--jobs", "2"},
       "gauntlet run: --jobs goes with --backend local (on Slurm every job is a task of its own; --max-array "
       "caps "
       "how many run at once)\n"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> argv{gauntlet_binary(), "run", config};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const auto r = run_command(argv);
    INFO(flags.front());
    CHECK(r.exit_code == 2);
    CHECK(r.err == message);
  }
  // Slurm's commands not found (no PATH to them): said before the store is touched.
  const char* path = std::getenv("PATH");
  const std::string saved = path ? path : "";
  ::setenv("PATH", "/nonexistent", 1);
  const auto r = run_command({gauntlet_binary(), "run", config, "--backend", "slurm"});
  ::setenv("PATH", saved.c_str(), 1);
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "gauntlet run: --backend slurm: Slurm does not answer here (cannot run squeue: No such file or "
        "directory); "
        "see docs/cluster.md\n");
  CHECK_FALSE(fs::exists(dir / "store"));
}

TEST_CASE(
    "a judge-side failure is judged again within the run, at most store::kMaxAttempts times, then stands") {
  // A challenge whose data cannot be read: every attempt fails on the judge's side.
  const fs::path dir = gauntlet::testing::temp_dir("event-retry");
  fs::create_directories(dir / "broken");
  std::ofstream(dir / "broken" / "images.idx") << "not an IDX file";
  std::ofstream(dir / "broken" / "labels.idx") << "not an IDX file";
  std::string yaml = read_file(gauntlet::testing::source_path("tests/data/hostile-classes/challenge.yaml"));
  yaml = std::regex_replace(yaml, std::regex("id: hostile-classes"), "id: broken-data");
  yaml = std::regex_replace(yaml, std::regex("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                            "images.idx");
  yaml = std::regex_replace(yaml, std::regex("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"),
                            "labels.idx");
  std::ofstream(dir / "broken" / "challenge.yaml") << yaml;
  const fs::path config = dir / "event.yaml";
  std::ofstream(config) << "schema: 1\nname: retry-event\ntitle: Retry\nchallenges: ["
                        << (dir / "broken").string()
                        << "]\nteams:\n  - name: alpha\n    plugin: " << test_plugin("null_plugin")
                        << "\nstore: store\n";
  auto first = run_command({gauntlet_binary(), "run", config.string(), "--no-leaderboard"});
  INFO(first.out << first.err);
  CHECK(first.exit_code == 1);
  CHECK(first.err.find("judged again later (attempt 2 of 3)") != std::string::npos);
  CHECK(first.err.find("judged again later (attempt 3 of 3)") != std::string::npos);
  CHECK(first.err.find("3 judged") != std::string::npos);
  CHECK(first.err.find("2 judged again, 1 JUDGE_ERROR") != std::string::npos);
  std::vector<json> stored;
  for (const auto& f : fs::recursive_directory_iterator(dir / "store" / "public"))
    if (f.path().extension() == ".json" && f.path().filename().string()[0] != '.')
      stored.push_back(json::parse(read_file(f.path())));
  REQUIRE(stored.size() == 1);
  CHECK(stored[0]["attempts"] == 3);
  CHECK(stored[0]["result"]["verdict"] == "JUDGE_ERROR");
  // The next run leaves it alone: a broken machine (or a plugin) cannot have it judged forever.
  auto second = run_command({gauntlet_binary(), "run", config.string(), "--no-leaderboard"});
  INFO(second.out << second.err);
  CHECK(second.err.find("0 judged, 1 skipped") != std::string::npos);
}

TEST_CASE("--rejudge --team and --challenge judge again only what they name") {
  const fs::path dir = gauntlet::testing::temp_dir("rejudge-filter");
  const std::string config =
      write_config(dir, "teams:\n  - {name: alpha, plugin: " + test_plugin("null_plugin") +
                            "}\n  - {name: beta, plugin: " + test_plugin("null_plugin") + "}\n");
  const auto first = run_command({gauntlet_binary(), "run", config, "--no-leaderboard"});
  REQUIRE(first.exit_code == 0);
  // --no-leaderboard keeps the table off stdout; the HTML page is refreshed all the same.
  CHECK(first.out.empty());
  CHECK(read_file(dir / "store" / "leaderboard-public.html").find("beta") != std::string::npos);
  const auto before = records(dir / "store");
  REQUIRE(before.size() == 2);

  auto r = run_command({gauntlet_binary(), "run", config, "--no-leaderboard", "--rejudge", "--team", "beta"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("1 stored result judged again (teams: beta)") != std::string::npos);
  const auto after = records(dir / "store");
  for (const auto& [path, record] : after) {
    const bool beta = path.find("/beta/") != std::string::npos;
    CHECK_MESSAGE((record == before.at(path)) != beta, path);  // beta's record replaced, alpha's untouched
  }

  // A name the event does not have: one line, the closest name, nothing judged.
  auto typo = run_command({gauntlet_binary(), "run", config, "--rejudge", "--team", "bet"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err == "gauntlet run: the event has no team 'bet'; did you mean 'beta'?\n");
  auto without = run_command({gauntlet_binary(), "run", config, "--challenge", "tiny-regression"});
  CHECK(without.exit_code == 2);
  CHECK(without.err.find("add --rejudge") != std::string::npos);
  CHECK(records(dir / "store") == after);
}
