// The hostile suite (tests/hostile): every plugin there, judged in one run of the real
// `gauntlet judge` and worker, then a well-behaved plugin. Each must get the verdict (and
// reason) its source file announces in its first line; the judge must survive all of them;
// and the last plugin must get exactly the result it gets alone.
//
// Built twice: hostile.suite judges under the strict sandbox (as root, as CI runs it);
// hostile.relaxed (HOSTILE_RELAXED) judges as an unprivileged user (`nobody` through setpriv
// when run as root) in relaxed mode, where the memory limit is RLIMIT_DATA rather than a
// cgroup: the same verdicts must come out of that fallback. It exits 77 (CTest: skipped) when
// it cannot run as another user (the build tree is not readable by `nobody`).
#include <doctest/doctest.h>

#include "challenge/challenge_loader.hpp"
#include "data/dataset.hpp"
#include "support/read_json.hpp"
#include "support/run_command.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

using gauntlet::testing::read_json;
using gauntlet::testing::run_command;
using json = nlohmann::json;

namespace {

struct Expectation {
  std::string name;                        // file stem, e.g. "fork_bomb"
  std::string verdict;                     // e.g. "SECURITY_VIOLATION"
  std::string reason;                      // substring of the reason, may be empty
  std::string reason_without_cgroups;      // instead of reason where the job has no cgroups
  std::string check_pointer, check_value;  // optional `check: /json/pointer == value`
  std::string challenge = "hostile";       // optional `challenge: <folder under tests/data>`
};

// `/* expected verdict: X; reason: "..."; without cgroups: "..."; check: /pointer == value;
// challenge: name` at the start of the file's opening comment (all but the verdict optional).
std::vector<Expectation> read_annotations(const std::string& dir) {
  const std::regex pattern(
      R"(expected verdict: ([A-Z_]+)(?:; reason: \"([^\"]*)\")?(?:; without cgroups: \"([^\"]*)\")?(?:; check: (\S+) == (\S+?))?(?:; challenge: ([a-z0-9-]+))?\.?( |$))");
  std::vector<Expectation> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (ext != ".c" && ext != ".cpp") continue;
    if (entry.path().stem().string().rfind("test_", 0) == 0) continue;  // the tests themselves
    // The file's opening comment, its lines joined (" * " continuations become one space).
    std::ifstream in(entry.path());
    std::string comment, line;
    while (std::getline(in, line)) {
      if (comment.empty()) {
        comment = line;
      } else if (const auto body = line.find_first_not_of(" */"); body != std::string::npos) {
        comment.append(1, ' ').append(line, body);
      }
      if (line.find("*/") != std::string::npos) break;
    }
    std::smatch m;
    INFO(entry.path().string() << ": " << comment);
    REQUIRE_MESSAGE(std::regex_search(comment, m, pattern),
                    "no `expected verdict:` annotation at the start of the opening comment");
    Expectation e{entry.path().stem().string(), m[1], m[2], m[3], m[4], m[5]};
    if (m[6].matched) e.challenge = m[6];
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

const std::string kChallenge = gauntlet::testing::source_path("tests/data/hostile");
const std::string kHostileBin = std::string(GAUNTLET_BINARY_DIR) + "/tests/hostile";

#ifdef HOSTILE_RELAXED
constexpr bool kRelaxed = true;
#else
constexpr bool kRelaxed = false;
#endif

// How the judge is started: as root, the relaxed run drops to `nobody` (no capabilities, no
// memory cgroup it may create: the RLIMIT_DATA fallback).
std::vector<std::string> judge_prefix(const std::string& out_dir) {
  if (!kRelaxed || ::geteuid() != 0) return {};
  std::vector<std::string> prefix = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                     "--"};
  ::chmod(out_dir.c_str(), 0777);
  std::vector<std::string> probe = prefix;
  for (const char* s : {"/bin/sh", "-c", "test -x \"$0\" && test -r \"$1\" && test -w \"$2\""})
    probe.push_back(s);
  probe.push_back(gauntlet::testing::gauntlet_binary());
  probe.push_back(kHostileBin + "/libsegfault.so");
  probe.push_back(out_dir);
  if (!std::filesystem::exists(prefix[0]) || run_command(probe).exit_code != 0) {
    std::fprintf(
        stderr,
        "hostile.relaxed: skipped: no setpriv, or user nobody cannot read the build tree or write %s\n",
        out_dir.c_str());
    std::exit(77);
  }
  return prefix;
}

}  // namespace

