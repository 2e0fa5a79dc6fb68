// `gauntlet judge`, `validate` and `inspect` driven as a person would, on the tiny test
// challenge (tests/data/tiny-regression) with the plugins of tests/plugins.
#include <doctest/doctest.h>

#include "challenge/challenge_loader.hpp"
#include "data/dataset.hpp"
#include "support/read_json.hpp"
#include "support/run_command.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using gauntlet::testing::read_json;
using gauntlet::testing::run_command;
using gauntlet::testing::test_plugin;
using json = nlohmann::json;

namespace {

const std::string kTiny = gauntlet::testing::source_path("tests/data/tiny-regression");

}  // namespace

TEST_CASE("judging a well-behaved plugin writes a complete result, with metrics the host computed") {
  const std::string out = gauntlet::testing::temp_dir("null") + "/result.json";
  auto r = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "--challenge", kTiny, "--plugin",
                        test_plugin("null_plugin"), "--out", out, "--seed", "7"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Verdict    OK") != std::string::npos);
  json j = read_json(out);

  CHECK(j["schema"] == 1);
  CHECK(j["verdict"] == "OK");
  CHECK(j["challenge"]["id"] == "tiny-regression");
  CHECK(j["challenge"]["sha256"].get<std::string>().size() == 64);
  CHECK(j["plugin"]["sha256"].get<std::string>().size() == 64);
  CHECK(j["plugin"]["name"] == "null");
  CHECK(j["plugin"]["team"] == "Test Team");
  CHECK(j["plugin"]["abi"] == "1.0");
  CHECK(j["split"] == "public");
  CHECK(j["seed"] == 7);
  for (const char* key : {"onednn_version", "cpu_model", "gauntlet_version", "kernel"})
    CHECK_MESSAGE(!j["environment"][key].get<std::string>().empty(), key);
  CHECK(j["environment"]["onednn_version"].get<std::string>().rfind("2.", 0) == 0);
  CHECK(!j["started_at"].get<std::string>().empty());
  CHECK(!j["finished_at"].get<std::string>().empty());
  REQUIRE(j["timing"].size() == 2);
  for (const auto& t : j["timing"]) {
    CHECK(t["calls"].get<int>() >= 10);
    CHECK(t["p50_ms"].get<double>() > 0);
    CHECK(t["p99_ms"].get<double>() >= t["p50_ms"].get<double>());
    CHECK(t["throughput"].get<double>() > 0);
  }
  CHECK(j["score"]["qualified"] == true);

  // The null plugin predicts 0, so the host's MSE must be the mean of y^2 over the public
  // split: recompute it here from the dataset itself.
  auto challenge = gauntlet::load_challenge(kTiny);
  gauntlet::DataRequest request;
  request.include_train = false;
  auto data = gauntlet::load_challenge_data(challenge, request, gauntlet::heap_allocator());
  const auto& y = data.eval.targets;
  double sum = 0;
  for (int64_t i = 0; i < y.numel(); ++i) sum += double(y.as<float>()[i]) * y.as<float>()[i];
  CHECK(j["samples"]["eval"] == y.samples());
  CHECK(j["metrics"]["mse"].get<double>() == doctest::Approx(sum / double(y.numel())).epsilon(1e-6));
  CHECK(j["score"]["value"].get<double>() == doctest::Approx(-sum / double(y.numel())).epsilon(1e-6));
}

TEST_CASE("the public and private splits partition the test set") {
  const std::string dir = gauntlet::testing::temp_dir("splits");
  auto pub = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kTiny, "-p",
                          test_plugin("null_plugin"), "--out", dir + "/public.json"});
  auto priv = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kTiny, "-p",
                           test_plugin("null_plugin"), "--split", "private", "--organizer", "--out",
                           dir + "/private.json"});
  REQUIRE(pub.exit_code == 0);
  REQUIRE(priv.exit_code == 0);
  json a = read_json(dir + "/public.json"), b = read_json(dir + "/private.json");
  CHECK(b["split"] == "private");
  const int64_t n_pub = a["samples"]["eval"], n_priv = b["samples"]["eval"];
  CHECK(n_pub > 0);
  CHECK(n_priv > 0);
  CHECK(n_pub + n_priv == 1000);  // num_test of the tiny challenge
  CHECK(a["metrics"]["mse"] != b["metrics"]["mse"]);

  // `all` is their union: its MSE is the sample-weighted mean of the two parts.
  auto all =
      run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kTiny, "-p",
                   test_plugin("null_plugin"), "--split", "all", "--organizer", "--out", dir + "/all.json"});
  REQUIRE(all.exit_code == 0);
  json c = read_json(dir + "/all.json");
  CHECK(c["samples"]["eval"] == 1000);
  const double weighted = (a["metrics"]["mse"].get<double>() * double(n_pub) +
                           b["metrics"]["mse"].get<double>() * double(n_priv)) /
                          1000.0;
  CHECK(c["metrics"]["mse"].get<double>() == doctest::Approx(weighted).epsilon(1e-6));
}

