// Every command fails cleanly (issue 16): a missing input file, an output path that cannot be
// written and a full disk each end in one printable line on stderr and a documented exit code
// (2 for bad input, 1 for a failure), never in std::terminate or a signal, and leave no partial
// file behind. The full disk is real: a 64 KiB tmpfs (needs root, as CI runs; else skipped
// with a message), and /dev/full for the standard output.
#include <doctest/doctest.h>

#include "support/run_command.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using gauntlet::testing::CommandResult;
using gauntlet::testing::gauntlet_binary;
using gauntlet::testing::run_command;
using gauntlet::testing::source_path;
using gauntlet::testing::test_plugin;

namespace {

const std::string kTiny = source_path("tests/data/tiny-regression");

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// The command ended by itself with `code`, and its last stderr line is the one error line,
// naming the command or a file position; nothing on stderr came from the C++ runtime.
void check_clean_failure(const CommandResult& r, int code, const std::string& command) {
  INFO(command << " stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == code);
  CHECK(r.err.find("terminate called") == std::string::npos);
  CHECK(r.err.find("what():") == std::string::npos);
  const std::vector<std::string> lines = lines_of(r.err);
  REQUIRE(!lines.empty());
  const std::string& last = lines.back();
  const bool names_command = last.rfind("gauntlet " + command + ":", 0) == 0;
  const bool names_position = last.find(": error: ") != std::string::npos;
  CHECK_MESSAGE((names_command || names_position), last);
  for (char c : last) CHECK(static_cast<unsigned char>(c) >= 0x20);
}

CommandResult run_gauntlet(std::vector<std::string> args) {
  args.insert(args.begin(), gauntlet_binary());
  return run_command(args, 120);
}

// A small event over the tiny challenge, its store at `store`.
fs::path write_event(const fs::path& dir, const fs::path& store) {
  fs::create_directories(dir);
  const fs::path file = dir / "event.yaml";
  std::ofstream(file) << "schema: 1\nname: failures\nchallenges:\n  - " << kTiny
                      << "\nteams:\n  - name: alpha\n    plugin: " << test_plugin("null_plugin")
                      << "\nstore: " << store.string() << "\n";
  return file;
}

// A tmpfs of 64 KiB, filled, unmounted at the end.
class FullDisk {
 public:
  explicit FullDisk(const fs::path& where) : where_(where) {
    fs::create_directories(where_);
    mounted_ = ::mount("tmpfs", where_.c_str(), "tmpfs", 0, "size=64k") == 0;
    if (!mounted_) return;
    std::ofstream fill(where_ / "filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (fill.write(block.data(), static_cast<std::streamsize>(block.size())) && fill.flush()) {
    }
  }
  ~FullDisk() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  FullDisk(const FullDisk&) = delete;
  FullDisk& operator=(const FullDisk&) = delete;
  bool mounted() const { return mounted_; }
  // Every file but the filler: what a command left behind.
  std::vector<std::string> leftovers() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(where_))
      if (e.path().filename() != "filler" && e.is_regular_file()) out.push_back(e.path().string());
    return out;
  }

 private:
  fs::path where_;
  bool mounted_ = false;
};

}  // namespace

// A plugin library that is missing is not among them: that is the plugin's verdict, LOAD_ERROR
// (integration.judge_cli, bad_inputs.library).
TEST_CASE("a missing input file: exit code 2 and one line, from every command that reads one") {
  const std::string none = gauntlet::testing::temp_dir("missing") + "/does-not-exist";
  const std::string out = gauntlet::testing::temp_dir("missing-out");
  const std::vector<std::vector<std::string>> cases = {
      {"judge", "-q", "--challenge", none, "--plugin", test_plugin("null_plugin")},
      {"validate", none},
      {"inspect", test_plugin("null_plugin"), "--challenge", none},
      {"run", none + ".yaml"},
      {"leaderboard", none + ".yaml"},
      {"submit", "--event", none + ".yaml", "--team", "alpha", "--challenge", "tiny-regression",
       test_plugin("null_plugin")},
      {"new", out + "/starter", "--challenge", none},
      {"kit", none, out + "/kit"},
      {"serve", none + ".yaml"},
      {"teams", none + ".yaml", "--team", "alpha"},
      {"status", "--server", "http://127.0.0.1:9", "--token-file", none},
      {"submit", "--server", "http://127.0.0.1:9", "--token-file", none, "--challenge", "tiny-regression",
       test_plugin("null_plugin")},
      {"admin", "--server", "http://127.0.0.1:9", "--token-file", none, "freeze"},
  };
  for (const auto& args : cases) {
    const CommandResult r = run_gauntlet(args);
    check_clean_failure(r, 2, args[0]);
  }
}