TEST_CASE(
    "every hostile plugin gets its announced verdict, the judge survives them all, and a well-behaved "
    "plugin judged after them gets its normal result") {
  const auto expectations = read_annotations(gauntlet::testing::source_path("tests/hostile"));
  REQUIRE(expectations.size() >= 30);
  const std::string dir = gauntlet::testing::temp_dir("hostile");
  const std::string bin = gauntlet::testing::gauntlet_binary();
  const std::vector<std::string> prefix = judge_prefix(dir);
  const std::string mode = kRelaxed ? "relaxed" : "strict";
  auto judge = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = prefix;
    argv.push_back(bin);
    argv.push_back("judge");
    argv.push_back("-q");
    argv.push_back("--sandbox=" + mode);
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };

  // The well-behaved plugin alone: its normal result.
  auto alone = run_command(
      judge({"-c", kChallenge, "--out", dir + "/alone.json", gauntlet::testing::test_plugin("null_plugin")}));
  INFO(alone.out << alone.err);
  REQUIRE_MESSAGE(alone.exit_code == 0,
                  "the " << mode << " sandbox is not available here (see `gauntlet doctor`): " << alone.err);
  const json baseline = read_json(dir + "/alone.json");
  // Which mechanisms this run has; in the relaxed run, whether the job has cgroups or the
  // memory limit is the RLIMIT_DATA fallback.
  bool memory_cgroup = true;
  std::string missing;  // besides the memory cgroup
  for (const auto& m : baseline["sandbox"]["mechanisms"]) {
    if (m["name"] == "memory_limit")
      memory_cgroup = m["status"] == "active";
    else if (m["status"] != "active")
      missing.append(1, ' ').append(m["name"].get<std::string>());
  }
  if (kRelaxed) {
    // The annotated verdicts assume the isolation mechanisms (namespaces, Landlock, seccomp):
    // a machine that denies unprivileged user namespaces cannot give them to `nobody`.
    if (!missing.empty()) {
      std::fprintf(stderr, "hostile.relaxed: skipped: as an unprivileged user this machine lacks%s\n",
                   missing.c_str());
      std::exit(77);
    }
    const std::string memory_by = memory_cgroup ? "a cgroup" : "RLIMIT_DATA (fallback)";
    MESSAGE("memory limit by " << memory_by);
  }

  // The plugins' assets, plus what a team holds when it judges locally: the public split's
  // inputs (seed_predictor looks its samples up there).
  const std::string assets = dir + "/assets";
  std::filesystem::create_directories(assets);
  for (const auto& f :
       std::filesystem::directory_iterator(gauntlet::testing::source_path("tests/hostile/assets")))
    std::filesystem::copy(f.path(), assets + "/" + f.path().filename().string());
  {
    gauntlet::DataRequest request;
    request.include_train = false;
    const auto data = gauntlet::load_challenge_data(gauntlet::load_challenge(kChallenge), request,
                                                    gauntlet::heap_allocator());
    const auto& x = data.eval.inputs.at(0);
    std::ofstream(assets + "/public_features.bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(x.raw()), static_cast<std::streamsize>(x.bytes()));
    REQUIRE(std::filesystem::file_size(assets + "/public_features.bin") == x.bytes());
  }
  if (kRelaxed) ::chmod(assets.c_str(), 0755);

  // One run per challenge, every plugin of it in that run; the well-behaved plugin comes last
  // in the main challenge's run.
  std::map<std::string, std::vector<const Expectation*>> by_challenge;
  for (const auto& e : expectations) by_challenge[e.challenge].push_back(&e);
  for (const auto& [challenge, plugins] : by_challenge) {
    std::vector<std::string> args = {"-c",       gauntlet::testing::source_path("tests/data/" + challenge),
                                     "--assets", assets,
                                     "--out",    dir + "/run"};
    for (const auto* e : plugins) args.push_back(kHostileBin + "/lib" + e->name + ".so");
    if (challenge == "hostile") args.push_back(gauntlet::testing::test_plugin("null_plugin"));
    const auto started = std::chrono::steady_clock::now();
    auto r = run_command(judge(args), 240);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    MESSAGE("the hostile plugins of " << challenge << " took " << seconds << " s");
    INFO(r.err.substr(0, 4000));
    // The judge itself survived: no signal (SIGKILL, SIGSTOP...), the usual "some verdicts are
    // not OK" exit (or 0 when all are OK), and its summary table.
    CHECK(r.signal == 0);
    CHECK((r.exit_code == 1 || r.exit_code == 0));
    CHECK(r.out.find("challenge") != std::string::npos);
  }

  for (const auto& e : expectations) {
    CAPTURE(e.name);
    const json j = read_json(dir + "/run/" + e.challenge + ".lib" + e.name + ".json");
    const std::string reason = j["reason"].get<std::string>();
    CHECK_MESSAGE(j["verdict"] == e.verdict, "reason: " << reason);
    // Without cgroups there is no OOM killer and no CPU accounting of the whole job: the
    // same verdict comes from other evidence, which the annotation names.
    const std::string& expected_reason =
        !memory_cgroup && !e.reason_without_cgroups.empty() ? e.reason_without_cgroups : e.reason;
    CHECK_MESSAGE(reason.find(expected_reason) != std::string::npos, "reason: " << reason);
    CHECK(reason.size() < 8192);  // a plugin cannot flood the result through its messages
    if (e.verdict != "OK") CHECK(j["score"].is_null());
    if (!e.check_pointer.empty()) CHECK(j.at(json::json_pointer(e.check_pointer)).dump() == e.check_value);
    // Every plugin was judged under the same sandbox as the baseline.
    CHECK(j["sandbox"]["mode"] == baseline["sandbox"]["mode"]);
    CHECK(j["sandbox"]["mechanisms"].size() == baseline["sandbox"]["mechanisms"].size());
    if (!kRelaxed) {
      for (const auto& m : j["sandbox"]["mechanisms"]) {
        CAPTURE(m.dump());
        CHECK(m["status"] == "active");
      }
      CHECK(j["sandbox"]["mechanisms"].size() == 14);
    }
    CHECK(j["resources"]["peak_memory_bytes"].get<uint64_t>() <=
          j["resources"]["memory_limit_bytes"].get<uint64_t>());
  }

  // A cache of answers by input content gains nothing: the twins' latency at batch 1, measured
  // in the same run. A benchmark-style bound, generous for a shared machine: a cache that
  // answered timed calls would be tens of times faster.
  {
    const json plain = read_json(dir + "/run/hostile-classes.libmemo_plain.json");
    const json cached = read_json(dir + "/run/hostile-classes.libmemo_cached.json");
    const double p50_plain = plain["timing"][0]["p50_ms"], p50_cached = cached["timing"][0]["p50_ms"];
    MESSAGE("batch 1 p50: honest " << p50_plain << " ms, memoising " << p50_cached << " ms (ratio "
                                   << p50_cached / p50_plain << ")");
    CHECK(p50_cached >= 0.7 * p50_plain);
    CHECK(cached["metrics"] == plain["metrics"]);
    // The cache did answer the untimed evaluation pass, which presents the timed samples again.
    CHECK(cached["worker"]["stderr"]["head"].get<std::string>().find("memo_cached: 0 hits") ==
          std::string::npos);
  }

  // The well-behaved plugin, judged last: exactly its normal result.
  const json last = read_json(dir + "/run/hostile.libnull_plugin.json");
  CHECK(last["verdict"] == "OK");
  CHECK(last["metrics"] == baseline["metrics"]);
  CHECK(last["score"] == baseline["score"]);
  CHECK(last["samples"] == baseline["samples"]);
}

