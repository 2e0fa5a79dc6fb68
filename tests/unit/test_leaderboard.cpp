// Ranking as pure functions: per-challenge order, exact and statistical ties, unranked
// entries, the event combination rules, the Pareto front, and leaderboards built from records.
#include <doctest/doctest.h>

#include "leaderboard/build.hpp"
#include "leaderboard/ranking.hpp"
#include "leaderboard/render.hpp"

#include <nlohmann/json.hpp>

using namespace gauntlet::leaderboard;
using json = nlohmann::json;

namespace {

Entry scored(const std::string& team, double score, std::map<std::string, double> vars = {}) {
  Entry e;
  e.team = team;
  e.status = Status::scored;
  e.verdict = "OK";
  e.score = e.score_low = e.score_high = score;
  e.variables = std::move(vars);
  return e;
}

Entry failed(const std::string& team, const std::string& verdict, const std::string& reason) {
  Entry e;
  e.team = team;
  e.status = Status::failed;
  e.verdict = verdict;
  e.reason = reason;
  return e;
}

Entry not_qualified(const std::string& team) {
  Entry e;
  e.team = team;
  e.status = Status::not_qualified;
  e.verdict = "OK";
  e.reason = "qualifying condition not met: accuracy >= 0.5";
  e.variables = {{"accuracy", 0.1}};
  return e;
}

Entry missing(const std::string& team) {
  Entry e;
  e.team = team;
  e.status = Status::missing;
  e.verdict = "NO_PLUGIN";
  e.reason = "no plugin for this challenge";
  return e;
}

ChallengeRule rule(bool higher = true, std::vector<TieBreakKey> tie_break = {}) {
  // Designated initializers: assigning short literals trips GCC 12's false -Wrestrict.
  return ChallengeRule{.id = "c",
                       .title = "C",
                       .formula = "accuracy",
                       .qualify = "",
                       .higher_is_better = higher,
                       .tie_break = std::move(tie_break),
                       .metrics = {{"accuracy", true}}};
}

std::vector<std::string> teams_of(const ChallengeBoard& b) {
  std::vector<std::string> out;
  for (const auto& r : b.rows) out.push_back(r.entry.team);
  return out;
}

std::vector<int> ranks_of(const ChallengeBoard& b) {
  std::vector<int> out;
  for (const auto& r : b.rows) out.push_back(r.rank);
  return out;
}

}  // namespace

TEST_CASE("scores order entries in the challenge's direction") {
  auto up = rank_challenge(rule(true), {scored("a", 1), scored("b", 3), scored("c", 2)});
  CHECK(teams_of(up) == std::vector<std::string>{"b", "c", "a"});
  CHECK(ranks_of(up) == std::vector<int>{1, 2, 3});
  auto down = rank_challenge(rule(false), {scored("a", 1), scored("b", 3), scored("c", 2)});
  CHECK(teams_of(down) == std::vector<std::string>{"a", "c", "b"});
}