TEST_CASE("an output path that cannot be written: exit code 1 and one line, nothing judged in vain") {
  const fs::path dir = gauntlet::testing::temp_dir("unwritable");
  // Under a regular file: refused even to root, whom permission bits do not stop.
  const fs::path blocker = dir / "a-file";
  std::ofstream(blocker) << "not a folder\n";
  const fs::path bad = blocker / "sub";

  const CommandResult judge =
      run_gauntlet({"judge", "-q", "--challenge", kTiny, "--plugin", test_plugin("null_plugin"), "--out",
                    (bad / "result.json").string()});
  check_clean_failure(judge, 1, "judge");
  // Refused before the judging, not after it.
  CHECK(judge.out.find("Verdict") == std::string::npos);

  const CommandResult two =
      run_gauntlet({"judge", "-q", "--challenge", kTiny, "--plugin", test_plugin("null_plugin"),
                    test_plugin("null_plugin"), "--out", bad.string()});
  check_clean_failure(two, 1, "judge");

  check_clean_failure(run_gauntlet({"new", (bad / "starter").string(), "--challenge", kTiny}), 1, "new");
  check_clean_failure(run_gauntlet({"kit", kTiny, (bad / "kit").string()}), 1, "kit");
  check_clean_failure(run_gauntlet({"run", write_event(dir / "event-run", bad / "store").string()}), 1,
                      "run");

  // A store that exists, and a leaderboard written where it cannot be.
  const fs::path event = write_event(dir / "event-ok", dir / "store");
  const CommandResult run = run_gauntlet({"run", event.string(), "--no-leaderboard"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  check_clean_failure(
      run_gauntlet({"leaderboard", event.string(), "--format", "csv", "--out", (bad / "lb.csv").string()}), 1,
      "leaderboard");
}

TEST_CASE("a full disk: exit code 1 and one line, no partial file left behind") {
  const fs::path dir = gauntlet::testing::temp_dir("full-disk");
  // The standard output on a full disk: every command that prints.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"validate", kTiny}, {"doctor", "--json"}, {"inspect", test_plugin("null_plugin")}, {"--help"}}) {
    std::vector<std::string> sh = {"/bin/sh", "-c", "exec \"$0\" \"$@\" > /dev/full", gauntlet_binary()};
    sh.insert(sh.end(), args.begin(), args.end());
    const CommandResult r = run_command(sh, 120);
    if (args[0] == "--help") {
      CHECK_MESSAGE(r.exit_code == 1, r.err);
      continue;
    }
    check_clean_failure(r, 1, args[0]);
  }

  FullDisk disk(dir / "tmpfs");
  if (!disk.mounted()) {
    MESSAGE("no tmpfs could be mounted (not root): the file half of this test is skipped");
    REQUIRE(std::getenv("GAUNTLET_CI") == nullptr);
    return;
  }
  const fs::path full = dir / "tmpfs";
  const CommandResult judge =
      run_gauntlet({"judge", "-q", "--challenge", kTiny, "--plugin", test_plugin("null_plugin"), "--out",
                    (full / "result.json").string()});
  check_clean_failure(judge, 1, "judge");
  check_clean_failure(run_gauntlet({"kit", kTiny, (full / "kit").string()}), 1, "kit");
  check_clean_failure(run_gauntlet({"new", (full / "starter").string(), "--challenge", kTiny}), 1, "new");
  const fs::path event = write_event(dir / "event", dir / "store");
  REQUIRE(run_gauntlet({"run", event.string(), "--no-leaderboard"}).exit_code == 0);
  check_clean_failure(
      run_gauntlet({"leaderboard", event.string(), "--format", "csv", "--out", (full / "lb.csv").string()}),
      1, "leaderboard");
  // Atomic writes: a result, a leaderboard or a kit file is whole or absent.
  for (const std::string& f : disk.leftovers()) {
    INFO(f);
    CHECK(f.find("result.json") == std::string::npos);
    CHECK(f.find("lb.csv") == std::string::npos);
  }
}
