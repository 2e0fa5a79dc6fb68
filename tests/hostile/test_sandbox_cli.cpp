// The sandbox as a person meets it: `gauntlet doctor`, `--sandbox`, and the real sample
// plugins (oneDNN with its JIT and OpenMP threads included) still judged OK inside it.
#include <doctest/doctest.h>

#include "support/read_json.hpp"
#include "support/run_command.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using gauntlet::testing::read_json;
using gauntlet::testing::run_command;
using json = nlohmann::json;

namespace {

void check_all_active(const json& result) {
  CHECK(result["sandbox"]["mode"] == "strict");
  for (const auto& m : result["sandbox"]["mechanisms"]) {
    CAPTURE(m.dump());
    CHECK(m["status"] == "active");
  }
}

}  // namespace

TEST_CASE(
    "gauntlet doctor lists every mechanism, runs its self-test and says whether strict mode is possible") {
  auto r = run_command({gauntlet::testing::gauntlet_binary(), "doctor", "--json"});
  INFO(r.out << r.err);
  const json j = json::parse(r.out);
  REQUIRE(j["mechanisms"].size() == 14);
  CHECK(j["mechanisms"][0]["name"] == "process");
  CHECK(j["mechanisms"][13]["name"] == "kill_all");
  for (const auto& m : j["mechanisms"]) CHECK_FALSE(m["detail"].get<std::string>().empty());
  CHECK(r.exit_code == (j["strict_possible"].get<bool>() && j["self_test"]["ok"].get<bool>() ? 0 : 1));
  if (j["strict_possible"].get<bool>()) {
    CHECK(j["self_test"]["ok"] == true);
    CHECK(j["self_test"]["confined_ms"].get<double>() > 0);
  } else {
    CHECK(j["strict_refusal"].get<std::string>().find("--sandbox=relaxed") != std::string::npos);
  }
  auto table = run_command({gauntlet::testing::gauntlet_binary(), "doctor"});
  CHECK(table.out.find("mechanism") != std::string::npos);
  CHECK(table.out.find("Strict") != std::string::npos);
}

TEST_CASE("--sandbox and --assets are checked, and relaxed mode is recorded in the result") {
  const std::string bin = gauntlet::testing::gauntlet_binary();
  const std::string tiny = gauntlet::testing::source_path("tests/data/tiny-regression");
  const std::string plugin = gauntlet::testing::test_plugin("null_plugin");
  auto bad = run_command({bin, "judge", "-c", tiny, "-p", plugin, "--sandbox", "off"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--sandbox must be 'strict' or 'relaxed'") != std::string::npos);
  auto no_assets = run_command({bin, "judge", "-c", tiny, "-p", plugin, "--assets", "/nonexistent/assets"});
  CHECK(no_assets.exit_code == 2);
  CHECK(no_assets.err.find("is neither a folder nor an asset archive") != std::string::npos);

  const std::string out = gauntlet::testing::temp_dir("relaxed") + "/r.json";
  auto r = run_command({bin, "judge", "-q", "-c", tiny, "-p", plugin, "--sandbox=relaxed", "--out", out});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Sandbox    relaxed") != std::string::npos);
  const json j = read_json(out);
  CHECK(j["verdict"] == "OK");
  CHECK(j["sandbox"]["mode"] == "relaxed");
  CHECK(j["resources"]["peak_memory_bytes"].get<uint64_t>() > 0);
  CHECK(j["resources"]["cpu_seconds"].get<double>() > 0);
}

TEST_CASE(
    "the sample plugins, oneDNN's JIT and OpenMP threads included, are judged OK in the strict sandbox") {
  const std::string dir = gauntlet::testing::temp_dir("samples");
  const std::string bin = gauntlet::testing::gauntlet_binary();
  const std::string fashion = gauntlet::testing::source_path("challenges/fashion-mnist");
  std::vector<std::string> argv = {bin,
                                   "judge",
                                   "-q",
                                   "-c",
                                   fashion,
                                   "--limit",
                                   "1000",
                                   "--train-limit",
                                   "5000",
                                   "--out",
                                   dir + "/one-thread"};
  const std::vector<std::string> samples = {"dnnl_mlp", "nearest_centroid", "least_squares", "c_prior"};
  for (const auto& s : samples) argv.push_back(gauntlet::testing::sample_plugin(s));
  auto r = run_command(argv);
  INFO(r.out << r.err);
  for (const auto& s : samples) {
    CAPTURE(s);
    const json j = read_json(dir + "/one-thread/fashion-mnist.lib" + s + ".json");
    CHECK(j["verdict"] == "OK");
    check_all_active(j);
  }
  CHECK(read_json(dir + "/one-thread/fashion-mnist.libdnnl_mlp.json")["metrics"]["accuracy"].get<double>() >
        0.8);

  // Two threads: OpenMP starts a thread (clone3, refused with ENOSYS, then clone with
  // CLONE_THREAD) inside the thread budget, and the CPU-time check allows two cores.
  std::string yaml = gauntlet::testing::read_file(fashion + "/challenge.yaml");
  const std::string one = "  threads: 1\n";
  REQUIRE(yaml.find(one) != std::string::npos);
  yaml.replace(yaml.find(one), one.size(), "  threads: 2\n");
  std::filesystem::create_directories(dir + "/two-threads");
  std::ofstream(dir + "/two-threads/challenge.yaml") << yaml;
  auto two = run_command({bin, "judge", "-q", "-c", dir + "/two-threads", "--limit", "1000", "--train-limit",
                          "5000", "--out", dir + "/two.json", gauntlet::testing::sample_plugin("dnnl_mlp")});
  INFO(two.out << two.err);
  const json j = read_json(dir + "/two.json");
  CHECK(j["verdict"] == "OK");
  check_all_active(j);
  CHECK(j["metrics"]["accuracy"].get<double>() > 0.8);
}