TEST_CASE("exact ties share a rank and the next rank skips (1, 2, 2, 4)") {
  auto b = rank_challenge(rule(), {scored("d", 1), scored("b", 5), scored("c", 5), scored("a", 9)});
  CHECK(teams_of(b) == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(ranks_of(b) == std::vector<int>{1, 2, 2, 4});
  CHECK_FALSE(b.rows[0].exact_tie);
  CHECK(b.rows[1].exact_tie);
  CHECK(b.rows[2].exact_tie);
  CHECK(rank_label(b.rows[1]) == "=2");
  CHECK(rank_label(b.rows[3]) == "4");
}

TEST_CASE("tie-breaks apply in order, each in its own direction") {
  const auto r = rule(true, {{"accuracy", true}, {"latency_ms", false}});
  auto b = rank_challenge(r, {scored("slow", 10, {{"accuracy", 0.9}, {"latency_ms", 5}}),
                              scored("fast", 10, {{"accuracy", 0.9}, {"latency_ms", 1}}),
                              scored("accurate", 10, {{"accuracy", 0.95}, {"latency_ms", 9}}),
                              scored("best", 11, {{"accuracy", 0.1}, {"latency_ms", 99}})});
  CHECK(teams_of(b) == std::vector<std::string>{"best", "accurate", "fast", "slow"});
  CHECK(ranks_of(b) == std::vector<int>{1, 2, 3, 4});

  SUBCASE("an entry missing a tie-break variable comes after one that has it") {
    auto m = rank_challenge(r, {scored("without", 10, {}), scored("with", 10, {{"accuracy", 0.1}})});
    CHECK(teams_of(m) == std::vector<std::string>{"with", "without"});
    CHECK(ranks_of(m) == std::vector<int>{1, 2});
  }
  SUBCASE("equal on every key: an exact tie") {
    auto t = rank_challenge(r, {scored("x", 10, {{"accuracy", 0.9}, {"latency_ms", 1}}),
                                scored("y", 10, {{"accuracy", 0.9}, {"latency_ms", 1}})});
    CHECK(ranks_of(t) == std::vector<int>{1, 1});
  }
}

TEST_CASE("unranked entries come after every scored one: not qualified, then failed, then missing") {
  auto b = rank_challenge(
      rule(), {missing("m"), failed("f2", "CRASH", "the worker died"), scored("s2", 1), not_qualified("nq"),
               failed("f1", "TIME_LIMIT", "infer() too slow"), scored("s1", 2)});
  CHECK(teams_of(b) == std::vector<std::string>{"s1", "s2", "nq", "f1", "f2", "m"});
  CHECK(b.scored == 2);
  for (std::size_t i = 2; i < b.rows.size(); ++i) {
    CHECK_FALSE(b.rows[i].ranked);
    CHECK(b.rows[i].rank == 3);  // counts as (scored + 1) for the event ranking
    CHECK(rank_label(b.rows[i]) == "-");
  }
  // The verdict and the reason are shown.
  const std::string table = render(Leaderboard{"e",
                                               "E",
                                               "public",
                                               {"s1", "s2", "nq", "f1", "f2", "m"},
                                               {b},
                                               combine({b}, EventRule::sum_of_ranks, {"s1"}),
                                               0},
                                   Format::table);
  CHECK(table.find("TIME_LIMIT") != std::string::npos);
  CHECK(table.find("infer() too slow") != std::string::npos);
  CHECK(table.find("CRASH") != std::string::npos);
  CHECK(table.find("NOT_QUALIFIED") != std::string::npos);
  CHECK(table.find("NO_PLUGIN") != std::string::npos);

  SUBCASE("a scored entry whose score is not finite does not qualify") {
    auto n = rank_challenge(rule(), {scored("nan", std::nan("")), scored("ok", 1)});
    CHECK(teams_of(n) == std::vector<std::string>{"ok", "nan"});
    CHECK(n.rows[1].entry.status == Status::not_qualified);
  }
}

TEST_CASE("statistical ties: neighbours whose order timing noise could flip are marked") {
  SUBCASE("scores whose timing-noise ranges overlap") {
    Entry a = scored("a", 10.0), b = scored("b", 9.9), c = scored("c", 5);
    a.score_low = 9.8, a.score_high = 10.2;
    b.score_low = 9.7, b.score_high = 10.1;
    c.score_low = 4.9, c.score_high = 5.1;
    auto board = rank_challenge(rule(), {c, b, a});
    CHECK(teams_of(board) == std::vector<std::string>{"a", "b", "c"});
    CHECK(ranks_of(board) == std::vector<int>{1, 2, 3});  // they keep their places
    CHECK(board.rows[0].statistical_ties == std::vector<std::string>{"b"});
    CHECK(board.rows[1].statistical_ties == std::vector<std::string>{"a"});
    CHECK(board.rows[2].statistical_ties.empty());
  }
  SUBCASE("scores without timing in them never tie statistically") {
    auto board = rank_challenge(rule(), {scored("a", 10.0), scored("b", 9.9999)});
    CHECK(board.rows[0].statistical_ties.empty());
  }
  SUBCASE("a latency tie-break within the measured spread") {
    const auto r = rule(true, {{"latency_ms", false}});
    Entry a = scored("a", 1, {{"latency_ms", 1.00}}), b = scored("b", 1, {{"latency_ms", 1.05}});
    Entry c = scored("c", 1, {{"latency_ms", 2.0}});
    a.spreads["latency_ms"] = 0.10;  // 1.00 +- 0.05
    b.spreads["latency_ms"] = 0.10;  // 1.05 +- 0.0525
    c.spreads["latency_ms"] = 0.10;
    auto board = rank_challenge(r, {c, b, a});
    CHECK(teams_of(board) == std::vector<std::string>{"a", "b", "c"});
    CHECK(board.rows[0].statistical_ties == std::vector<std::string>{"b"});
    CHECK(board.rows[1].statistical_ties == std::vector<std::string>{"a"});
    CHECK(board.rows[2].statistical_ties.empty());  // 2.0 is far outside b's spread
    CHECK(render(Leaderboard{"e",
                             "E",
                             "public",
                             {"a", "b", "c"},
                             {board},
                             combine({board}, EventRule::sum_of_ranks, {"a"}),
                             3},
                 Format::table)
              .find("~ statistical tie with b") != std::string::npos);
  }
  SUBCASE("a tie-break that is not a timing is exact") {
    const auto r = rule(true, {{"accuracy", true}});
    auto board =
        rank_challenge(r, {scored("a", 1, {{"accuracy", 0.91}}), scored("b", 1, {{"accuracy", 0.9}})});
    CHECK(board.rows[0].statistical_ties.empty());
  }
}

TEST_CASE("event ranking: sum of ranks") {
  auto c1 = rank_challenge(rule(), {scored("a", 2), scored("b", 3), scored("c", 1)});
  auto c2 = rank_challenge(rule(), {scored("a", 1), scored("b", 3), failed("c", "CRASH", "x")});
  auto e = combine({c1, c2}, EventRule::sum_of_ranks, {"a", "b", "c", "d"});
  // b: 1 + 1 = 2, a: 2 + 2 = 4, c: 3 + (2 scored + 1) = 6, d: absent everywhere: 4 + 3 = 7.
  REQUIRE(e.rows.size() == 4);
  CHECK(e.rows[0].team == "b");
  CHECK(e.rows[0].value == 2);
  CHECK(e.rows[1].team == "a");
  CHECK(e.rows[1].value == 4);
  CHECK(e.rows[2].team == "c");
  CHECK(e.rows[2].value == 6);
  CHECK_FALSE(e.rows[2].ranked[1]);
  CHECK(e.rows[3].team == "d");
  CHECK(e.rows[3].value == 7);
  CHECK(e.rows[3].rank == 4);

  SUBCASE("equal sums share the rank") {
    auto x = rank_challenge(rule(), {scored("a", 2), scored("b", 1)});
    auto y = rank_challenge(rule(), {scored("a", 1), scored("b", 2)});
    auto t = combine({x, y}, EventRule::sum_of_ranks, {"b", "a"});
    CHECK(t.rows[0].rank == 1);
    CHECK(t.rows[1].rank == 1);
    CHECK(t.rows[0].exact_tie);
    CHECK(t.rows[0].team == "a");  // by name within a tie
  }
}

TEST_CASE("event ranking: mean normalized score") {
  auto up = rank_challenge(rule(true), {scored("a", 10), scored("b", 5), scored("c", 0)});
  auto down = rank_challenge(rule(false), {scored("a", 4), scored("b", 2), not_qualified("c")});
  auto e = combine({up, down}, EventRule::mean_normalized_score, {"a", "b", "c"});
  // up: a 1, b 0.5, c 0; down (lower is better): b 1, a 0, c unranked 0.
  REQUIRE(e.rows.size() == 3);
  CHECK(e.rows[0].team == "b");
  CHECK(e.rows[0].value == doctest::Approx(0.75));
  CHECK(e.rows[1].team == "a");
  CHECK(e.rows[1].value == doctest::Approx(0.5));
  CHECK(e.rows[2].team == "c");
  CHECK(e.rows[2].value == doctest::Approx(0));

  SUBCASE("a challenge where every scored entry has the same score normalizes them to 1") {
    auto flat = rank_challenge(rule(), {scored("a", 3), scored("b", 3)});
    auto f = combine({flat}, EventRule::mean_normalized_score, {"a", "b"});
    CHECK(f.rows[0].value == 1);
    CHECK(f.rows[1].value == 1);
    CHECK(f.rows[1].rank == 1);
  }
}

TEST_CASE("Pareto front of latency and quality") {
  // (latency, accuracy): c is dominated by b (faster and better); d is the fastest.
  std::vector<std::pair<double, double>> p{{5, 0.9}, {2, 0.8}, {3, 0.7}, {1, 0.1}, {2, 0.8}};
  CHECK(pareto_front(p, true) == std::vector<std::size_t>{3, 1, 4, 0});
  // Lower is better (an error): the front is the lowest error at each speed.
  std::vector<std::pair<double, double>> e{{1, 5.0}, {2, 1.0}, {3, 2.0}};
  CHECK(pareto_front(e, false) == std::vector<std::size_t>{0, 1});
}

namespace {

json record(const std::string& team, const std::string& verdict, double score, bool qualified, int64_t at,
            const std::string& split = "public", const std::string& sha = "abc") {
  json score_json = verdict == "OK"
                        ? json{{"qualified", qualified}, {"value", score}, {"reason", qualified ? "" : "no"}}
                        : json(nullptr);
  return json{{"kind", "gauntlet.store_record"},
              {"key", "k"},
              {"team", team},
              {"split", split},
              {"recorded_at_ns", at},
              {"job", {{"challenge_id", "c"}, {"challenge_sha256", sha}, {"plugin_sha256", "p"}}},
              {"noise", {{"spreads", {{"latency_ms", 0.1}}}, {"score_low", score}, {"score_high", score}}},
              {"result",
               {{"verdict", verdict},
                {"reason", verdict == "OK" ? "" : "it broke"},
                {"variables", {{"accuracy", score / 100}, {"latency_ms", 0.5}}},
                {"score", score_json}}}};
}

json description() {
  return json{{"kind", "gauntlet.event"},
              {"name", "e"},
              {"title", "E"},
              {"ranking", "sum_of_ranks"},
              {"teams", {"a", "b", "c", "d", "e"}},
              {"challenges",
               {{{"id", "c"},
                 {"title", "C"},
                 {"sha256", "abc"},
                 {"metrics", {{{"variable", "accuracy"}, {"higher_is_better", true}}}},
                 {"score", {{"formula", "100 * accuracy"}, {"higher_is_better", true}}},
                 {"teams_without_plugin", {"e"}}}}}};
}

}  // namespace

TEST_CASE("a record judged under other rules or other data is stale, with the reason") {
  json d = description();
  d["challenges"][0]["rules_sha256"] = "r1";
  d["challenges"][0]["data_sha256"] = "d2";
  auto with = [](json rec, const std::string& rules, const std::string& data) {
    rec["job"]["rules_sha256"] = rules;
    rec["job"]["data_sha256"] = data;
    return rec;
  };
  const std::vector<json> records{with(record("a", "OK", 80, true, 1), "r1", "d2"),   // current
                                  with(record("b", "OK", 95, true, 2), "r1", "d1"),   // shuffled labels
                                  with(record("c", "OK", 95, true, 3), "r0", "d2"),   // new rules
                                  with(record("d", "OK", 95, true, 4), "r0", "d0")};  // both
  const auto rows = build_leaderboard(d, records, "public").challenges[0].rows;
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].entry.team == "a");
  CHECK(rows[0].entry.status == Status::scored);
  const std::string tail = "; `gauntlet run` judges it again";
  CHECK(rows[1].entry.verdict == "STALE");
  CHECK(rows[1].entry.reason == "judged under other data (a data file changed)" + tail);
  CHECK(rows[2].entry.reason == "judged under other rules (the challenge changed)" + tail);
  CHECK(rows[3].entry.reason == "judged under other rules and other data" + tail);
}

