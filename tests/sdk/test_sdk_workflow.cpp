// A team's first hour, as a person would live it: install Gauntlet into a fresh prefix, run
// `gauntlet new` in an empty folder outside the repository, then run the commands the
// generated README prints (parsed from it, so the README is what is tested) and judge the
// plugin. Nothing is edited in between.
#include <doctest/doctest.h>

#include "support/run_command.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using gauntlet::testing::CommandResult;
using gauntlet::testing::read_file;
using gauntlet::testing::run_command;

namespace {

// Concatenation by appending: `"literal" + std::string` trips GCC 12's false -Wrestrict.
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out.append(p);
  return out;
}

// A fresh folder under $TMPDIR (outside the repository), removed at the end unless
// GAUNTLET_KEEP_TEST_DIRS is set (to look at what a failing run left).
struct Scratch {
  fs::path root;
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "gauntlet-sdk-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    root = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    if (!std::getenv("GAUNTLET_KEEP_TEST_DIRS")) fs::remove_all(root, ec);
  }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs one shell line in `dir`, as a person would type it there.
CommandResult shell(const fs::path& dir, const std::string& line, double timeout = 600) {
  return run_command({"/bin/sh", "-c", cat({"cd '", dir.string(), "' && ", line})}, timeout);
}

// The command lines of the first ```sh block after `heading` in a README.
std::vector<std::string> commands_after(const std::string& readme, const std::string& heading) {
  const auto at = readme.find(cat({"\n", heading, "\n"}));
  REQUIRE_MESSAGE(at != std::string::npos, "README has no '" << heading << "' section");
  const auto begin = readme.find("```sh\n", at);
  REQUIRE(begin != std::string::npos);
  const auto end = readme.find("```", begin + 6);
  REQUIRE(end != std::string::npos);
  std::istringstream block(readme.substr(begin + 6, end - begin - 6));
  std::vector<std::string> lines;
  for (std::string line; std::getline(block, line);)
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  return lines;
}

