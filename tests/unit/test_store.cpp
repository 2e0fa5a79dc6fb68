// The result store: job keys, record paths, atomic records, what a resumed run skips, that a
// split is read alone, the run lock, and the timing noise stored for leaderboards.
#include <doctest/doctest.h>

#include "challenge/challenge_loader.hpp"
#include "common/errors.hpp"
#include "scoring/score.hpp"
#include "store/result_store.hpp"
#include "support/run_command.hpp"

#include <filesystem>
#include <fstream>
#include <set>

using namespace gauntlet;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

store::JobIdentity identity() {
  return store::JobIdentity{std::string(64, 'a'), std::string(64, 'b'), "public", 100, 200, 7,
                            std::string(64, 'c'), std::string(64, 'd')};
}

Challenge tiny() { return load_challenge(testing::source_path("tests/data/tiny-regression")); }

// A result as judge_plugin() would make it, without running anything.
judge::JudgeResult result(const Challenge& c, double mse, judge::Verdict verdict = judge::Verdict::ok) {
  judge::JudgeResult r;
  r.challenge_id = c.id;
  r.challenge_sha256 = c.sha256;
  r.plugin_path = "/x/libp.so";
  r.plugin_sha256 = std::string(64, 'a');
  r.split = "public";
  r.decision = judge::Decision{verdict, verdict == judge::Verdict::ok ? "" : "it failed"};
  LatencySummary b1;
  b1.batch_size = 1;
  b1.p50_ms = 2.0;
  b1.spread = 0.2;
  LatencySummary b16 = b1;
  b16.batch_size = 16;
  b16.p50_ms = 10;
  b16.spread = 0.1;
  b16.throughput = 1600;
  r.latency = {b1, b16};
  r.variables = {{"mse", mse},         {"mae", mse / 2},    {"latency_ms", 2.0}, {"latency_ms_p50_b1", 2.0},
                 {"throughput", 1600}, {"train_seconds", 0}};
  if (verdict == judge::Verdict::ok) r.score = evaluate_score(c.score, r.variables);
  return r;
}

json make(const Challenge& c, const std::string& team, double mse, const std::string& split = "public",
          judge::Verdict verdict = judge::Verdict::ok) {
  auto job = identity();
  job.split = split;
  job.challenge_sha256 = c.sha256;
  auto r = result(c, mse, verdict);
  r.split = split;
  return store::make_record(r, report::Environment{}, c, team, store::EventIdentity{"ev", "Ev", "cfg"}, job);
}

}  // namespace

TEST_CASE("job keys: stable, and different when anything judged differs") {
  const auto base = identity();
  const std::string key = store::job_key(base);
  CHECK(key.size() == 64);
  CHECK(store::job_key(base) == key);
  std::set<std::string> keys{key};
  auto changed = [&](auto edit) {
    auto j = base;
    edit(j);
    return keys.insert(store::job_key(j)).second;
  };
  CHECK(changed([](auto& j) { j.plugin_sha256[0] = 'c'; }));
  CHECK(changed([](auto& j) { j.rules_sha256 = "other rules"; }));
  CHECK(changed([](auto& j) { j.data_sha256 = "other data"; }));
  // The challenge file's own bytes are not keyed: a comment edit keeps every result.
  CHECK_FALSE(changed([](auto& j) { j.challenge_sha256[0] = 'c'; }));
  CHECK(changed([](auto& j) { j.split = "private"; }));
  CHECK(changed([](auto& j) { j.limit = 101; }));
  CHECK(changed([](auto& j) { j.train_limit = -1; }));
  CHECK(changed([](auto& j) { j.seed = 8; }));
}

TEST_CASE("record paths: <store>/<split>/<challenge>/<team>/<key>.json, nothing that climbs out") {
  CHECK(store::record_path("/s", "public", "fashion-mnist", "team_1", "k1") ==
        "/s/public/fashion-mnist/team_1/k1.json");
  CHECK(store::record_path("/s", "private", "c", "t", "k") == "/s/private/c/t/k.json");
  CHECK_THROWS_AS(store::record_path("/s", "all", "c", "t", "k"), UsageError);
  CHECK_THROWS_AS(store::record_path("/s", "public", "..", "t", "k"), UsageError);
  CHECK_THROWS_AS(store::record_path("/s", "public", "c", "a/b", "k"), UsageError);
  CHECK_THROWS_AS(store::record_path("/s", "public", "c", "", "k"), UsageError);
}

