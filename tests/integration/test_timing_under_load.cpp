// Interference is measured, not guessed (README, Integrity of the measurement): least_squares
// judged on a quiet machine, then five times with four busy processes on the machine's cores.
// Every loaded run must either measure its batch-1 latency within 1.5x of the quiet figure or
// say that it could not (the batch size flagged unreliable) — never a silently wrong number.
// Runs alone (RUN_SERIAL): the quiet figure must be quiet.
#include <doctest/doctest.h>

#include "support/read_json.hpp"
#include "support/run_command.hpp"

#include <nlohmann/json.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

extern char** environ;

using gauntlet::testing::read_json;
using gauntlet::testing::run_command;
using json = nlohmann::json;

namespace {

pid_t start_busy_process() {
  const char* argv[] = {"/bin/sh", "-c", "while :; do :; done", nullptr};
  pid_t pid = -1;
  if (::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return -1;
  return pid;
}

json judge(const std::string& out) {
  auto r =
      run_command({gauntlet::testing::gauntlet_binary(), "judge", "-q", "-c",
                   gauntlet::testing::source_path("challenges/fashion-mnist"), "--limit", "2000",
                   "--train-limit", "10000", "--out", out, gauntlet::testing::sample_plugin("least_squares")},
                  300);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return read_json(out);
}

}  // namespace

TEST_CASE("under four busy processes, batch-1 latency is within 1.5x of the quiet figure, or flagged") {
  const std::string dir = gauntlet::testing::temp_dir("load");
  const json quiet = judge(dir + "/quiet.json");
  const json& q1 = quiet["timing"][0];
  REQUIRE(q1["batch_size"] == 1);
  const double quiet_p50 = q1["p50_ms"];
  MESSAGE("quiet: p50 " << quiet_p50 << " ms at batch 1, " << q1["calls"] << " calls counted, "
                        << q1["disturbed_calls"] << " disturbed");

  std::vector<pid_t> busy;
  for (int i = 0; i < 4; ++i) busy.push_back(start_busy_process());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int flagged = 0, within = 0;
  for (int run = 1; run <= 5; ++run) {
    const json loaded = judge(dir + "/loaded" + std::to_string(run) + ".json");
    const json& l1 = loaded["timing"][0];
    const double p50 = l1["p50_ms"];
    const bool reliable = l1["reliable"];
    MESSAGE(
        "loaded run " << run << ": p50 " << p50 << " ms (" << p50 / quiet_p50 << "x), " << l1["calls"]
                      << " counted, " << l1["disturbed_calls"] << " disturbed, "
                      << (reliable ? "reliable" : "flagged: " + l1["unreliable_reason"].get<std::string>()));
    CHECK_MESSAGE((!reliable || p50 <= 1.5 * quiet_p50),
                  "run " << run << ": " << p50 << " ms against " << quiet_p50);
    if (!reliable) {
      ++flagged;
      // Flagged where people look: the result's measurement and its warnings.
      CHECK(loaded["measurement"]["reliable"] == false);
      CHECK(loaded["warnings"].dump().find("unreliable") != std::string::npos);
    } else {
      ++within;
    }
  }
  for (pid_t p : busy) {
    ::kill(p, SIGKILL);
    ::waitpid(p, nullptr, 0);
  }
  MESSAGE(within << " loaded runs measured within 1.5x, " << flagged << " flagged");
}