// `cmake --install` of this build into <scratch>/prefix.
fs::path install_into(const Scratch& s) {
  const fs::path prefix = s.root / "prefix";
  auto t0 = std::chrono::steady_clock::now();
  auto r =
      run_command({GAUNTLET_CMAKE_COMMAND, "--install", GAUNTLET_BINARY_DIR, "--prefix", prefix.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  MESSAGE("cmake --install: " << seconds_since(t0) << " s");
  return prefix;
}

// Runs every line, in order; the last one is `gauntlet judge`, whose verdict must be OK.
void run_readme_block(const fs::path& project, const std::vector<std::string>& lines) {
  REQUIRE(lines.size() >= 2);
  for (const auto& line : lines) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = shell(project, line);
    INFO("$ " << line << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    MESSAGE(seconds_since(t0) << " s  $ " << line);
    if (line.find(" judge ") != std::string::npos) CHECK(r.out.find("Verdict    OK") != std::string::npos);
  }
}

const std::string kFashion = gauntlet::testing::source_path("challenges/fashion-mnist/challenge.yaml");

}  // namespace

TEST_CASE(
    "install_layout: cmake --install puts the judge, the ABI and SDK headers, the CMake package and "
    "pkg-config files in place") {
  Scratch s;
  const fs::path prefix = install_into(s);
  for (const char* f :
       {"bin/gauntlet", "bin/gauntlet-worker", "include/gauntlet/plugin_api.h", "include/gauntlet/sdk.hpp",
        "include/gauntlet/sdk_dnnl.hpp", "include/gauntlet/sdk/export.hpp",
        "lib/cmake/Gauntlet/GauntletConfig.cmake", "lib/cmake/Gauntlet/GauntletConfigVersion.cmake",
        "lib/cmake/Gauntlet/GauntletTargets.cmake", "lib/cmake/Gauntlet/GauntletPlugin.cmake",
        "lib/cmake/Gauntlet/GauntletCheckPlugin.cmake", "lib/cmake/Gauntlet/gauntlet_plugin.map",
        "lib/pkgconfig/gauntlet.pc", "lib/pkgconfig/gauntlet-dnnl.pc", "share/doc/gauntlet/SDK.md",
        "share/gauntlet/gauntlet.gdb", "share/gauntlet/challenges/fashion-mnist/challenge.yaml",
        "lib/gauntlet/libonnx_runner.so", "share/doc/gauntlet/ONNX.md"})
    CHECK_MESSAGE(fs::exists(prefix / f), f);

  // The installed judge finds its worker and the installed challenges.
  auto r = run_command({(prefix / "bin/gauntlet").string(), "validate",
                        (prefix / "share/gauntlet/challenges/fashion-mnist/challenge.yaml").string()});
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
  r = run_command(
      {(prefix / "bin/gauntlet").string(), "inspect", gauntlet::testing::sample_plugin("c_prior")});
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);
  CHECK(r.out.find("Name          class-prior") != std::string::npos);
  // ... and its ONNX runner, for a model.
  r = run_command({(prefix / "bin/gauntlet").string(), "judge", "-q", "-c",
                   (prefix / "share/gauntlet/challenges/fashion-mnist").string(), "--model",
                   gauntlet::testing::source_path("examples/pytorch/fashion_mnist_cnn.onnx"), "--limit",
                   "100", "--train-limit", "10"});
  CHECK_MESSAGE(r.exit_code == 0, r.out << r.err);

  // pkg-config, relocated: the prefix is not the one configured at build time.
  r = shell(s.root, cat({"PKG_CONFIG_PATH='", (prefix / "lib/pkgconfig").string(),
                         "' pkg-config --cflags --libs gauntlet-dnnl"}));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find(cat({"-I", (prefix / "lib/pkgconfig/../../include").string()})) != std::string::npos);
  CHECK(r.out.find("gauntlet_plugin.map") != std::string::npos);
  CHECK(r.out.find("-Wl,-z,defs") != std::string::npos);
  CHECK(r.out.find("-ldnnl") != std::string::npos);
}

TEST_CASE(
    "new_user_cmake: gauntlet new, then the README's CMake commands build the starter against the installed "
    "SDK and judge it OK, with no edits") {
  Scratch s;
  const fs::path prefix = install_into(s);
  const fs::path project = s.root / "myplugin";
  auto t0 = std::chrono::steady_clock::now();
  auto r = shell(
      s.root, cat({"'", (prefix / "bin/gauntlet").string(), "' new myplugin --challenge '", kFashion, "'"}));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  MESSAGE(seconds_since(t0) << " s  $ gauntlet new myplugin --challenge " << kFashion);
  for (const char* f : {"CMakeLists.txt", "Makefile", "README.md", "src/plugin.cpp", ".gitignore"})
    CHECK_MESSAGE(fs::exists(project / f), f);
  const std::string plugin = read_file(project / "src/plugin.cpp");
  // The challenge's interface is written into the code.
  CHECK(plugin.find("kInputName = \"image\"") != std::string::npos);
  CHECK(plugin.find("kInputSampleShape[] = {1, 28, 28}") != std::string::npos);
  CHECK(plugin.find("kOutputName = \"logits\"") != std::string::npos);
  CHECK(plugin.find("kNumClasses = 10") != std::string::npos);
  CHECK(plugin.find("void train(") != std::string::npos);  // the challenge allows training

  const std::string readme = read_file(project / "README.md");
  CHECK(readme.find(kFashion) != std::string::npos);  // the challenge path the user gave
  const auto lines = commands_after(readme, "## Build and judge");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("cmake -S . -B build") == 0);
  run_readme_block(project, lines);

  // Exactly one exported symbol.
  r = shell(project, "nm -D --defined-only build/libmyplugin.so");
  CHECK(r.out.find("gauntlet_plugin_entry") != std::string::npos);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);

  // The debug recipe: its build commands work, and its gdb line names the installed settings.
  const auto debug = commands_after(readme, "## Debug it under gdb, inside the judge");
  REQUIRE(debug.size() == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    r = shell(project, debug[i]);
    CHECK_MESSAGE(r.exit_code == 0, debug[i] << "\n" << r.out << r.err);
  }
  CHECK(fs::exists(project / "build-debug/libmyplugin.so"));
  CHECK(debug[2].find(cat({"gdb -x ", (prefix / "share/gauntlet/gauntlet.gdb").string()})) == 0);
  CHECK(debug[2].find(" --debug") != std::string::npos);
}