TEST_CASE("each broken plugin gets its verdict and a clear reason, and the host carries on") {
  struct Case {
    std::string plugin, verdict, reason;
  };
  const std::string dir = gauntlet::testing::temp_dir("broken");
  const std::string missing = dir + "/does-not-exist.so";
  const std::vector<Case> cases = {
      {missing, "LOAD_ERROR", "cannot read the plugin file"},
      {std::string(GAUNTLET_TEST_PLUGIN_DIR) + "/not_a_library.so", "LOAD_ERROR", "no ELF header"},
      {test_plugin("no_entry"), "LOAD_ERROR", "does not export the entry function gauntlet_plugin_entry"},
      {test_plugin("unresolved_symbol"), "LOAD_ERROR",
       "undefined symbol: gauntlet_test_symbol_nobody_defines"},
      {test_plugin("bogus_table_size"), "LOAD_ERROR", "declares a size of 8 bytes"},
      {test_plugin("abi_major_2"), "ABI_MISMATCH", "built for Gauntlet ABI 2.0; this judge speaks ABI 1.0"},
      {test_plugin("refuses_host_abi"), "ABI_MISMATCH", "its entry returned NULL"},
      {test_plugin("segfault_in_infer"), "CRASH", "SIGSEGV"},
      {test_plugin("nan_output"), "BAD_OUTPUT", "holds NaN"},
      {test_plugin("error_status"), "PLUGIN_ERROR", "(UNSUPPORTED): this test plugin refuses every batch"},
      {test_plugin("out_of_memory_status"), "MEMORY_LIMIT",
       "ran out of memory under the limit of 1024.0 MiB (the plugin returned OUT_OF_MEMORY): could not "
       "allocate"},
      {test_plugin("hang_in_infer"), "TIME_LIMIT", "did not finish within"},
      // Judged last, in the same run: the broken ones above did not disturb it.
      {test_plugin("null_plugin"), "OK", ""},
  };
  std::vector<std::string> argv = {
      gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kTiny, "--out", dir};
  for (const auto& c : cases) argv.push_back(c.plugin);
  auto r = run_command(argv);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // some verdicts are not OK
  for (const auto& c : cases) {
    CAPTURE(c.plugin);
    json j = read_json(dir + "/tiny-regression." + std::filesystem::path(c.plugin).stem().string() + ".json");
    CHECK(j["verdict"] == c.verdict);
    CHECK(j["reason"].get<std::string>().find(c.reason) != std::string::npos);
    if (c.verdict != "OK") CHECK(j["score"].is_null());
  }
}

TEST_CASE("a malformed challenge is reported as file:line:column with exit code 2, and nothing is written") {
  const std::string dir = gauntlet::testing::temp_dir("badyaml");
  std::ifstream in(kTiny + "/challenge.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string good = "  ms_per_batch: 300\n";
  auto at = text.find(good);
  REQUIRE(at != std::string::npos);
  text.replace(at, good.size(), "  ms_per_batch: -3\n");
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  std::ofstream(dir + "/challenge.yaml") << text;

  auto v = run_command({gauntlet::testing::gauntlet_binary(), "validate", dir + "/challenge.yaml"});
  CHECK(v.exit_code == 2);
  const std::string where =
      dir + "/challenge.yaml:" + std::to_string(line) + ":17: error: limits.ms_per_batch:";
  CHECK_MESSAGE(v.err.find(where) != std::string::npos, v.err);
  CHECK(std::count(v.err.begin(), v.err.end(), '\n') == 1);  // one line

  auto j = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-c", dir, "-p",
                        test_plugin("null_plugin"), "--out", dir + "/result.json"});
  CHECK(j.exit_code == 2);
  CHECK(j.err.find(where) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/result.json"));
}

