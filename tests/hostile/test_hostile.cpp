// The hostile suite (tests/hostile): every plugin there, judged in one run of the real
// `gauntlet judge` and worker under the strict sandbox, then a well-behaved plugin. Each must
// get the verdict (and reason) its source file announces in its first line; the judge must
// survive all of them; and the last plugin must get exactly the result it gets alone.
#include <doctest/doctest.h>

#include "support/run_command.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

using gauntlet::testing::run_command;
using json = nlohmann::json;

namespace {

struct Expectation {
  std::string name;                        // file stem, e.g. "fork_bomb"
  std::string verdict;                     // e.g. "SECURITY_VIOLATION"
  std::string reason;                      // substring of the reason, may be empty
  std::string check_pointer, check_value;  // optional `check: /json/pointer == value`
};

// `/* expected verdict: X; reason: "..."; check: /pointer == value` on the first line.
std::vector<Expectation> read_annotations(const std::string& dir) {
  const std::regex pattern(
      R"(expected verdict: ([A-Z_]+)(?:; reason: \"([^\"]*)\")?(?:; check: (\S+) == (\S+?))?\.?( |$))");
  std::vector<Expectation> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto ext = entry.path().extension();
    if (ext != ".c" && ext != ".cpp") continue;
    if (entry.path().stem().string().rfind("test_", 0) == 0) continue;  // the tests themselves
    std::ifstream in(entry.path());
    std::string first;
    std::getline(in, first);
    std::smatch m;
    INFO(entry.path().string() << ": " << first);
    REQUIRE_MESSAGE(std::regex_search(first, m, pattern),
                    "no `expected verdict:` annotation on the first line");
    out.push_back({entry.path().stem().string(), m[1], m[2], m[3], m[4]});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "missing result file " << path);
  return json::parse(in);
}

const std::string kChallenge = gauntlet::testing::source_path("tests/data/hostile");
const std::string kHostileBin = std::string(GAUNTLET_BINARY_DIR) + "/tests/hostile";

}  // namespace

TEST_CASE(
    "every hostile plugin gets its announced verdict, the judge survives them all, and a well-behaved "
    "plugin judged after them gets its normal result") {
  const auto expectations = read_annotations(gauntlet::testing::source_path("tests/hostile"));
  REQUIRE(expectations.size() >= 30);
  const std::string dir = gauntlet::testing::temp_dir("hostile");
  const std::string bin = gauntlet::testing::gauntlet_binary();

  // The well-behaved plugin alone: its normal result.
  auto alone = run_command({bin, "judge", "-q", "-c", kChallenge, "--out", dir + "/alone.json",
                            gauntlet::testing::test_plugin("null_plugin")});
  INFO(alone.out << alone.err);
  REQUIRE_MESSAGE(alone.exit_code == 0,
                  "the strict sandbox is not available here (see `gauntlet doctor`): " << alone.err);
  const json baseline = read_json(dir + "/alone.json");

  std::vector<std::string> argv = {bin,
                                   "judge",
                                   "-q",
                                   "-c",
                                   kChallenge,
                                   "--assets",
                                   gauntlet::testing::source_path("tests/hostile/assets"),
                                   "--out",
                                   dir + "/run"};
  for (const auto& e : expectations) argv.push_back(kHostileBin + "/lib" + e.name + ".so");
  argv.push_back(gauntlet::testing::test_plugin("null_plugin"));
  const auto started = std::chrono::steady_clock::now();
  auto r = run_command(argv, 240);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE("the hostile suite took " << seconds << " s");
  INFO(r.err.substr(0, 4000));
  // The judge itself survived: no signal (SIGKILL, SIGSTOP...), the usual "some verdicts are
  // not OK" exit, and its summary table.
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("challenge") != std::string::npos);

  for (const auto& e : expectations) {
    CAPTURE(e.name);
    const json j = read_json(dir + "/run/hostile.lib" + e.name + ".json");
    const std::string reason = j["reason"].get<std::string>();
    CHECK_MESSAGE(j["verdict"] == e.verdict, "reason: " << reason);
    CHECK_MESSAGE(reason.find(e.reason) != std::string::npos, "reason: " << reason);
    CHECK(reason.size() < 8192);  // a plugin cannot flood the result through its messages
    if (e.verdict != "OK") CHECK(j["score"].is_null());
    if (!e.check_pointer.empty()) CHECK(j.at(json::json_pointer(e.check_pointer)).dump() == e.check_value);
    // Every plugin was judged under the whole strict sandbox.
    CHECK(j["sandbox"]["mode"] == "strict");
    for (const auto& m : j["sandbox"]["mechanisms"]) {
      CAPTURE(m.dump());
      CHECK(m["status"] == "active");
    }
    CHECK(j["sandbox"]["mechanisms"].size() == 13);
    CHECK(j["resources"]["peak_memory_bytes"].get<uint64_t>() <=
          j["resources"]["memory_limit_bytes"].get<uint64_t>());
  }

  // The well-behaved plugin, judged last: exactly its normal result.
  const json last = read_json(dir + "/run/hostile.libnull_plugin.json");
  CHECK(last["verdict"] == "OK");
  CHECK(last["metrics"] == baseline["metrics"]);
  CHECK(last["score"] == baseline["score"]);
  CHECK(last["samples"] == baseline["samples"]);
}
