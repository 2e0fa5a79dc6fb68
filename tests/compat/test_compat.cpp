// The ABI compatibility matrix: plugins built every way a team may build one, each judged by the
// real `gauntlet` (built with g++) on the tiny regression challenge. Where a plugin predicts a
// constant, the host's MSE must be exactly that constant's: proof that the plugin's own code ran.
// One CTest per case (compat.<case>); see tests/compat/README.md for the table.
#include <doctest/doctest.h>

#include "challenge/challenge_loader.hpp"
#include "data/dataset.hpp"
#include "support/run_command.hpp"

#include <dlfcn.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using gauntlet::testing::run_command;
using json = nlohmann::json;

namespace {

const std::string kTiny = gauntlet::testing::source_path("tests/data/tiny-regression");

std::string compat_plugin(const std::string& name) {
  return std::string(GAUNTLET_COMPAT_DIR) + "/lib" + name + ".so";
}

// MSE of predicting `c` for every target of the tiny challenge's public split, from the data.
double mse_of_constant(double c) {
  static const std::vector<float> y = [] {
    auto challenge = gauntlet::load_challenge(kTiny);
    gauntlet::DataRequest request;
    request.include_train = false;
    auto data = gauntlet::load_challenge_data(challenge, request, gauntlet::heap_allocator());
    const auto& t = data.eval.targets;
    return std::vector<float>(t.as<float>(), t.as<float>() + t.numel());
  }();
  double sum = 0;
  for (float v : y) sum += (double(v) - c) * (double(v) - c);
  return sum / double(y.size());
}

struct Judged {
  gauntlet::testing::CommandResult run;
  json result;
};

// `gauntlet judge` on the tiny challenge; the JSON result of one plugin.
Judged judge(const std::string& plugin) {
  const std::string out = gauntlet::testing::temp_dir("compat") + "/result.json";
  Judged j;
  j.run =
      run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kTiny, "--out", out, plugin});
  std::ifstream in(out);
  REQUIRE_MESSAGE(in.good(), "no result for " << plugin << ": " << j.run.out << j.run.err);
  j.result = json::parse(in);
  return j;
}

std::string inspect(const std::string& plugin) {
  return run_command({gauntlet::testing::gauntlet_binary(), "inspect", plugin}).out;
}

std::string dynamic_section(const std::string& plugin) {
  return run_command({"/usr/bin/readelf", "-d", plugin}).out;
}

std::vector<std::string> exported_symbols(const std::string& plugin) {
  std::vector<std::string> names;
  std::istringstream lines(run_command({"/usr/bin/nm", "-D", "--defined-only", plugin}).out);
  for (std::string line; std::getline(lines, line);) names.push_back(line.substr(line.rfind(' ') + 1));
  return names;
}

void check_ok_with_constant(const std::string& plugin, double constant) {
  auto j = judge(plugin);
  INFO(j.run.out << j.run.err);
  CHECK(j.result["verdict"] == "OK");
  CHECK(j.result["metrics"]["mse"].get<double>() == doctest::Approx(mse_of_constant(constant)).epsilon(1e-6));
}

}  // namespace

TEST_CASE("clang_plugin: an SDK plugin built by clang++ is judged OK by the g++-built host") {
  const std::string plugin = compat_plugin("compat_clang");
  CHECK(inspect(plugin).find("built by Debian Clang") != std::string::npos);  // clang's __VERSION__
  CHECK(exported_symbols(plugin) == std::vector<std::string>{"gauntlet_plugin_entry"});
  check_ok_with_constant(plugin, 2.5);
}

TEST_CASE("c_plugin: a plugin in plain C99, without the SDK, is judged OK") {
  auto j = judge(gauntlet::testing::sample_plugin("c_prior"));
  INFO(j.run.out << j.run.err);
  CHECK(j.result["verdict"] == "OK");
  CHECK(j.result["plugin"]["name"] == "class-prior");
  CHECK(dynamic_section(gauntlet::testing::sample_plugin("c_prior")).find("libstdc++") == std::string::npos);
}

TEST_CASE("static_libstdcxx: a plugin with libstdc++ and libgcc linked in statically is judged OK") {
  const std::string plugin = compat_plugin("compat_static_libstdcxx");
  const std::string dynamic = dynamic_section(plugin);
  CHECK_MESSAGE(dynamic.find("libstdc++") == std::string::npos, dynamic);
  CHECK_MESSAGE(dynamic.find("libgcc_s") == std::string::npos, dynamic);
  // The version script keeps the bundled runtime's thousands of symbols private.
  CHECK(exported_symbols(plugin) == std::vector<std::string>{"gauntlet_plugin_entry"});
  check_ok_with_constant(plugin, 3.5);
}

TEST_CASE("older_minor: a plugin compiled against the frozen v1.0 header is judged OK by the current host") {
  const std::string plugin = compat_plugin("compat_old_minor");
  const std::string info = inspect(plugin);
  CHECK_MESSAGE(info.find("ABI           1.0 (judge speaks 1.") != std::string::npos, info);
  auto j = judge(plugin);
  INFO(j.run.out << j.run.err);
  CHECK(j.result["verdict"] == "OK");
  CHECK(j.result["plugin"]["abi"] == "1.0");
}

TEST_CASE(
    "newer_minor: a plugin declaring minor 99, with a longer table and info, is judged OK; the host "
    "reads none of the new fields") {
  const std::string plugin = compat_plugin("compat_newer_minor");
  const std::string info = inspect(plugin);
  CHECK_MESSAGE(
      info.find("ABI           1.99 (judge speaks 1.0), function table 88 bytes") != std::string::npos, info);
  auto j = judge(plugin);
  INFO(j.run.out << j.run.err);
  CHECK(j.result["verdict"] == "OK");  // the appended future_call would abort() if called
  CHECK(j.result["plugin"]["abi"] == "1.99");
  CHECK(j.result["plugin"]["name"] == "compat-v1.99");
}