TEST_CASE("records round-trip and say what a resumed run must do") {
  const Challenge c = tiny();
  const fs::path dir = testing::temp_dir("store");
  const json rec = make(c, "t", 0.5);
  const std::string key = rec["key"];
  CHECK(key == store::job_key([&] {
          auto j = identity();
          j.challenge_sha256 = c.sha256;
          return j;
        }()));
  const fs::path path = store::record_path(dir, "public", c.id, "t", key);

  CHECK(store::record_state(path, key) == store::RecordState::missing);
  store::write_record(path, rec);  // creates the folders
  CHECK(store::record_state(path, key) == store::RecordState::stored);
  const auto back = store::read_record(path);
  REQUIRE(back);
  CHECK((*back)["team"] == "t");
  CHECK((*back)["result"]["verdict"] == "OK");
  CHECK((*back)["result"]["score"]["value"].get<double>() == doctest::Approx(-0.5));
  CHECK((*back)["result"]["variables"]["latency_ms"] == 2.0);
  CHECK((*back)["rule"]["formula"] == "-mse");
  CHECK((*back)["noise"]["spreads"]["latency_ms"] == 0.2);
  // No temporary file is left next to it.
  int files = 0;
  for (const auto& f : fs::directory_iterator(path.parent_path())) files += f.is_regular_file();
  CHECK(files == 1);

  SUBCASE("a record under another key is judged again") {
    CHECK(store::record_state(path, std::string(64, '0')) == store::RecordState::retry);
  }
  SUBCASE("a JUDGE_ERROR (the judge's own failure) is judged again, up to kMaxAttempts judgings in all") {
    json failed = make(c, "t", 0.5, "public", judge::Verdict::judge_error);
    store::write_record(path, failed);
    CHECK(store::attempts_of(failed) == 1);
    CHECK(store::record_state(path, key) == store::RecordState::retry);
    failed["attempts"] = store::kMaxAttempts - 1;
    store::write_record(path, failed);
    CHECK(store::record_state(path, key) == store::RecordState::retry);
    failed["attempts"] = store::kMaxAttempts;
    store::write_record(path, failed);
    CHECK(store::record_state(path, key) == store::RecordState::stored);
  }
  SUBCASE("latencies measured on a busy machine are judged again, with the same bound") {
    json busy = rec;
    busy["result"]["measurement"] =
        json{{"reliable", false}, {"reason", "batch 1: 9 of 20 calls were disturbed"}};
    CHECK(store::worth_another_attempt(busy["result"]));
    store::write_record(path, busy);
    CHECK(store::record_state(path, key) == store::RecordState::retry);
    busy["attempts"] = store::kMaxAttempts;
    store::write_record(path, busy);
    CHECK(store::record_state(path, key) == store::RecordState::stored);
    busy["result"]["measurement"]["reliable"] = true;
    CHECK_FALSE(store::worth_another_attempt(busy["result"]));
  }
  SUBCASE("another verdict is final") {
    store::write_record(path, make(c, "t", 0.5, "public", judge::Verdict::crash));
    CHECK(store::record_state(path, key) == store::RecordState::stored);
  }
  SUBCASE("an unreadable record is judged again") {
    std::ofstream(path) << "{ not json";
    CHECK(store::record_state(path, key) == store::RecordState::retry);
    CHECK_FALSE(store::read_record(path));
  }
}

TEST_CASE("read_split reads one split only, and only records") {
  const Challenge c = tiny();
  const fs::path dir = testing::temp_dir("split");
  auto put = [&](const std::string& team, double mse, const std::string& split) {
    const json rec = make(c, team, mse, split);
    store::write_record(store::record_path(dir, split, c.id, team, rec["key"]), rec);
  };
  put("a", 0.25, "public");
  put("b", 0.5, "public");
  put("a", 0.125, "private");
  // Debris of an interrupted write, a stray file, and a private record moved into the public
  // folder by hand: none of them is read.
  std::ofstream(dir / "public" / c.id / "a" / ".x.json.tmp.AbCdEf") << "{";
  std::ofstream(dir / "public" / c.id / "a" / "notes.txt") << "hello";
  const json moved = make(c, "m", 0.0625, "private");
  fs::create_directories(dir / "public" / c.id / "m");
  std::ofstream(dir / "public" / c.id / "m" / "k.json") << moved.dump();

  const auto pub = store::read_split(dir, "public");
  REQUIRE(pub.size() == 2);
  for (const auto& r : pub) CHECK(r["split"] == "public");
  const auto priv = store::read_split(dir, "private");
  REQUIRE(priv.size() == 1);
  CHECK(priv[0]["result"]["variables"]["mse"] == 0.125);
  CHECK(store::read_split(dir / "nowhere", "public").empty());
  CHECK_THROWS_AS(store::read_split(dir, "../public"), UsageError);
}

TEST_CASE("one run per store at a time") {
  const fs::path dir = testing::temp_dir("lock");
  {
    store::StoreLock first(dir);
    CHECK_THROWS_WITH_AS(store::StoreLock{dir}, doctest::Contains("another `gauntlet run`"),
                         std::runtime_error);
  }
  CHECK_NOTHROW(store::StoreLock{dir});  // released with its holder
}

TEST_CASE("timing noise: spreads per timing variable and the score's range") {
  const Challenge c = tiny();
  auto r = result(c, 0.5);
  const auto spreads = store::timing_spreads(r);
  CHECK(spreads.at("latency_ms") == 0.2);  // the smallest batch
  CHECK(spreads.at("latency_ms_p50_b1") == 0.2);
  CHECK(spreads.at("latency_ms_p99_b16") == 0.1);
  CHECK(spreads.at("throughput") == 0.1);  // the largest batch
  CHECK(spreads.count("mse") == 0);

  // -mse has no timing in it: its range is the score itself.
  const auto fixed = store::score_noise_range(c.score, r);
  REQUIRE(fixed);
  CHECK(fixed->first == doctest::Approx(-0.5));
  CHECK(fixed->second == doctest::Approx(-0.5));

  // A formula with latency: 10 - latency_ms moves by +- half the 20% spread of 2 ms.
  ScoreRule timed = c.score;
  timed.formula = "10 - latency_ms";
  r.score = evaluate_score(timed, r.variables);
  const auto range = store::score_noise_range(timed, r);
  REQUIRE(range);
  CHECK(range->first == doctest::Approx(10 - 2.2));
  CHECK(range->second == doctest::Approx(10 - 1.8));

  // Throughput moves the other way: faster means more samples per second.
  timed.formula = "throughput / 100";
  r.score = evaluate_score(timed, r.variables);
  const auto tp = store::score_noise_range(timed, r);
  REQUIRE(tp);
  CHECK(tp->first == doctest::Approx(16 / 1.05));
  CHECK(tp->second == doctest::Approx(16 / 0.95));

  r.decision.verdict = judge::Verdict::crash;
  r.score.reset();
  CHECK_FALSE(store::score_noise_range(timed, r));
}