TEST_CASE("new_user_make: the README's Make + pkg-config commands build the same starter and judge it OK") {
  Scratch s;
  const fs::path prefix = install_into(s);
  const fs::path project = s.root / "team-42 plugin";  // a space and a dash: quoting and naming
  auto r = run_command({(prefix / "bin/gauntlet").string(), "new", project.string(), "--challenge", kFashion,
                        "--team", "Team \"42\""});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string readme = read_file(project / "README.md");
  const auto lines = commands_after(readme, "## Build with Make and pkg-config instead");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("make") != std::string::npos);
  run_readme_block(project, lines);
  r = run_command(
      {(prefix / "bin/gauntlet").string(), "inspect", (project / "libteam_42_plugin.so").string()});
  CHECK(r.out.find("Team \"42\"") != std::string::npos);
}

TEST_CASE(
    "new_refuses: gauntlet new refuses a non-empty folder and a bad challenge, with exit code 2 and "
    "nothing written") {
  Scratch s;
  const std::string bin = gauntlet::testing::gauntlet_binary();
  fs::create_directories(s.root / "taken");
  std::ofstream(s.root / "taken/notes.txt") << "mine\n";
  auto r = run_command({bin, "new", (s.root / "taken").string(), "--challenge", kFashion});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("already exists and is not an empty folder") != std::string::npos);
  CHECK(read_file(s.root / "taken/notes.txt") == "mine\n");
  CHECK_FALSE(fs::exists(s.root / "taken/CMakeLists.txt"));

  r = run_command({bin, "new", (s.root / "fresh").string(), "--challenge", (s.root / "nope.yaml").string()});
  CHECK(r.exit_code == 2);
  CHECK_FALSE(fs::exists(s.root / "fresh"));

  r = run_command({bin, "new", (s.root / "fresh").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("challenge") != std::string::npos);

  // An empty folder is fine.
  fs::create_directories(s.root / "empty");
  r = run_command({bin, "new", (s.root / "empty").string(), "--challenge", kFashion});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE(
    "build_tree_package: a starter made by the judge of a build tree builds against that build's package "
    "(regression challenge, by id)") {
  Scratch s;
  const fs::path project = s.root / "reg";
  auto r = run_command(
      {gauntlet::testing::gauntlet_binary(), "new", project.string(), "--challenge", "synthetic-regression"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string plugin = read_file(project / "src/plugin.cpp");
  CHECK(plugin.find("mean training target") != std::string::npos);
  CHECK(plugin.find("kNumClasses") == std::string::npos);
  const std::string readme = read_file(project / "README.md");
  CHECK(readme.find(cat({"-DCMAKE_PREFIX_PATH=", GAUNTLET_BINARY_DIR})) != std::string::npos);
  run_readme_block(project, commands_after(readme, "## Build and judge"));

  // A challenge that allows no training: the starter has no train() and still judges OK.
  std::string yaml = read_file(gauntlet::testing::source_path("tests/data/tiny-regression/challenge.yaml"));
  const auto allowed = yaml.find("  allowed: true");
  REQUIRE(allowed != std::string::npos);
  yaml.replace(allowed, 15, "  allowed: false");
  const auto train_line = yaml.find("  train_seconds:");
  REQUIRE(train_line != std::string::npos);
  yaml.erase(train_line, yaml.find('\n', train_line) + 1 - train_line);
  fs::create_directories(s.root / "notrain");
  std::ofstream(s.root / "notrain/challenge.yaml") << yaml;
  const fs::path inference_only = s.root / "inference-only";
  r = run_command({gauntlet::testing::gauntlet_binary(), "new", inference_only.string(), "--challenge",
                   (s.root / "notrain/challenge.yaml").string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(read_file(inference_only / "src/plugin.cpp").find("void train(") == std::string::npos);
  run_readme_block(inference_only,
                   commands_after(read_file(inference_only / "README.md"), "## Build and judge"));
}

TEST_CASE(
    "team_judge: a team judges on the public split (private and all need --organizer); --debug lifts the "
    "time limits and says so") {
  const std::string bin = gauntlet::testing::gauntlet_binary();
  const std::string tiny = gauntlet::testing::source_path("tests/data/tiny-regression");
  const std::string plugin = gauntlet::testing::test_plugin("null_plugin");
  const std::string slow = gauntlet::testing::test_plugin("slow_second_call");
  for (const char* split : {"private", "all"}) {
    auto r = run_command({bin, "judge", "-q", "-c", tiny, plugin, "--split", split});
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find("is for organizers") != std::string::npos, r.err);
    CHECK(r.err.find("--organizer") != std::string::npos);
    r = run_command({bin, "judge", "-q", "-c", tiny, plugin, "--split", split, "--organizer"});
    CHECK_MESSAGE(r.exit_code == 0, r.err);
  }
  // A plugin whose second call sleeps past the 300 ms per-call limit: TIME_LIMIT, unless judged
  // with --debug (as under a debugger, where a breakpoint stops a call for as long as it takes).
  auto r = run_command({bin, "judge", "-q", "-c", tiny, slow});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.out.find("Verdict    TIME_LIMIT") != std::string::npos, r.out);
  r = run_command({bin, "judge", "-q", "-c", tiny, slow, "--debug"});
  CHECK(r.exit_code == 0);
  CHECK_MESSAGE(r.out.find("Verdict    OK") != std::string::npos, r.out);
  CHECK(r.out.find("judged with --debug: no time limits") != std::string::npos);
}

TEST_CASE("installed_docs: every relative link of the installed guides resolves in the installed tree") {
  Scratch s;
  const fs::path prefix = install_into(s);
  const fs::path docs = prefix / "share/doc/gauntlet";
  const std::regex link(R"(\]\(([^)\s]+)\))");
  int checked = 0, guides = 0;
  for (const auto& entry : fs::recursive_directory_iterator(docs)) {
    if (entry.path().extension() != ".md") continue;
    ++guides;
    const std::string text = gauntlet::testing::read_file(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), link), end; it != end; ++it) {
      std::string target = (*it)[1].str();
      if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0 ||
          target.rfind("mailto:", 0) == 0)
        continue;
      target = target.substr(0, target.find('#'));
      if (target.empty()) continue;  // an anchor in the same page
      ++checked;
      CHECK_MESSAGE(fs::exists(entry.path().parent_path() / target), entry.path().string()
                                                                         << " links to " << target);
    }
  }
  CHECK(guides >= 4);    // SDK.md, ONNX.md, and what they link to
  CHECK(checked >= 10);  // the guides' links into the repository, now into the installed tree
  // The guides name the installed header, not the repository's.
  const std::string sdk = gauntlet::testing::read_file(docs / "SDK.md");
  CHECK(sdk.find("](../plugin_api/") == std::string::npos);
  CHECK(sdk.find("](../../../include/gauntlet/plugin_api.h)") != std::string::npos);
}