TEST_CASE(
    "major_mismatch: a plugin of another major version is refused with ABI_MISMATCH and a clear reason") {
  auto j = judge(gauntlet::testing::test_plugin("abi_major_2"));
  CHECK(j.run.exit_code == 1);
  CHECK(j.result["verdict"] == "ABI_MISMATCH");
  CHECK(j.result["reason"].get<std::string>().find("the plugin was built for Gauntlet ABI 2.0; this judge "
                                                   "speaks ABI 1.0: rebuild it against this SDK") !=
        std::string::npos);
  CHECK(j.run.out.find("ABI_MISMATCH") != std::string::npos);
}

TEST_CASE("entry_refuses: a plugin whose entry refuses the host's major version gets ABI_MISMATCH") {
  auto j = judge(gauntlet::testing::test_plugin("refuses_host_abi"));
  CHECK(j.result["verdict"] == "ABI_MISMATCH");
  CHECK(j.result["reason"].get<std::string>().find("refused the judge's ABI 1.0") != std::string::npos);
}

TEST_CASE(
    "clashing_symbols: two plugins exporting the same symbols, judged one after the other, each run "
    "their own code") {
  const std::string a = compat_plugin("compat_clash_a"), b = compat_plugin("compat_clash_b");
  for (const auto& p : {a, b}) {  // they really export the clashing names
    const auto names = exported_symbols(p);
    for (const char* s : {"shared_counter", "compute", "compute_via_plt", "gauntlet_plugin_entry"})
      CHECK_MESSAGE(std::find(names.begin(), names.end(), s) != names.end(), p << " " << s);
  }
  // One judge run, both plugins, one after the other (each in its own worker).
  const std::string dir = gauntlet::testing::temp_dir("clash");
  auto r =
      run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", kTiny, "--out", dir, a, b});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const std::vector<std::pair<std::string, double>> expected = {{"compat_clash_a", 1.5},
                                                                {"compat_clash_b", 4.0}};
  for (const auto& [name, value] : expected) {
    std::ifstream in(dir + "/tiny-regression.lib" + name + ".json");
    REQUIRE(in.good());
    json j = json::parse(in);
    CHECK(j["verdict"] == "OK");
    CHECK(j["metrics"]["mse"].get<double>() == doctest::Approx(mse_of_constant(value)).epsilon(1e-6));
  }
}

TEST_CASE(
    "clashing_symbols_in_one_process: under RTLD_LOCAL (the worker's mode) even two such plugins in one "
    "process keep their own definitions; RTLD_GLOBAL would not") {
  using fn = float (*)();
  const std::string a = compat_plugin("compat_clash_a"), b = compat_plugin("compat_clash_b");
  {
    void* ha = dlopen(a.c_str(), RTLD_NOW | RTLD_LOCAL);
    void* hb = dlopen(b.c_str(), RTLD_NOW | RTLD_LOCAL);
    REQUIRE(ha);
    REQUIRE(hb);
    CHECK(reinterpret_cast<fn>(dlsym(ha, "compute_via_plt"))() == 1.5f);
    CHECK(reinterpret_cast<fn>(dlsym(hb, "compute_via_plt"))() == 4.0f);
    CHECK(*static_cast<int*>(dlsym(ha, "shared_counter")) == 1);
    CHECK(*static_cast<int*>(dlsym(hb, "shared_counter")) == 1);
    dlclose(hb);
    dlclose(ha);
  }
  // The contrast, which is why the worker loads with RTLD_LOCAL and the SDK exports one symbol:
  // once A's symbols are global, B's own call to compute() binds to A's.
  void* ha = dlopen(a.c_str(), RTLD_NOW | RTLD_GLOBAL);
  void* hb = dlopen(b.c_str(), RTLD_NOW | RTLD_LOCAL);
  REQUIRE(ha);
  REQUIRE(hb);
  CHECK(reinterpret_cast<fn>(dlsym(hb, "compute_via_plt"))() == 1.5f);
  dlclose(hb);
  dlclose(ha);
}

TEST_CASE("dnnl_host_libdnnl: a plugin linking the judge's libdnnl (Debian oneDNN 2.6) is judged OK") {
  const std::string plugin = gauntlet::testing::sample_plugin("dnnl_mlp");
  CHECK(dynamic_section(plugin).find("[libdnnl.so.2]") != std::string::npos);
  auto j = judge(plugin);
  INFO(j.run.out << j.run.err);
  CHECK(j.result["verdict"] == "OK");
  CHECK(j.result["environment"]["onednn_version"].get<std::string>().rfind("2.", 0) == 0);
}

TEST_CASE(
    "dnnl_other_version: a plugin linked against another oneDNN (libdnnl.so.3) is a LOAD_ERROR naming "
    "the missing library") {
  const std::string plugin = compat_plugin("compat_needs_dnnl3");
  CHECK(dynamic_section(plugin).find("[libdnnl.so.3]") != std::string::npos);
  auto j = judge(plugin);
  CHECK(j.result["verdict"] == "LOAD_ERROR");
  CHECK_MESSAGE(
      j.result["reason"].get<std::string>().find(
          "libdnnl.so.3: cannot open shared object file: No such file or directory") != std::string::npos,
      j.result["reason"]);
}