#ifndef HOSTILE_RELAXED
TEST_CASE(
    "which samples a timed call carries is a secret of each judging: the same seed twice draws others, "
    "and scores the same") {
  const std::string dir = gauntlet::testing::temp_dir("hostile-draw");
  auto run = [&](const std::string& out) {
    auto r = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kChallenge, "--seed",
                          "7", "--out", out, kHostileBin + "/librecord_inputs.so"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return read_json(out);
  };
  const json a = run(dir + "/a.json"), b = run(dir + "/b.json");
  // The calls as the plugin saw them, in order: warm-ups and timed calls at batch 1 and 16,
  // then the evaluation pass at batch 16.
  auto calls = [](const json& r) {
    std::vector<std::string> lines;
    std::istringstream in(r["worker"]["stderr"]["head"].get<std::string>());
    for (std::string line; std::getline(in, line);)
      if (line.rfind("call batch=", 0) == 0) lines.push_back(line);
    return lines;
  };
  const auto ca = calls(a), cb = calls(b);
  const int64_t eval_calls = (a["samples"]["eval"].get<int64_t>() + 15) / 16;
  REQUIRE(ca.size() > static_cast<std::size_t>(eval_calls) + 20);
  REQUIRE(cb.size() > static_cast<std::size_t>(eval_calls) + 20);
  // The evaluation pass: the same batches in the same order (quality is reproducible).
  CHECK(std::vector<std::string>(ca.end() - eval_calls, ca.end()) ==
        std::vector<std::string>(cb.end() - eval_calls, cb.end()));
  // The timed calls: hardly one batch in common, though the seed, the plugin and the data are the same.
  std::set<std::string> timed_a(ca.begin(), ca.end() - eval_calls);
  int common = 0;
  for (auto it = cb.begin(); it != cb.end() - eval_calls; ++it)
    if (it->rfind("call batch=16 ", 0) == 0 && timed_a.count(*it)) ++common;
  CHECK(common <= 2);
  CHECK(a["metrics"] == b["metrics"]);
  CHECK(a["measurement"]["sample_key"] != b["measurement"]["sample_key"]);
}
#endif