TEST_CASE("bad command lines exit with code 2 and say what is wrong") {
  auto bin = gauntlet::testing::gauntlet_binary();
  auto r = run_command({bin, "judge", "-p", test_plugin("null_plugin")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("challenge") != std::string::npos);
  r = run_command({bin, "judge", "-c", kTiny, "-p", test_plugin("null_plugin"), "--split", "secret"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--split must be 'public', 'private' or 'all'") != std::string::npos);
  r = run_command({bin, "frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown command 'frobnicate'") != std::string::npos);
  for (const char* cmd : {"judge", "validate", "inspect"}) {
    r = run_command({bin, cmd, "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(std::string("usage: gauntlet ") + cmd) != std::string::npos);
  }
}

TEST_CASE("inspect reports a plugin's identity through the worker, and refuses broken ones") {
  auto bin = gauntlet::testing::gauntlet_binary();
  auto r = run_command({bin, "inspect", test_plugin("null_plugin")});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("ABI           1.0") != std::string::npos);
  CHECK(r.out.find("Name          null") != std::string::npos);
  CHECK(r.out.find("Capabilities  (none: inference only)") != std::string::npos);
  r = run_command({bin, "inspect", test_plugin("abi_major_2")});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("ABI_MISMATCH") != std::string::npos);
}

TEST_CASE("--plugin A B judges both, each into its own file of the --out folder") {
  const std::string out = gauntlet::testing::temp_dir("two-plugins") + "/results";
  auto r = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "--challenge", kTiny, "--plugin",
                        test_plugin("null_plugin"), test_plugin("error_status"), "--out", out});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);  // error_status is not OK
  REQUIRE(std::filesystem::is_directory(out));
  CHECK(read_json(out + "/tiny-regression.libnull_plugin.json")["verdict"] == "OK");
  CHECK(read_json(out + "/tiny-regression.liberror_status.json")["verdict"] == "PLUGIN_ERROR");
}

TEST_CASE("a challenge may be named by the id of an installed one wherever a challenge is taken") {
  const std::string exe = gauntlet::testing::gauntlet_binary();
  auto v = run_command({exe, "validate", "--quick", "synthetic-regression"});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("share/gauntlet/challenges/synthetic-regression/challenge.yaml") != std::string::npos);
  const std::string kit = gauntlet::testing::temp_dir("kit-by-id") + "/kit";
  auto k = run_command({exe, "kit", "synthetic-regression", kit});
  INFO(k.out << k.err);
  CHECK(k.exit_code == 0);
  CHECK(std::filesystem::exists(kit + "/challenge.yaml"));
  // An id that is not installed says so, as a missing folder would.
  auto missing = run_command({exe, "validate", "--quick", "no-such-challenge"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("no-such-challenge") != std::string::npos);
}

TEST_CASE("--assets takes the asset archive a team uploads, unpacked under the service's rules") {
  // The hostile suite's asset reader: it reads weights.txt from its assets, and fails without.
  const std::string reader = (std::filesystem::path(test_plugin("null_plugin")).parent_path().parent_path() /
                              "hostile/libasset_reader.so")
                                 .string();
  const std::string hostile = gauntlet::testing::source_path("tests/data/hostile");
  const std::filesystem::path dir = gauntlet::testing::temp_dir("asset-archive");
  std::filesystem::create_directories(dir / "in");
  std::filesystem::copy(gauntlet::testing::source_path("tests/hostile/assets/weights.txt"), dir / "in");
  const std::string archive = (dir / "assets.tar").string();
  REQUIRE(run_command({"/bin/tar", "-cf", archive, "-C", (dir / "in").string(), "weights.txt"}).exit_code == 0);
  auto ok = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", hostile, "--plugin",
                         reader, "--assets", archive, "--limit", "64"});
  INFO(ok.out << ok.err);
  CHECK(ok.out.find("Verdict    OK") != std::string::npos);

  // A link in the archive: refused in one line, as the service refuses it; nothing judged.
  std::filesystem::create_symlink("/etc/passwd", dir / "in" / "link");
  const std::string bad = (dir / "bad.tar").string();
  REQUIRE(run_command({"/bin/tar", "-cf", bad, "-C", (dir / "in").string(), "weights.txt", "link"}).exit_code ==
          0);
  auto refused = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", hostile, "--plugin",
                              reader, "--assets", bad});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err == "gauntlet judge: --assets " + bad + ": the entry 'link' is a symbolic link\n");
  CHECK(refused.out.find("Verdict") == std::string::npos);
}