TEST_CASE("leaderboards from records: latest record per team, current rules only, one split only") {
  std::vector<json> records{
      record("a", "OK", 80, true, 1),
      record("a", "OK", 90, true, 5),                         // later: wins
      record("b", "OK", 95, true, 2, "public", "old-rules"),  // judged under another challenge file
      record("c", "CRASH", 0, false, 3),
      record("d", "OK", 77.7777, true, 4, "private"),  // never in a public board
  };
  const auto board = build_leaderboard(description(), records, "public");
  REQUIRE(board.challenges.size() == 1);
  const auto& rows = board.challenges[0].rows;
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].entry.team == "a");
  CHECK(rows[0].entry.score == 90);
  CHECK(rows[0].entry.spreads.at("latency_ms") == 0.1);
  CHECK(rows[1].entry.team == "c");
  CHECK(rows[1].entry.verdict == "CRASH");
  CHECK(rows[1].entry.reason == "it broke");
  CHECK(rows[2].entry.team == "b");  // shown as stale, with the reason: neither kept nor dropped silently
  CHECK(rows[2].entry.verdict == "STALE");
  CHECK(rows[2].entry.reason == "judged under an older challenge file; `gauntlet run` judges it again");
  CHECK(rows[3].entry.team == "d");
  CHECK(rows[3].entry.verdict == "NOT_JUDGED");
  CHECK(rows[4].entry.team == "e");
  CHECK(rows[4].entry.verdict == "NO_PLUGIN");
  CHECK(board.records == 2);
  for (auto format : {Format::table, Format::csv, Format::json, Format::markdown, Format::html}) {
    const std::string out = render(board, format);
    CHECK(out.find("77.77") == std::string::npos);
    CHECK(out.find("0.7777") == std::string::npos);
  }
}