TEST_CASE(
    "every_challenge: the starter rendered for each shipped challenge builds warning-free and judges OK") {
  Scratch s;
  const fs::path pkgconfig = fs::path(GAUNTLET_BINARY_DIR) / "lib/pkgconfig";
  int challenges = 0;
  for (const auto& entry : fs::directory_iterator(gauntlet::testing::source_path("challenges"))) {
    if (!fs::exists(entry.path() / "challenge.yaml")) continue;
    ++challenges;
    const std::string id = entry.path().filename().string();
    const fs::path project = s.root / id;
    std::string target = id;  // the CMake target gauntlet new derives from the folder's name
    std::replace(target.begin(), target.end(), '-', '_');
    auto r = run_command({gauntlet::testing::gauntlet_binary(), "new", project.string(), "-c", id});
    INFO(id << ": " << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    // The template's own Makefile, with warnings as errors.
    r = shell(project,
              cat({"PKG_CONFIG_PATH='", pkgconfig.string(), "' make CXXFLAGS='-O1 -Wall -Wextra -Werror'"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    r = run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c", id,
                     (project / cat({"lib", target, ".so"})).string(), "--limit", "64", "--train-limit",
                     "512"});
    INFO(r.out << r.err);
    CHECK(r.out.find("Verdict    OK") != std::string::npos);

    // The weights starter of the same challenge builds warning-free too (weights_starter judges it).
    const fs::path weights_project = s.root / cat({id, "-weights"});
    r = run_command(
        {gauntlet::testing::gauntlet_binary(), "new", weights_project.string(), "-c", id, "--weights"});
    REQUIRE(r.exit_code == 0);
    r = shell(weights_project,
              cat({"PKG_CONFIG_PATH='", pkgconfig.string(), "' make CXXFLAGS='-O1 -Wall -Wextra -Werror'"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
  }
  CHECK(challenges >= 6);
}

namespace {

// What train.py printed for the public test part ("public test accuracy 0.9765").
double printed_public_accuracy(const std::string& out) {
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(out, m, std::regex(R"(public test accuracy ([0-9.]+))")), out);
  return std::stod(m[1].str());
}

// The "accuracy" the judge wrote into result.json, and its number of judged samples.
struct Judged {
  double accuracy = 0;
  int samples = 0;
};
Judged judged(const fs::path& result) {
  std::smatch m, n;
  const std::string json = read_file(result);
  REQUIRE_MESSAGE(std::regex_search(json, m, std::regex(R"("accuracy": *([0-9.eE+-]+))")), json);
  REQUIRE_MESSAGE(std::regex_search(json, n, std::regex(R"("eval": *([0-9]+))")), json);
  return {std::stod(m[1].str()), std::stoi(n[1].str())};
}

// The plugin's accuracy is the offline fit's, one sample apart at most: float32 sums in the
// plugin, float64 in numpy, may tip a sample that sits on the boundary.
void check_same_accuracy(const fs::path& result, const std::string& fit_output) {
  const Judged j = judged(result);
  REQUIRE(j.samples > 50);
  CHECK(std::abs(j.accuracy - printed_public_accuracy(fit_output)) <= 1.0 / j.samples + 1e-4);
}

}  // namespace

TEST_CASE(
    "weights_starter: gauntlet new --weights, then the README's commands make a plugin-view kit, fit the "
    "weights offline and judge the plugin with them as assets, scoring what the offline fit scored") {
  Scratch s;
  const fs::path prefix = install_into(s);
  const std::string bin = (prefix / "bin/gauntlet").string();
  // numpy is Debian's (python3-numpy); a user's own python3 first on PATH may lack it.
  const std::string path = cat({"PATH=/usr/bin:", std::getenv("PATH") ? std::getenv("PATH") : "", " "});

  // Binary task read as probabilities (the sigmoid output), standardised CSV features; by id.
  const fs::path project = s.root / "cancer";
  auto r = run_command({bin, "new", project.string(), "--challenge", "breast-cancer", "--weights"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(project / "train.py"));
  CHECK(read_file(project / "src/plugin.cpp").find("std::exp(-z_[k])") != std::string::npos);
  const std::string readme = read_file(project / "README.md");
  const auto lines = commands_after(readme, "## Build and judge");
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].find(" kit ") != std::string::npos);
  CHECK(lines[1] == "python3 train.py kit weights");
  CHECK(lines[4].find(" --assets weights") != std::string::npos);
  std::string fit_output;
  for (const auto& line : lines) {
    r = shell(project, path + line);
    INFO("$ " << line << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    if (line.rfind("python3", 0) == 0) fit_output = r.out;
    if (line.find(" judge ") != std::string::npos) CHECK(r.out.find("Verdict    OK") != std::string::npos);
  }
  // The plugin computes what the offline fit computed: the kit's plugin view is what it receives.
  std::smatch whole;
  REQUIRE(std::regex_search(readme, whole, std::regex(R"(\n([^\n]* judge [^\n]* --out result\.json)\n)")));
  r = shell(project, whole[1].str());
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
  check_same_accuracy(project / "result.json", fit_output);
  CHECK(judged(project / "result.json").accuracy > 0.9);  // the weights were read: a blank model scores ~0.6

  // What the README says to upload: the weights folder as a tar archive, judged as the service
  // would unpack it.
  const std::string tar = "tar -cf weights.tar -C weights .";
  REQUIRE(readme.find("`" + tar + "`") != std::string::npos);
  r = shell(project, tar);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  r = run_command({bin, "judge", "-q", "-c", "breast-cancer", (project / "build/libcancer.so").string(),
                   "--assets", (project / "weights.tar").string()});
  CHECK_MESSAGE(r.out.find("Verdict    OK") != std::string::npos, r.out << r.err);

  // Without the assets, or with weights of another shape: PLUGIN_ERROR saying what to do.
  const std::string library = (project / "build/libcancer.so").string();
  r = run_command({bin, "judge", "-q", "-c", "breast-cancer", library});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(
      r.out.find("PLUGIN_ERROR: prepare() failed (INVALID_ARGUMENT): no asset folder: judge with --assets") !=
          std::string::npos,
      r.out);
  fs::create_directories(s.root / "short");
  std::ofstream(s.root / "short/weights.bin") << "12345678";
  r = run_command(
      {bin, "judge", "-q", "-c", "breast-cancer", library, "--assets", (s.root / "short").string()});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(
      r.out.find("holds 8 bytes; this model needs 124 (1 x 30 weights and 1 biases") != std::string::npos,
      r.out);

  // Ten classes read as probabilities (the softmax output): the digits kit, its rules changed to
  // probabilities, built with the README's Make and pkg-config commands.
  const fs::path digits = s.root / "digits";
  r = run_command({bin, "kit", "digits-images", (s.root / "digits-kit").string(), "--plugin-view"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::string yaml = read_file(s.root / "digits-kit/challenge.yaml");
  const auto form = yaml.find("output: logits");
  REQUIRE(form != std::string::npos);
  yaml.replace(form, 14, "output: probabilities");
  std::ofstream(s.root / "digits-kit/challenge.yaml") << yaml;
  r = run_command(
      {bin, "new", digits.string(), "--challenge", (s.root / "digits-kit").string(), "--weights"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(read_file(digits / "src/plugin.cpp").find("std::exp(z - top)") != std::string::npos);
  r = shell(digits, cat({path, "python3 train.py ../digits-kit weights"}));
  REQUIRE_MESSAGE(r.exit_code == 0, r.out << r.err);
  fit_output = r.out;
  const auto make =
      commands_after(read_file(digits / "README.md"), "## Build with Make and pkg-config instead");
  REQUIRE(make.size() == 2);
  for (const auto& line : make) {
    r = shell(digits, line.find(" judge ") != std::string::npos ? line + " --out result.json" : line);
    INFO("$ " << line << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
  }
  check_same_accuracy(digits / "result.json", fit_output);
  CHECK(judged(digits / "result.json").accuracy > 0.85);
}