TEST_CASE("HTML escapes what plugins wrote") {
  auto b = rank_challenge(rule(), {failed("a", "PLUGIN_ERROR", "<script>alert(1)</script> & \"x\"")});
  const std::string html = render_html(
      Leaderboard{"e", "E", "public", {"a"}, {b}, combine({b}, EventRule::sum_of_ranks, {"a"}), 1});
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;") != std::string::npos);
}

TEST_CASE("a challenge whose latencies come from different CPU models says so in every output") {
  auto on = [](json rec, const std::string& cpu, const std::string& node) {
    rec["result"]["environment"] = {{"cpu_model", cpu}, {"node", node}, {"hostname", node + ".local"}};
    return rec;
  };
  const std::string xeon = "Intel(R) Xeon(R) Gold 6230", epyc = "AMD EPYC 7302";
  SUBCASE("one CPU model: no warning, whichever nodes") {
    const auto board = build_leaderboard(
        description(),
        {on(record("a", "OK", 80, true, 1), xeon, "n1"), on(record("b", "OK", 70, true, 2), xeon, "n2")},
        "public");
    CHECK(board.challenges[0].warnings.empty());
    CHECK(board.challenges[0].rows[0].entry.node == "n1");
    CHECK(board.challenges[0].rows[0].entry.cpu_model == xeon);
  }
  SUBCASE("a failed entry's node does not count: it has no latencies") {
    const auto board = build_leaderboard(
        description(),
        {on(record("a", "OK", 80, true, 1), xeon, "n1"), on(record("c", "CRASH", 0, false, 2), epyc, "n9")},
        "public");
    CHECK(board.challenges[0].warnings.empty());
  }
  SUBCASE("two models: the warning counts the entries of each, in every format") {
    const auto board = build_leaderboard(
        description(),
        {on(record("a", "OK", 80, true, 1), xeon, "n1"), on(record("b", "OK", 70, true, 2), epyc, "n2"),
         on(record("d", "OK", 60, true, 3), xeon, "n3")},
        "public");
    REQUIRE(board.challenges[0].warnings.size() == 1);
    const std::string w = board.challenges[0].warnings[0];
    CHECK(w.find("latencies measured on 2 CPU models") == 0);
    CHECK(w.find(epyc + ": 1 entry") != std::string::npos);
    CHECK(w.find(xeon + ": 2 entries") != std::string::npos);
    CHECK(w.find("judge.slurm.constraint") != std::string::npos);
    CHECK(render(board, Format::table).find("warning: latencies measured on 2 CPU models") !=
          std::string::npos);
    CHECK(render(board, Format::markdown).find("**Warning:** latencies measured on 2 CPU models") !=
          std::string::npos);
    CHECK(render(board, Format::html).find("Warning: latencies measured on 2 CPU models") !=
          std::string::npos);
    const json j = json::parse(render(board, Format::json));
    CHECK(j["challenges"][0]["warnings"][0] == w);
    CHECK(j["challenges"][0]["rows"][0]["cpu_model"] == xeon);
    CHECK(j["challenges"][0]["rows"][1]["node"] == "n2");
  }
  SUBCASE("records from before nodes were recorded: the hostname stands for the node") {
    json rec = record("a", "OK", 80, true, 1);
    rec["result"]["environment"] = {{"cpu_model", xeon}, {"hostname", "old-host"}};
    CHECK(build_leaderboard(description(), {rec}, "public").challenges[0].rows[0].entry.node == "old-host");
  }
}

TEST_CASE("CPU model names in the mixed-CPU warning are escaped like any other text") {
  Entry a = scored("a", 1), b = scored("b", 2);
  a.cpu_model = "CPU <b>one</b>";
  b.cpu_model = "CPU\x1b[31m two";
  auto c = rank_challenge(rule(), {a, b});
  c.warnings.push_back(mixed_cpu_warning({a, b}));
  const Leaderboard board{
      "e", "E", "public", {"a", "b"}, {c}, combine({c}, EventRule::sum_of_ranks, {"a", "b"}), 2};
  CHECK(render_html(board).find("<b>one</b>") == std::string::npos);
  CHECK(render(board, Format::table).find('\x1b') == std::string::npos);
}
